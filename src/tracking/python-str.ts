// Python's str() of a parameter value as Kedro holds it (parameters.yml is JSON, so a dict, list, str, int,
// float, bool or None): the text a Python plugin (kedro-mlflow) logs for it, and cuts when it is too long.
import type { ParamValue } from '../pipeline/types.ts';

/** str(value) in Python 3: a string as it is, anything else as its repr. */
export function pythonStr(value: ParamValue): string {
  return typeof value === 'string' ? value : pythonRepr(value);
}

function pythonRepr(v: ParamValue): string {
  if (v === null) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return pythonNumber(v);
  if (typeof v === 'string') return pythonStringRepr(v);
  if (Array.isArray(v)) return `[${v.map(pythonRepr).join(', ')}]`;
  return `{${Object.entries(v)
    .map(([k, x]) => `${pythonStringRepr(k)}: ${pythonRepr(x)}`)
    .join(', ')}}`;
}

/**
 * repr() of a number as JSON.stringify wrote it for Python to read: without a fraction or an exponent (any integer
 * under 1e21) an int, else a float, whose shortest digits are JavaScript's too, written positionally from 1e-4
 * up to 1e16 and with an exponent of at least two digits otherwise (`1e-05`, `1e+21`).
 */
function pythonNumber(v: number): string {
  if (Number.isNaN(v)) return 'nan';
  if (!Number.isFinite(v)) return v > 0 ? 'inf' : '-inf';
  if (Number.isInteger(v) && Math.abs(v) < 1e21) return String(v);
  const [mantissa = '', exponent = '0'] = v.toExponential().split('e');
  const exp = Number(exponent);
  if (exp >= -4 && exp < 16) return String(v);
  return `${mantissa}e${exp < 0 ? '-' : '+'}${String(Math.abs(exp)).padStart(2, '0')}`;
}

/** Characters Python's str.isprintable() refuses (control, format, unassigned, private use, separators). */
const NOT_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;
const NAMED_ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r' };

/** repr() of a str: single quotes unless it holds one and no double quote; unprintable characters escaped. */
function pythonStringRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    const named = NAMED_ESCAPES[ch];
    if (named) out += named;
    else if (ch === quote) out += `\\${ch}`;
    else if (ch !== ' ' && NOT_PRINTABLE.test(ch)) out += hexEscape(ch.codePointAt(0)!);
    else out += ch;
  }
  return out + quote;
}

function hexEscape(code: number): string {
  const hex = code.toString(16);
  if (code < 0x100) return `\\x${hex.padStart(2, '0')}`;
  return code < 0x10000 ? `\\u${hex.padStart(4, '0')}` : `\\U${hex.padStart(8, '0')}`;
}
