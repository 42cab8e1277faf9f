// Parse YAML keeping source positions, validate against a JSON Schema, and turn every problem
// into a Diagnostic with file:line:col and a dotted field path. Shared by scenarios and mlflow.yml.
import { Ajv2020 as Ajv } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import { isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, visit, type Document, type Node } from 'yaml';
import type { Diagnostic } from '../errors.ts';
import { isSecretKey, looksLikeCredential } from './secrets.ts';
import { closest } from './suggest.ts';

/** A JSON document that must be an object (a schema read with `require`), typed as one. */
export function jsonObject(value: unknown, what: string): object {
  if (typeof value !== 'object' || value === null) throw new Error(`internal error: ${what} is not a JSON object`);
  return value;
}

export interface ParsedYaml {
  doc: Document;
  lineCounter: LineCounter;
  file: string;
}

/** Input files are small; anything larger is refused before parsing. */
export const MAX_YAML_BYTES = 1_000_000;
/** Aliases resolved at most (yaml's own default; a "billion laughs" needs far more). */
export const MAX_ALIAS_COUNT = 100;
/**
 * Mappings and lists nested at most (a scenario or mlflow.yml needs 5): what is read is written into reports, whose
 * reader refuses nesting past MAX_JSON_DEPTH (100), and a report holds a scenario at most 4 levels down.
 */
export const MAX_YAML_DEPTH = 64;
/** Schema problems reported at most per file (20,000 unknown keys must not take seconds to locate). */
export const MAX_DIAGNOSTICS = 50;

/**
 * A file holds one YAML document: a second (after `---`) would be ignored, or be the one meant. Refused, located at
 * its `---`.
 */
const SECOND_DOCUMENT =
  'a second YAML document starts here (`---`); the file must hold one: remove this line and what follows, ' +
  'or merge it into the first';
/**
 * YAML 1.2 has no merge keys: `<<: *anchor` would be read as a key named "<<" (unknown, or kept as a value where any
 * key goes). Refused rather than supported: merged keys have no place in the file to point problems at.
 */
const MERGE_KEY =
  'YAML merge keys (`<<: *anchor`) are not supported: write the keys out (an alias of a whole value, ' +
  '`key: *anchor`, works)';

/** The tags of YAML 1.2's core schema: a value given one of these is read as it would be without it. */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

/**
 * Any other tag would be dropped (an unknown one: its value read as plain text) or make a value no JSON has (a
 * binary, a set, a date): refused, named as written (`!!x` for YAML's own).
 */
const unsupportedTag = (tag: string): string =>
  `the YAML tag ${tag.replace(/^tag:yaml\.org,2002:/, '!!')} is not supported: write the value without it ` +
  '(strings, numbers, booleans, null, lists and mappings need no tag)';

