// Parameters from a node's inputs, as kedro-mlflow derives them: every `params:X` input becomes
// param X (and `parameters` whole), optionally flattened, keys sanitised, long values handled by
// the configured strategy.
import { jsonEqual } from '../common/json-difference.ts';
import { LIMITS, pythonLength, pythonSlice } from '../mlflow/limits.ts';
import type { KeyValue } from '../mlflow/wire.ts';
import type { ParamValue } from '../pipeline/types.ts';
import type { TrackingConfig } from './config/load-config.ts';
import { KeyMap } from './keys.ts';
import { pythonStr } from './python-str.ts';

export class LongParamError extends Error {
  constructor(key: string, length: number) {
    super(
      `Parameter '${key}' length is ${length}, while mlflow forces it to be lower than ` +
        `'${LIMITS.paramValueLength}'. Change 'long_params_strategy' to 'tag' or 'truncate' in mlflow.yml to ` +
        `bypass it.`,
    );
    this.name = 'LongParamError';
  }
}

const PARAMS_PREFIX = 'params:';

/** Whether a node input is a parameter (kedro-mlflow): `params:X`, or `parameters` whole. */
export const isParamInput = (input: string): boolean => input === 'parameters' || input.startsWith(PARAMS_PREFIX);

/** The param a parameter input stands for: `params:X` is X, `parameters` is itself. */
export const paramKeyOf = (input: string): string =>
  input === 'parameters' ? input : input.slice(PARAMS_PREFIX.length);

export function paramValueString(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

/** kedro-mlflow's _flatten_dict: nested keys joined by `sep`; only one level unless recursive. */
export function flattenDict(
  d: Record<string, unknown>,
  recursive: boolean,
  sep: string,
  prefix = '',
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d)) {
    const key = prefix ? `${prefix}${sep}${k}` : k;
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && (recursive || !prefix))
      // a plain object: checked on the line above
      Object.assign(out, flattenDict(v as Record<string, unknown>, recursive, sep, key));
    else out[key] = v;
  }
  return out;
}

/**
 * The params (and, with strategy `tag`, tags) one node's inputs produce. Throws LongParamError for `fail`.
 * `keys` sanitises keys for the whole run, so keys from different nodes never merge.
 */
export function paramsFromInputs(
  inputs: Record<string, unknown>,
  config: TrackingConfig['tracking']['params'],
  keys: KeyMap = new KeyMap(),
): { params: KeyValue[]; tags: KeyValue[] } {
  const params: KeyValue[] = [];
  const tags: KeyValue[] = [];
  paramLeaves(inputs, config.dict_params).forEach((value, rawKey) => {
    placeParam(keys.sent(rawKey), paramValueString(value), config.long_params_strategy, params, tags);
  });
  return { params, tags };
}

/** The params one node's inputs hold, by key before sanitising: `params:X` as X, dicts flattened if configured. */
export function paramLeaves(
  inputs: Record<string, unknown>,
  dictParams: TrackingConfig['tracking']['params']['dict_params'],
): Map<string, unknown> {
  // A Map, not an object: each node's param names are new, and an object given new property names
  // makes V8 build (and keep) a hidden class per name, which cost more than the rest of the hook.
  // Loops without entry arrays or destructuring: a trial's code runs mostly unoptimised (50 calls).
  const found = new Map<string, unknown>();
  for (const name in inputs) {
    if (isParamInput(name)) found.set(paramKeyOf(name), inputs[name]);
  }
  if (!dictParams.flatten) return found;
  return new Map(Object.entries(flattenDict(Object.fromEntries(found), dictParams.recursive, dictParams.sep)));
}

/** Puts one param where the long-value strategy says: a param, a tag, cut, or LongParamError (`fail`). */
export function placeParam(
  key: string,
  text: string,
  strategy: TrackingConfig['tracking']['params']['long_params_strategy'],
  params: KeyValue[],
  tags: KeyValue[],
): void {
  // MLflow counts a value's length in code points (Python's len)
  if (!isLongParam(text)) params.push({ key, value: text });
  else if (strategy === 'fail') throw new LongParamError(key, pythonLength(text));
  else if (strategy === 'tag') tags.push({ key, value: text });
  else params.push({ key, value: pythonSlice(text, LIMITS.paramValueLength) });
}

/** Whether a param's text is longer than MLflow keeps (6000 code points). */
export function isLongParam(text: string): boolean {
  return text.length > LIMITS.paramValueLength && pythonLength(text) > LIMITS.paramValueLength;
}

/**
 * Whether a logged text is the value. Python's str() (kedro-mlflow) and JSON (JS hooks) both count: a mapping or
 * list in either notation, true as `true` or `True`, null as `null` or `None`. Numbers by value (Python writes 1e-07
 * for 1e-7), but an integer must stay an integer (`42`, never `42.0`): Python's json/YAML keep it an int and its
 * str() has no fraction, so a fraction is the hook's own formatting.
 */
export function sameValue(v: ParamValue, text: string): boolean {
  if (typeof v === 'string') return text === v;
  if (typeof v === 'boolean') return text === String(v) || text === (v ? 'True' : 'False');
  if (v === null) return text === 'null' || text === 'None';
  if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && !/^-?\d+$/.test(text)) return false;
    return text.trim() !== '' && Number(text) === v;
  }
  if (text === pythonStr(v)) return true;
  // Python's str() of a value read otherwise (`2.0` stays a float in Python, an int here): read back as JSON
  for (const candidate of [text, pythonReprToJson(text)]) {
    try {
      if (jsonEqual(JSON.parse(candidate), v)) return true;
    } catch {
      // not this encoding
    }
  }
  return false;
}

function pythonReprToJson(text: string): string {
  return text
    .replace(/'/g, '"')
    .replace(/\bTrue\b/g, 'true')
    .replace(/\bFalse\b/g, 'false')
    .replace(/\bNone\b/g, 'null');
}
