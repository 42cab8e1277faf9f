// Reading a spill file strictly: every line must be a known record of the right shape, or the file
// is refused as bad input naming file:line (nothing is sent from a file that is not understood).
import { MAX_JSON_INPUT_BYTES, readInput } from '../../common/read-input.ts';
import { InputError, type Diagnostic } from '../../errors.ts';
import { parseWireJson, RUN_STATUSES } from '../../mlflow/wire.ts';
import { SPILL_RECORD_TYPES, type SpillRecord } from './spill.ts';

export interface SpillLine {
  line: number;
  /** The record's own id, or `line:<n>` for files written before records had ids. */
  id: string;
  record: SpillRecord;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === 'object' && !Array.isArray(v);
const isStr = (v: unknown): v is string => typeof v === 'string';
/** What a wrong value is, without showing a string (it may hold a secret). */
function kindOf(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v === undefined) return 'nothing';
  return v === null ? 'null' : Array.isArray(v) ? 'a list' : `a ${typeof v}`;
}

/**
 * What is wrong with the first bad item of `field`: {key, value} strings, or metric values (a number, the
 * spellings of NaN and the infinities read as numbers already, integer timestamp and step). A value of another
 * type was sent as it was: logged as a tag by a lenient server, or refused and journalled as never to be sent.
 */
function itemsProblem(r: Obj, field: string, metric: boolean): string | undefined {
  const items = r[field];
  if (!Array.isArray(items)) return `"${field}" must be a list of {key, value${metric ? ', timestamp, step' : ''}}`;
  for (const [i, x] of items.entries()) {
    const at = `"${field}[${i}]`;
    if (!isObj(x) || !isStr(x.key)) return `${at}" must be an object with a string "key"`;
    if (!metric && !isStr(x.value)) return `${at}.value" must be a string; got ${kindOf(x.value)}`;
    if (!metric) continue;
    if (typeof x.value !== 'number') return `${at}.value" must be a number; got ${kindOf(x.value)}`;
    for (const k of ['timestamp', 'step'])
      if (!Number.isSafeInteger(x[k])) return `${at}.${k}" must be an integer; got ${kindOf(x[k])}`;
  }
  return undefined;
}

/** What is wrong with a parsed line as a spill record, or undefined. */
function shapeProblem(r: Obj): string | undefined {
  if (!isStr(r.type)) return 'no "type"';
  if (!(SPILL_RECORD_TYPES as readonly string[]).includes(r.type))
    return `unknown record type "${r.type.slice(0, 40)}" (known: ${SPILL_RECORD_TYPES.join(', ')})`;
  if (!isStr(r.run)) return 'no "run"';
  if (r.id !== undefined && !isStr(r.id)) return '"id" must be a string';
  switch (r.type) {
    case 'run':
      if (!isStr(r.experimentName) || !isStr(r.runName)) return 'a run record needs "experimentName" and "runName"';
      if (r.runId !== null && !isStr(r.runId)) return '"runId" must be a string or null';
      // MLflow refuses an experiment without a name: a run still to be made could never be.
      if (r.runId === null && !r.experimentName) return '"experimentName" is empty (the run is still to be made)';
      if (r.parentRun !== undefined && !isStr(r.parentRun)) return '"parentRun" must be a string';
      if (r.maybeCreatedAt !== undefined && !Number.isSafeInteger(r.maybeCreatedAt))
        return '"maybeCreatedAt" must be an integer (milliseconds)';
      return itemsProblem(r, 'tags', false);
    case 'params':
    case 'tags':
      return itemsProblem(r, 'items', false);
    case 'metrics':
      return itemsProblem(r, 'items', true);
    case 'artifact':
    case 'model':
      if (!isStr(r.path) || !isStr(r.base64)) return `a ${r.type} record needs "path" and "base64"`;
      {
        const problem = artifactPathProblem(r.path) ?? base64Problem(r.base64);
        if (problem) return problem;
      }
      return r.type === 'model' && !isStr(r.name) ? 'a model record needs "name"' : undefined;
    case 'end':
      if (!(RUN_STATUSES as readonly unknown[]).includes(r.status))
        return `"status" must be one of ${RUN_STATUSES.join(', ')}`;
      return Number.isSafeInteger(r.endTime) ? undefined : '"endTime" must be an integer';
  }
  return undefined;
}

/** A path inside the run's artifact folder: relative, no `.`/`..` or empty segments (they would reach other
 * runs' files, or other endpoints, once joined into the upload URL). */
function artifactPathProblem(path: string): string | undefined {
  const segments = path.split('/');
  if (path.startsWith('/') || segments.some((s) => s === '' || s === '.' || s === '..') || path.includes('\\'))
    return (
      `"path" must be a relative path inside the run's artifacts (no "..", "." or empty parts); ` +
      `got ${JSON.stringify(path.slice(0, 80))}`
    );
  return undefined;
}

/** Base64 as Buffer.from would read it in full (Node skips what it cannot read, silently). */
function base64Problem(text: string): string | undefined {
  return /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0 ? undefined : '"base64" is not base64';
}

/**
 * The records of a spill file, checked. A last line that is not JSON and has no line end after it was cut short
 * while being written (the hook's process killed, its disk full): the records before it are whole, so it is left
 * out and said (`cutShort`, its line number), not the whole file refused.
 */
export function readSpillFile(file: string, cutShort: (line: number) => void = () => {}): SpillLine[] {
  // without a byte-order mark some editors add, as every JSON input is read (read-json.ts)
  const text = readInput(file, MAX_JSON_INPUT_BYTES).replace(/^\uFEFF/, '');
  const out: SpillLine[] = [];
  const problems: Diagnostic[] = [];
  const runs = new Set<string>();
  // The journal keys what was delivered by id: a second record with an id would be skipped as delivered.
  const idLines = new Map<string, number>();
  const segments = text.split(/\r\n|\n|\r/);
  segments.forEach((raw, i) => {
    if (!raw.trim()) return;
    const line = i + 1;
    const bad = (message: string): void => void problems.push({ file, line, col: 1, message });
    let parsed: unknown;
    try {
      parsed = parseWireJson(raw);
    } catch {
      // the last segment is a line only if no line end follows it: then it was being written when writing stopped
      if (i === segments.length - 1) return cutShort(line);
      return bad('not a trackbench spill record: not JSON');
    }
    if (!isObj(parsed)) return bad('not a trackbench spill record: not a JSON object');
    const why = shapeProblem(parsed);
    if (why) return bad(`not a trackbench spill record: ${why}`);
    const record = parsed as SpillRecord;
    if (record.type === 'run') runs.add(record.run);
    else if (!runs.has(record.run)) return bad(`values for run "${record.run}" come before any record of that run`);
    const id = record.id ?? `line:${line}`;
    const first = idLines.get(id);
    if (first !== undefined) return bad(`the record id "${id.slice(0, 40)}" is line ${first}'s too; each has its own`);
    idLines.set(id, line);
    out.push({ line, id, record });
  });
  if (problems.length) throw new InputError(problems.slice(0, 20));
  return out;
}
