// Parameters from a node's inputs, as kedro-mlflow derives them: every `params:X` input becomes
// param X (and `parameters` whole), optionally flattened, keys sanitised, long values handled by
// the configured strategy.
import { LIMITS } from '../mlflow/limits.ts';
import type { KeyValue } from '../mlflow/wire.ts';
import type { TrackingConfig } from './config/load-config.ts';
import { KeyMap } from './keys.ts';

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
  // A Map, not an object: each node's param names are new, and an object given new property names
  // makes V8 build (and keep) a hidden class per name, which cost more than the rest of the hook.
  // Loops without entry arrays or destructuring: a trial's code runs mostly unoptimised (50 calls).
  let found = new Map<string, unknown>();
  for (const name in inputs) {
    if (isParamInput(name)) found.set(paramKeyOf(name), inputs[name]);
  }
  if (config.dict_params.flatten) {
    const flat = flattenDict(Object.fromEntries(found), config.dict_params.recursive, config.dict_params.sep);
    found = new Map(Object.entries(flat));
  }
  const params: KeyValue[] = [];
  const tags: KeyValue[] = [];
  found.forEach((value, rawKey) => {
    placeParam(keys.sent(rawKey), paramValueString(value), config.long_params_strategy, params, tags);
  });
  return { params, tags };
}

/** Puts one param where the long-value strategy says: a param, a tag, cut, or LongParamError (`fail`). */
export function placeParam(
  key: string,
  text: string,
  strategy: TrackingConfig['tracking']['params']['long_params_strategy'],
  params: KeyValue[],
  tags: KeyValue[],
): void {
  if (text.length <= LIMITS.paramValueLength) params.push({ key, value: text });
  else if (strategy === 'fail') throw new LongParamError(key, text.length);
  else if (strategy === 'tag') tags.push({ key, value: text });
  else params.push({ key, value: text.slice(0, LIMITS.paramValueLength) });
}