export function parseYaml(text: string, file: string): { parsed: ParsedYaml; diagnostics: Diagnostic[] } {
  const lineCounter = new LineCounter();
  if (text.length > MAX_YAML_BYTES) {
    const empty = parseDocument('', { lineCounter });
    const message = `the file is ${text.length} characters; at most ${MAX_YAML_BYTES} are read`;
    return { parsed: { doc: empty, lineCounter, file }, diagnostics: [{ file, line: 1, col: 1, message }] };
  }
  // Lone CR line breaks count as line breaks (the line counter knows only LF).
  const normalised = text.replace(/\r\n?/g, '\n');
  // yaml's own uniqueKeys check is quadratic (20,000 keys: seconds); duplicates are found below.
  // logLevel error: yaml's warnings (a key that is a list, made text) went to stderr as Node warnings; the schema
  // check reports such a key as unknown, located.
  const doc = parseDocument(normalised, { lineCounter, prettyErrors: false, uniqueKeys: false, logLevel: 'error' });
  const diagnostics: Diagnostic[] = doc.errors.map((e) => {
    const { line, col } = lineCounter.linePos(e.pos[0]);
    // yaml's own words name its API (parseAllDocuments); the user needs to know what to change.
    const message = e.code === 'MULTIPLE_DOCS' ? SECOND_DOCUMENT : withoutQuotedValues(firstLine(e.message));
    return { file, line, col, message };
  });
  /** An explicit tag beyond YAML's core types (`!custom`, `!!binary`, `!!set`) is refused where it stands. */
  const checkTag = (node: Node): void => {
    if (node.tag === undefined || CORE_TAGS.has(node.tag)) return;
    // The node starts at its value; its tag (and perhaps an anchor) stands just before.
    const start = node.range?.[0] ?? 0;
    let bang = normalised.lastIndexOf('!', start);
    while (bang > 0 && normalised[bang - 1] === '!') bang--; // `!!x` starts at its first `!`
    const at = bang >= 0 && /^!\S*(\s+&\S+)?\s*$/.test(normalised.slice(bang, start)) ? bang : start;
    const { line, col } = lineCounter.linePos(at);
    diagnostics.push({ file, line, col, message: unsupportedTag(node.tag) });
  };
  visit(doc, {
    Node(_key, node) {
      checkTag(node);
    },
    Map(_key, map) {
      checkTag(map);
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        if (isScalar(pair.key) && pair.key.type === 'PLAIN' && pair.key.value === '<<') {
          const { line, col } = lineCounter.linePos(pair.key.range?.[0] ?? 0);
          diagnostics.push({ file, line, col, message: MERGE_KEY });
          continue;
        }
        const k = isScalar(pair.key) ? pair.key.value : pair.key;
        if (!seen.has(k)) {
          seen.add(k);
          continue;
        }
        const { line, col } = lineCounter.linePos((pair.key as Node | null)?.range?.[0] ?? 0);
        diagnostics.push({ file, line, col, message: 'Map keys must be unique' });
      }
    },
  });
  return { parsed: { doc, lineCounter, file }, diagnostics };
}

/** The path of the first mapping or list in `value` nested more than `max` deep (`value` itself is at 1). */
function pathDeeperThan(value: unknown, max: number, path: (string | number)[] = []): (string | number)[] | undefined {
  if (value === null || typeof value !== 'object') return undefined;
  if (path.length >= max) return path;
  const entries: [string | number, unknown][] = Array.isArray(value) ? [...value.entries()] : Object.entries(value);
  for (const [key, child] of entries) {
    const deep = pathDeeperThan(child, max, [...path, key]);
    if (deep) return deep;
  }
  return undefined;
}

/**
 * The document as plain data, with alias limits (problems located at the first alias) and nesting limits (located
 * at the first value too deep, aliases resolved).
 */
export function toData(parsed: ParsedYaml): { data: unknown; diagnostics: Diagnostic[] } {
  try {
    const data: unknown = parsed.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    const deep = pathDeeperThan(data, MAX_YAML_DEPTH);
    if (!deep) return { data, diagnostics: [] };
    const message = `nested more than ${MAX_YAML_DEPTH} deep (mappings and lists); a report could not hold it`;
    return { data: undefined, diagnostics: [locator(parsed)(deep, message)] };
  } catch (err) {
    let offset = 0;
    visit(parsed.doc, {
      Alias(_key, node) {
        offset = node.range?.[0] ?? 0;
        return visit.BREAK;
      },
    });
    const { line, col } = parsed.lineCounter.linePos(offset);
    const why = withoutCredentials(err instanceof Error ? firstLine(err.message) : String(err));
    const message = /alias/i.test(why)
      ? `${why} (at most ${MAX_ALIAS_COUNT} alias resolutions; undefined aliases are errors)`
      : why;
    return { data: undefined, diagnostics: [{ file: parsed.file, line, col, message }] };
  }
}

const DATE_TIME = new RegExp(
  '^(\\d{4})-(\\d\\d)-(\\d\\d)[Tt]([01]\\d|2[0-3]):[0-5]\\d:([0-5]\\d|60)(\\.\\d+)?' +
    '([Zz]|[+-]([01]\\d|2[0-3]):[0-5]\\d)$',
);

