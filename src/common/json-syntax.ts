// Where JSON text first goes wrong, for a located message. JSON.parse says "at position N" for some
// errors only, and for others quotes the text (which may hold a secret), so the error path scans the
// text itself: iteratively (deep nesting cannot overflow the stack), naming one character at most.
// `strict` also refuses valid JSON that trackbench would misread or crash on: nesting deeper than any file it
// writes (every reader after JSON.parse recurses), a number past a double (1e400 reads as Infinity) and a key
// given twice in one object (JSON.parse keeps the last silently).

export interface JsonSyntaxError {
  /** Offset of the first character that cannot continue a JSON text. */
  offset: number;
  message: string;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES = new Set(['"', '\\', '/', 'b', 'f', 'n', 'r', 't']);
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
const HEX4 = /[0-9a-fA-F]{4}/y;
/** Far deeper than any report, gate or history line trackbench writes (hook options included), far below a stack. */
export const MAX_JSON_DEPTH = 100;

/** The first syntax error of `text` as JSON (with `strict`, or problem above), or undefined when there is none. */
export function jsonSyntaxError(text: string, { strict = false } = {}): JsonSyntaxError | undefined {
  let i = 0;
  const fail = (message: string, at = i): JsonSyntaxError => ({ offset: at, message });
  const shown = (at: number): string =>
    at >= text.length ? 'the end of the file' : `character ${JSON.stringify(text[at])}`;
  const skip = (): void => {
    while (i < text.length && WHITESPACE.has(text[i]!)) i++;
  };
  /** Reads a string starting at text[i] === '"'. */
  const string = (): JsonSyntaxError | undefined => {
    const start = i++;
    while (i < text.length) {
      const c = text[i]!;
      if (c === '"') {
        i++;
        return undefined;
      }
      if (c < ' ') return fail('a control character inside a string (escape it)');
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'u') {
          HEX4.lastIndex = i + 2;
          if (!HEX4.test(text)) return fail('a \\u escape needs four hex digits', i + 2);
          i += 6;
          continue;
        }
        if (e === undefined || !ESCAPES.has(e)) return fail(`a bad escape in a string (${shown(i + 1)})`, i + 1);
        i += 2;
        continue;
      }
      i++;
    }
    return fail('a string that never ends', start);
  };
  /** Reads one scalar value, or opens a container (pushed on `stack`, with the keys seen so far for an object). */
  const stack: ('[' | '{')[] = [];
  const keys: Set<string>[] = [];
  const value = (): JsonSyntaxError | undefined => {
    const c = text[i];
    if (c === '{' || c === '[') {
      if (strict && stack.length >= MAX_JSON_DEPTH) return fail(`nested more than ${MAX_JSON_DEPTH} deep`);
      stack.push(c);
      if (c === '{') keys.push(new Set());
      i++;
      return undefined;
    }
    if (c === '"') return string();
    for (const word of ['true', 'false', 'null'])
      if (text.startsWith(word, i)) {
        i += word.length;
        return undefined;
      }
    NUMBER.lastIndex = i;
    if (c !== undefined && /[-\d]/.test(c) && NUMBER.test(text)) {
      if (strict && !Number.isFinite(Number(text.slice(i, NUMBER.lastIndex))))
        return fail('a number too large for a double (it would read as Infinity)');
      i = NUMBER.lastIndex;
      return undefined;
    }
    return fail(`expected a value, found ${shown(i)}`);
  };

  skip();
  let err = value();
  if (err) return err;
  // After a value or an opening bracket: the container's next member, or its end.
  let justOpened = stack.length > 0;
  while (stack.length) {
    skip();
    const top = stack[stack.length - 1]!;
    const close = top === '{' ? '}' : ']';
    if (text[i] === close) {
      if (stack.pop() === '{') keys.pop();
      i++;
      justOpened = false;
      continue;
    }
    if (!justOpened) {
      if (text[i] !== ',') return fail(`expected ',' or '${close}', found ${shown(i)}`);
      i++;
      skip();
    }
    if (top === '{') {
      if (text[i] !== '"') return fail(`expected a property name in double quotes, found ${shown(i)}`);
      const start = i;
      err = string();
      if (err) return err;
      const seen = keys[keys.length - 1]!;
      const key = strict ? (JSON.parse(text.slice(start, i)) as string) : ''; // a string token, just read
      if (strict && seen.has(key))
        return fail(`the key ${JSON.stringify(key.slice(0, 60))} is given twice in one object`, start);
      seen.add(key);
      skip();
      if (text[i] !== ':') return fail(`expected ':' after a property name, found ${shown(i)}`);
      i++;
      skip();
    }
    const depth = stack.length;
    err = value();
    if (err) return err;
    justOpened = stack.length > depth;
  }
  skip();
  return i < text.length ? fail(`unexpected ${shown(i)} after the JSON value`) : undefined;
}
