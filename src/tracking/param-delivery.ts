// Whether the parameters a pipeline run produced reached MLflow as a correct hook sends them under its
// settings (kedro-mlflow's rules, as paramsFromInputs applies them): the expected key holding the expected
// value, as a param or (a long value under `tag`) a tag. Read from the server, never from the hook's word.
import { LIMITS, pythonLength, pythonSlice, sanitiseKey } from '../mlflow/limits.ts';
import type { KeyValue } from '../mlflow/wire.ts';
import type { ParamValue } from '../pipeline/types.ts';
import type { TrackingConfig } from './config/load-config.ts';
import { KeyMap } from './keys.ts';
import { LongParamError, paramLeaves, paramValueString, placeParam, sameValue } from './params.ts';
import { pythonStr } from './python-str.ts';

export type ParamSettings = TrackingConfig['tracking']['params'];

/**
 * kedro-mlflow's settings a hook whose own trackbench does not know may use (an external plugin, a module
 * hook without `mlflow`/`conf` options): dicts whole or flattened with `.` (recursively or one level), long
 * values as tags or cut. A param counts as delivered when it reached MLflow as one of these sends it.
 */
export const ANY_PARAM_SETTINGS: readonly ParamSettings[] = [false, true].flatMap((flatten) =>
  (flatten ? [true, false] : [true]).flatMap((recursive) =>
    (['tag', 'truncate'] as const).map((long_params_strategy) => ({
      dict_params: { flatten, recursive, sep: '.' },
      long_params_strategy,
    })),
  ),
);

/** The texts logged under each key, over a pipeline run's MLflow runs. */
export interface LoggedValues {
  params: ReadonlyMap<string, readonly string[]>;
  tags: ReadonlyMap<string, readonly string[]>;
}

export function loggedValues(runs: readonly { params?: KeyValue[]; tags?: KeyValue[] }[]): LoggedValues {
  const collect = (kvs: KeyValue[]): Map<string, string[]> => {
    const out = new Map<string, string[]>();
    for (const kv of kvs) {
      const texts = out.get(kv.key);
      if (texts) texts.push(kv.value);
      else out.set(kv.key, [kv.value]);
    }
    return out;
  };
  return { params: collect(runs.flatMap((r) => r.params ?? [])), tags: collect(runs.flatMap((r) => r.tags ?? [])) };
}

/**
 * How many of `produced` (each `params:` input a run read, in the order read, with its value) reached MLflow
 * as a correct hook sends them under `settings` (each param under any one of them). The key is matched as the
 * reference hook sends it (KeyMap: sanitised, a hash added on a collision) or as kedro-mlflow does (sanitised);
 * the value exactly as sent, or as the same value in Python's str() (sameValue), or as a Python plugin sends it
 * (str() of the value, placed and cut by its length in code points).
 */
export function paramsDelivered(
  produced: readonly (readonly [string, ParamValue])[],
  settings: readonly ParamSettings[],
  logged: LoggedValues,
): number {
  // One key map per setting, shown every param in order, as a hook's is over its run.
  const keyMaps = settings.map(() => new KeyMap());
  let found = 0;
  for (const [input, value] of produced) {
    const seen = settings.map((s, i) => sentAsExpected(input, value, s, keyMaps[i]!, logged));
    if (seen.includes(true)) found++;
  }
  return found;
}

/** Whether every key one param becomes under `s` holds its value (none: an empty dict flattened to nothing). */
function sentAsExpected(
  input: string,
  value: ParamValue,
  s: ParamSettings,
  keys: KeyMap,
  logged: LoggedValues,
): boolean {
  let all = true;
  paramLeaves({ [input]: value }, s.dict_params).forEach((leaf, rawKey) => {
    // a leaf of a parameter value is a parameter value
    const v = leaf as ParamValue;
    if (!sentAsJavaScript(rawKey, v, s, keys, logged) && !sentAsPython(rawKey, v, s, logged)) all = false;
  });
  return all;
}

/** As paramsFromInputs sends it: the value's text (JSON for dicts), cut or made a tag past 6000 code points. */
function sentAsJavaScript(
  rawKey: string,
  v: ParamValue,
  s: ParamSettings,
  keys: KeyMap,
  logged: LoggedValues,
): boolean {
  const params: KeyValue[] = [];
  const tags: KeyValue[] = [];
  const text = paramValueString(v);
  try {
    placeParam(keys.sent(rawKey), text, s.long_params_strategy, params, tags);
  } catch (err) {
    if (!(err instanceof LongParamError)) throw err;
    return false; // `fail`: a correct hook sends nothing and fails the run
  }
  const sent = (params[0] ?? tags[0])!; // placeParam put it in one of them
  const where = params.length ? logged.params : logged.tags;
  const texts = [...(where.get(sent.key) ?? []), ...(where.get(sanitiseKey(rawKey)) ?? [])];
  const cut = sent.value !== text;
  return texts.some((t) => t === sent.value || (!cut && sameValue(v, t)));
}

/**
 * As kedro-mlflow sends it: str() of the value, its length counted in code points; past 6000 a tag holding it
 * whole (`tag`) or a param holding its first 6000 code points (`truncate`).
 */
function sentAsPython(rawKey: string, v: ParamValue, s: ParamSettings, logged: LoggedValues): boolean {
  const text = pythonStr(v);
  const long = pythonLength(text) > LIMITS.paramValueLength;
  if (long && s.long_params_strategy === 'fail') return false;
  const where = long && s.long_params_strategy === 'tag' ? logged.tags : logged.params;
  const expected = long && s.long_params_strategy === 'truncate' ? pythonSlice(text, LIMITS.paramValueLength) : text;
  return (where.get(sanitiseKey(rawKey)) ?? []).includes(expected);
}
