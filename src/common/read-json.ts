// Reads a JSON document as bad input is read everywhere: a missing file, a syntax error or a schema
// problem is a Diagnostic at file:line:col, never a crash and never the file's text echoed back.
// Schema problems are located by reading the text again as YAML (JSON is YAML), only when there are some.
import { LineCounter, parseDocument } from 'yaml';
import { InputError, type Diagnostic } from '../errors.ts';
import { jsonSyntaxError } from './json-syntax.ts';
import { lineCol } from './line-col.ts';
import { builtinKeyPaths } from './object-keys.ts';
import { MAX_JSON_INPUT_BYTES, readInputText, UnreadableInput } from './read-input.ts';
import { locator, validateWithLocator, type Locate } from './validate-yaml.ts';

export interface JsonFile {
  file: string;
  text: string;
  data: unknown;
}

/** The file parsed as JSON; `what` names what it should be ("trackbench report") in messages. */
export function readJsonFile(file: string, what: string): JsonFile {
  let text: string;
  try {
    text = readInputText(file, MAX_JSON_INPUT_BYTES);
  } catch (err) {
    if (err instanceof UnreadableInput)
      throw new InputError([{ file, ...err.at, message: `not a readable ${what}: ${err.message}` }]);
    throw err;
  }
  if (text.startsWith('\uFEFF')) text = text.slice(1); // a byte-order mark some editors add
  return { file, text, data: parseJsonAt(text, { file, line: 1 }, `invalid JSON (${what})`) };
}

/**
 * `text` parsed as JSON, scanned first (strict): a document nested thousands deep, a number past a double or a
 * key given twice is refused where it goes wrong, located from `at` (the line `text` starts on in `at.file`),
 * with `problem` ahead of the message.
 */
export function parseJsonAt(text: string, at: { file: string; line: number }, problem: string): unknown {
  const err = jsonSyntaxError(text, { strict: true });
  if (err) {
    const where = lineCol(text, err.offset);
    throw new InputError([
      { file: at.file, line: at.line + where.line - 1, col: where.col, message: `${problem}: ${err.message}` },
    ]);
  }
  try {
    return JSON.parse(text);
  } catch {
    // the scan above found nothing JSON.parse refuses; kept so a difference between them is bad input, not a crash
    throw new InputError([{ file: at.file, line: at.line, col: 1, message: problem }]);
  }
}

/** A locator of paths in the file (parsed again as YAML, so only on the error path). */
export function jsonLocator(json: JsonFile): Locate {
  const lineCounter = new LineCounter();
  const doc = parseDocument(json.text, { lineCounter, prettyErrors: false, uniqueKeys: false });
  return locator({ doc, lineCounter, file: json.file });
}

/**
 * Every problem of the values at `parts` (each a path into the document and the schema it must
 * match), located in the file, with `what` ahead of each message.
 */
export function jsonSchemaProblems(
  json: JsonFile,
  parts: { path: (string | number)[]; value: unknown; schema: object }[],
  what: string,
): Diagnostic[] {
  let locate: Locate | undefined;
  const lazy: Locate = (path, message, atKey) => (locate ??= jsonLocator(json))(path, message, atKey);
  return parts
    .flatMap((p) => validateWithLocator(p.value, p.schema, lazy, p.path))
    .map((d) => ({ ...d, message: `${d.message} (${what})` }));
}

/** A key named like a built-in property of JavaScript objects (`constructor`), anywhere: refused, located. */
export function builtinKeyProblems(json: JsonFile, what: string): Diagnostic[] {
  const paths = builtinKeyPaths(json.data);
  if (!paths.length) return [];
  const locate = jsonLocator(json);
  return paths.map((p) =>
    locate(p, `the key "${String(p[p.length - 1])}" is the name of a built-in object property (${what})`, true),
  );
}
