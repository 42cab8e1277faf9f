// MLflow's server-side limits (mlflow/utils/validation.py, checked against mlflow server 3.17.2).
// The mock enforces them; hooks pack batches by them.

export const LIMITS = {
  paramsPerBatch: 100,
  tagsPerBatch: 100,
  metricsPerBatch: 1000,
  itemsPerBatch: 1000,
  paramValueLength: 6000,
  tagValueLength: 8000,
  keyLength: 250,
  experimentNameLength: 500,
} as const;

/**
 * Keys MLflow accepts (POSIX servers also accept ':'). Its `\w` is Python's: any letter or number of any script
 * (`café`, `参数`, `²`), not a combining mark or a symbol (`😀`). ASCII_KEY is the same rule for ASCII, quicker.
 */
const KEY_PATTERN = /^[/\p{L}\p{N}_.\- :]*$/u;
const ASCII_KEY = /^[/\w.\- :]*$/;

/** Whether MLflow takes every character of `key` (its length and path checked apart). */
export const keyCharactersValid = (key: string): boolean => ASCII_KEY.test(key) || KEY_PATTERN.test(key);

/** Whether `key` is longer than MLflow's limit on keys (counted in code points). */
export const keyTooLong = (key: string): boolean =>
  key.length > LIMITS.keyLength && pythonLength(key) > LIMITS.keyLength;

/** How long MLflow (Python) says a text is: in code points, not UTF-16 units (an emoji is 1, not 2). */
export function pythonLength(text: string): number {
  let n = text.length;
  for (let i = 0; i < text.length - 1; i++) {
    const c = text.charCodeAt(i);
    const d = text.charCodeAt(i + 1);
    // a high surrogate followed by a low one is one code point
    if (c >= 0xd800 && c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
      n--;
      i++;
    }
  }
  return n;
}

/** text[:n] in Python: the first `n` code points (never half of one), as MLflow cuts long values. */
export function pythonSlice(text: string, n: number): string {
  if (text.length <= n || pythonLength(text) <= n) return text;
  return Array.from(text).slice(0, n).join('');
}

/** posixpath.normpath, for MLflow's "names must not resolve to other names" rule. */
export function normpath(path: string): string {
  if (path === '') return '.';
  const absolute = path.startsWith('/');
  // POSIX keeps exactly two leading slashes; three or more collapse to one.
  const lead = absolute ? (path.startsWith('//') && !path.startsWith('///') ? '//' : '/') : '';
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && parts.length && parts[parts.length - 1] !== '..') parts.pop();
    else if (part === '..' && absolute) continue;
    else parts.push(part);
  }
  return lead + parts.join('/') || lead || '.';
}

/** MLflow's path_not_unique: a key that would name another file when used as a path. */
export function pathNotUnique(key: string): boolean {
  // Without a slash, normpath changes only '' (to '.'); what is left is '.' or a leading '..'.
  if (!key.includes('/')) return key === '' || key === '.' || key.startsWith('..');
  const norm = normpath(key);
  return norm !== key || norm === '.' || norm.startsWith('..') || norm.startsWith('/');
}

/** Why MLflow would reject this key, or undefined if it is fine (checked before sending). */
export function keyProblem(key: string): string | undefined {
  if (!keyCharactersValid(key)) return 'bad characters';
  if (pathNotUnique(key)) return 'resolves to another name as a path';
  if (keyTooLong(key)) return `longer than ${LIMITS.keyLength} characters`;
  return undefined;
}

/** MLflow's own key sanitising, as kedro-mlflow applies it: characters outside the pattern become '_' (one for
 * each code point, as Python's re.sub replaces them). */
export function sanitiseKey(key: string): string {
  return ASCII_KEY.test(key) ? key : key.replace(/[^/\p{L}\p{N}_.\- :]/gu, '_');
}

/** Why MLflow would reject this metric, or undefined (NaN and the infinities are doubles it takes). */
export function metricProblem(m: {
  key: string;
  value: unknown;
  timestamp: unknown;
  step: unknown;
}): string | undefined {
  const key = keyProblem(m.key);
  if (key) return `key ${key}`;
  if (typeof m.value !== 'number') return 'value is not a number';
  if (!Number.isSafeInteger(m.timestamp)) return 'timestamp is not an integer';
  if (!Number.isSafeInteger(m.step)) return 'step is not an integer';
  return undefined;
}

/** Why MLflow would reject this param or tag, or undefined (over-long values are truncated, not refused). */
export function keyValueProblem(kv: { key: string; value: unknown }): string | undefined {
  const key = keyProblem(kv.key);
  if (key) return `key ${key}`;
  if (typeof kv.value !== 'string') return 'value is not a string';
  return undefined;
}

/** MLflow's SQL store keeps NaN (an is_nan flag) but not the infinities: they are stored, and read back, as
 * the largest finite doubles (sqlalchemy_store.py sanitize_metric_value). */
export function storedMetricValue(v: number): number {
  if (v === Infinity) return Number.MAX_VALUE;
  return v === -Infinity ? -Number.MAX_VALUE : v;
}