/** An RFC 3339 date-time (JSON Schema's `format: date-time`) of a day that exists: 2026-02-30 is none. */
export function isDateTime(text: string): boolean {
  const m = DATE_TIME.exec(text);
  if (!m) return false;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day); // Date.UTC would read years 0-99 as 1900-1999
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

// Formats the schemas use, enforced (ajv knows none by itself; strict mode refuses a schema with an unknown one).
const formats = { 'date-time': { type: 'string', validate: isDateTime } } as const;
const withDefaults = new Ajv({
  allErrors: true,
  useDefaults: true,
  strict: true,
  allowUnionTypes: true,
  verbose: true,
  formats,
});
const withoutDefaults = new Ajv({
  allErrors: true,
  useDefaults: false,
  strict: true,
  allowUnionTypes: true,
  verbose: true,
  formats,
});
const compiled = new Map<Ajv, WeakMap<object, ValidateFunction>>();

export function schemaValidator(schema: object, fillDefaults = true): ValidateFunction {
  const ajv = fillDefaults ? withDefaults : withoutDefaults;
  let cache = compiled.get(ajv);
  if (!cache) compiled.set(ajv, (cache = new WeakMap()));
  let validate = cache.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    cache.set(schema, validate);
  }
  return validate;
}

/**
 * Validates `data` (in place, filling defaults unless `fillDefaults` is false) and returns every
 * problem, located in the YAML.
 */
export function validateAgainstSchema(
  data: unknown,
  schema: object,
  parsed: ParsedYaml,
  fillDefaults = true,
): Diagnostic[] {
  const validate = schemaValidator(schema, fillDefaults);
  if (validate(data)) return [];
  const errors = validate.errors ?? [];
  const shown = sortByPosition(dedupe(errors.slice(0, MAX_DIAGNOSTICS).map((e) => toDiagnostic(e, parsed))));
  if (errors.length > MAX_DIAGNOSTICS)
    shown.push({ file: parsed.file, message: `... and ${errors.length - MAX_DIAGNOSTICS} more problem(s)` });
  return shown;
}

/** Position of the value at `path` (or of its key, for unknown-key errors), 1-based. */
export function positionOf(
  parsed: ParsedYaml,
  path: (string | number)[],
  key?: string,
): { line?: number; col?: number } {
  let node: unknown = parsed.doc.contents;
  for (const seg of path) {
    const next = isMap(node) || isSeq(node) ? node.get(seg, true) : undefined;
    if (next === undefined) break;
    node = next;
  }
  let offset: number | undefined;
  if (key !== undefined && isMap(node)) {
    const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && p.key.value === key);
    if (pair && isScalar(pair.key)) offset = pair.key.range?.[0];
  }
  // contents and the values get() returns are YAML nodes
  offset ??= (node as Node | undefined)?.range?.[0];
  if (offset === undefined) return {};
  const { line, col } = parsed.lineCounter.linePos(offset);
  return { line, col };
}

/** Points a later check (e.g. an unknown hook name) at the right line of the YAML it came from. */
export type Locate = (path: (string | number)[], message: string, atKey?: boolean) => Diagnostic;

/** A `Locate` for one parsed file: at the value, or at its key when `atKey` (unknown keys). */
export function locator(parsed: ParsedYaml): Locate {
  return (path, message, atKey) => {
    const last = path[path.length - 1];
    const pos =
      atKey && typeof last === 'string' ? positionOf(parsed, path.slice(0, -1), last) : positionOf(parsed, path);
    return { file: parsed.file, ...pos, path: dottedPath(path), message };
  };
}

export function dottedPath(path: (string | number)[]): string {
  return path.reduce<string>(
    (acc, seg) => (typeof seg === 'number' ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg),
    '',
  );
}

function toDiagnostic(e: ErrorObject, parsed: ParsedYaml): Diagnostic {
  const { path, key, fieldPath, message } = describeSchemaError(e);
  return { file: parsed.file, ...positionOf(parsed, path, key), path: dottedPath(fieldPath) || '(top level)', message };
}

