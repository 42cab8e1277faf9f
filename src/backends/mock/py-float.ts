// Python's readings of numbers that JavaScript reads otherwise: float() of a string (MLflow's checks and
// protobuf's JSON parser call it) and json.loads' NaN, Infinity and -Infinity tokens (Flask parses bodies with it).

/** A Python float literal after str.strip(): digits with single underscores between them, optional fraction and
 * exponent, or inf / infinity / nan in any case, each with an optional sign. */
const PY_FLOAT = /^[+-]?(?:(?:\d(?:_?\d)*)?\.\d(?:_?\d)*|\d(?:_?\d)*\.?)(?:[eE][+-]?\d(?:_?\d)*)?$/;
const PY_SPECIAL = /^([+-]?)(inf|infinity|nan)$/i;

/** float(text) as Python computes it, or undefined where Python raises ValueError. */
export function pyFloat(text: string): number | undefined {
  const s = text.trim();
  const special = s.match(PY_SPECIAL);
  if (special) {
    // groups 1 and 2 are not optional in PY_SPECIAL
    if (special[2]!.toLowerCase() === 'nan') return NaN;
    return special[1] === '-' ? -Infinity : Infinity;
  }
  return PY_FLOAT.test(s) ? Number(s.replace(/_/g, '')) : undefined;
}

const TOKENS: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };

/** json.loads(text): JSON plus the bare tokens NaN, Infinity and -Infinity (what json.dumps writes for
 * non-finite floats by default). Throws SyntaxError where JSON.parse would, on anything else. */
export function parsePyJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    if (!/NaN|Infinity/.test(text)) throw err;
  }
  // Each bare token becomes a string no request holds (a fresh nonce), turned back into its number after parsing.
  const mark = `\u0000py-float-${Math.random().toString(36).slice(2)}:`;
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    const token = Object.keys(TOKENS).find((t) => text.startsWith(t, i) && !/[\w.]/.test(text[i + t.length] ?? ''));
    if (token && !/[\w.]/.test(text[i - 1] ?? '')) {
      out += JSON.stringify(mark + token);
      i += token.length - 1;
    } else out += c;
  }
  return JSON.parse(out, (_key, v: unknown) =>
    typeof v === 'string' && v.startsWith(mark) ? TOKENS[v.slice(mark.length)] : v,
  );
}
