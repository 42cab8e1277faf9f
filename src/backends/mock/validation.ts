// MLflow's request validation, with its exact messages (mlflow/utils/validation.py and
// mlflow/server/handlers.py of MLflow 3.17). The contract suite checks these against the real server.
import { LIMITS, keyCharactersValid, keyTooLong, normpath, pathNotUnique, pythonSlice } from '../../mlflow/limits.ts';
import type { Metric } from '../../mlflow/wire.ts';
import { pyFloat } from './py-float.ts';

/** An MLflow error as the server raises it; the handlers turn it into an HTTP answer. */
export class MockMlflowError extends Error {
  constructor(
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

const API_DOCS = ' See the API docs for more information about request parameters.';

export const invalid = (message: string): MockMlflowError => new MockMlflowError('INVALID_PARAMETER_VALUE', message);
export const notFound = (message: string): MockMlflowError => new MockMlflowError('RESOURCE_DOES_NOT_EXIST', message);

/** The value as MLflow quotes it in an error message: json.dumps(value, sort_keys=True, separators=(",", ":"))
 * (utils/validation.py invalid_value), non-ASCII escaped. Numbers print as JavaScript does (5.0 reads 5). */
function pyJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pyJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const fields = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${fields.map(([k, v]) => `${pyJson(k)}:${pyJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'string') {
    return JSON.stringify(value).replace(
      /[\u007f-\uffff]/g,
      (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
    );
  }
  return JSON.stringify(value) ?? 'null';
}

export function missingValue(path: string): MockMlflowError {
  return invalid(`Missing value for required parameter '${path}'.${API_DOCS}`);
}

export function invalidValue(path: string, value: unknown, message?: string): MockMlflowError {
  return invalid(`Invalid value ${pyJson(value)} for parameter '${path}' supplied${message ? `: ${message}` : '.'}`);
}

/** handlers.py _assert_required: absent and empty strings are both missing. */
export function required(body: Record<string, unknown>, field: string, path = field): unknown {
  const v = body[field];
  if (v === undefined || v === null || v === '') throw missingValue(path);
  return v;
}

export function requiredString(body: Record<string, unknown>, field: string): string {
  return String(required(body, field));
}

/** required() for a field of the `index`th item of `list`: the path (`list[index].field`) is built only for
 * the error. */
export function requiredItem(body: Record<string, unknown>, list: string, index: number, field: string): unknown {
  const v = body[field];
  if (v === undefined || v === null || v === '') throw missingValue(fieldPath(list, index, field));
  return v;
}

function badCharacters(): string {
  return (
    'Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), spaces ( ), colon(:) and ' +
    'slashes (/).'
  );
}

function badPath(name: string): string {
  return (
    `Names may be treated as files in certain cases, and must not resolve to other names when treated as ` +
    `such. This name would resolve to '${normpath(name)}'`
  );
}

/** A field's path in an error message: `field` for a top-level field (index -1), else `list[index].field`.
 * Built only for an error: a batch's items are checked without a string each. */
function fieldPath(list: string, index: number, field: string): string {
  return index < 0 ? field : `${list}[${index}].${field}`;
}

/** The name of a top-level field (index -1) or of an item of `list` at `index`, as MLflow checks it. */
export function validateName(name: string, list: string, index: number, field: string): void {
  if (!keyCharactersValid(name)) throw invalidValue(fieldPath(list, index, field), name, badCharacters());
  if (pathNotUnique(name)) throw invalidValue(fieldPath(list, index, field), name, badPath(name));
}

function lengthLimit(entity: string, limit: number): MockMlflowError {
  return invalid(`'${entity}' exceeds the maximum length of ${limit} characters`);
}

/** A metric, top-level (index -1) or the `index`th of a batch's `metrics`. */
export function validateMetric(m: Metric, index = -1): void {
  validateName(m.key, 'metrics', index, 'name');
  if (typeof m.value !== 'number') {
    throw invalidValue(
      fieldPath('metrics', index, 'value'),
      m.value,
      `(timestamp=${m.timestamp}). Please specify value as a valid double (64-bit floating point)`,
    );
  }
  if (keyTooLong(m.key)) throw lengthLimit('Metric name', LIMITS.keyLength);
}

/** Returns the value as stored: over-long values are silently truncated (MLFLOW_TRUNCATE_LONG_VALUES). */
export function validateParam(key: string, value: string, index = -1): string {
  validateName(key, 'params', index, 'key');
  if (keyTooLong(key)) throw lengthLimit('Param key', LIMITS.keyLength);
  return pythonSlice(value, LIMITS.paramValueLength);
}

export function validateTag(key: string, value: string, index = -1): string {
  validateName(key, 'tags', index, 'key');
  if (keyTooLong(key)) throw lengthLimit(fieldPath('tags', index, 'key'), LIMITS.keyLength);
  return pythonSlice(value, LIMITS.tagValueLength);
}

export function validateBatchLimits(metrics: number, params: number, tags: number): void {
  const over = (what: string, limit: number, got: number): MockMlflowError =>
    invalid(
      `A batch logging request can contain at most ${limit} ${what}. Got ${got} ${what}. Please split up ${what} ` +
        `across multiple requests and try again.`,
    );
  if (metrics > LIMITS.metricsPerBatch) throw over('metrics', LIMITS.metricsPerBatch, metrics);
  if (params > LIMITS.paramsPerBatch) throw over('params', LIMITS.paramsPerBatch, params);
  if (tags > LIMITS.tagsPerBatch) throw over('tags', LIMITS.tagsPerBatch, tags);
  const total = metrics + params + tags;
  if (total > LIMITS.itemsPerBatch) throw over('metrics, params, and tags', LIMITS.itemsPerBatch, total);
}

export function validateRunId(runId: string): void {
  if (!/^[a-zA-Z0-9][\w-]{0,255}$/.test(runId)) throw invalidValue('run_id', runId);
}

/** handlers.py _assert_floatlike: float(value) in Python reads it ("NaN", "Infinity", "-inf", "1_5", true too). */
export function parseDouble(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return Number(v);
  if (typeof v === 'string') {
    const n = pyFloat(v);
    if (n !== undefined) return n;
    throw invalid(
      `Invalid value ${pyJson(v)} for parameter '${path}' supplied:  Hint: Value was of type 'str'.${API_DOCS}`,
    );
  }
  throw wrongType(v, path);
}

/** A field of the wrong JSON type, as handlers.py's _assert_* checks report it. */
function wrongType(v: unknown, path: string): MockMlflowError {
  return invalid(
    `Invalid value ${pyJson(v)} for parameter '${path}' supplied:  Hint: Value was of type '${pyType(v)}'.${API_DOCS}`,
  );
}

/** handlers.py _assert_array: an absent field passes. */
export function assertArray(body: Record<string, unknown>, field: string): void {
  const v = body[field];
  if (v !== undefined && !Array.isArray(v)) throw wrongType(v, field);
}

/** handlers.py _assert_string: an absent field passes, a null fails. */
export function assertString(body: Record<string, unknown>, field: string): void {
  const v = body[field];
  if (v !== undefined && typeof v !== 'string') throw wrongType(v, field);
}

export function parseInt64(v: unknown, path: string): number {
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return Number(v);
  throw wrongType(v, path);
}

function pyType(v: unknown): string {
  if (typeof v === 'string') return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return Number.isInteger(v) ? 'int' : 'float';
  if (Array.isArray(v)) return 'list';
  if (v === null) return 'NoneType';
  return 'dict';
}