/** Validates data that has no YAML of its own (e.g. inline options), locating problems with `locate`. */
export function validateWithLocator(
  data: unknown,
  schema: object,
  locate: Locate,
  prefix: (string | number)[],
): Diagnostic[] {
  const validate = schemaValidator(schema, false);
  if (validate(data)) return [];
  return dedupe(
    (validate.errors ?? []).map((e) => {
      const { fieldPath, message, key } = describeSchemaError(e);
      return locate([...prefix, ...fieldPath], message, key !== undefined);
    }),
  );
}

/** An ajv error in words: where (value path, key for unknown keys, field path) and what. */
function describeSchemaError(e: ErrorObject): {
  path: (string | number)[];
  key?: string;
  fieldPath: (string | number)[];
  message: string;
} {
  const path = pointerToPath(e.instancePath);
  // A value under a key that names a credential (`credentials: s3cret`) is not shown, whatever it looks like.
  const got = isSecretKey(String(path[path.length - 1] ?? ''))
    ? 'a value (not shown: its key names a credential)'
    : describeValue(e.data);
  let message: string;
  let key: string | undefined;
  let fieldPath = path;
  switch (e.keyword) {
    case 'additionalProperties': {
      key = String(e.params.additionalProperty);
      fieldPath = [...path, key];
      // ajv gives the schema object that has the additionalProperties keyword
      const known = Object.keys((e.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const hint = closest(key, known);
      message = `unknown key${hint ? ` (did you mean "${hint}"?)` : ''}; allowed: ${known.join(', ')}`;
      break;
    }
    case 'required':
      fieldPath = [...path, String(e.params.missingProperty)];
      message = `is required`;
      break;
    case 'enum': {
      // ajv documents allowedValues as the enum array
      const allowed = (e.params.allowedValues as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? closest(e.data, allowed) : undefined;
      message = `must be one of ${allowed.join(', ')}; got ${got}${hint ? ` (did you mean "${hint}"?)` : ''}`;
      break;
    }
    case 'type':
      message = `must be ${String(e.params.type).replace(',', ' or ')}; got ${got}`;
      break;
    case 'pattern':
      message = `must match ${String(e.params.pattern)}; got ${got}`;
      break;
    default:
      message = `${e.message ?? 'is invalid'}; got ${got}`;
  }
  return { path, key, fieldPath, message };
}

function pointerToPath(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

/** A value in a message, in a few words: never a credential, never a long text. */
export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') {
    if (looksLikeCredential(value)) return 'a string that looks like a credential (not shown)';
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  // What is left: numbers, booleans, undefined (YAML gives no symbols or functions).
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : typeof value;
}

function dedupe(ds: Diagnostic[]): Diagnostic[] {
  const seen = new Set<string>();
  return ds.filter((d) => {
    const k = `${d.line}:${d.col}:${d.path}:${d.message}`;
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

export function sortByPosition(ds: Diagnostic[]): Diagnostic[] {
  return [...ds].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

/**
 * The parser quotes the token it choked on, which may be a secret in a broken file: only short
 * punctuation is shown (the location points at the token anyway).
 */
function withoutQuotedValues(message: string): string {
  return message.replace(/"([^"]*)"/g, (quoted, inner: string) =>
    inner.length <= 3 ? quoted : '(a value, not shown)',
  );
}

/** A parser message quotes the token it choked on: never when that token looks like a credential. */
function withoutCredentials(message: string): string {
  const hidden = '(a value that looks like a credential, not shown)';
  return message
    .replace(/"([^"]*)"/g, (quoted, inner: string) => (looksLikeCredential(inner) ? hidden : quoted))
    .replace(/\S+/g, (word) => (looksLikeCredential(word) ? hidden : word));
}

function firstLine(s: string): string {
  // split() always returns at least one element
  const line = s.split('\n')[0]!.trim();
  // The parser recurses once per level: a file nested thousands deep overflows the stack.
  return line === 'Maximum call stack size exceeded' ? 'nested too deeply to be read' : line;
}
