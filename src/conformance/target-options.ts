// A target's options from the command line: `--option key=value` (repeatable) and `--config <mlflow.yml>`,
// in the shape tracking hooks take (`{mlflow: <mlflow.yml keys>}`), checked against mlflow.yml's schema.
import { existsSync } from 'node:fs';
import { BUILTIN_OBJECT_KEYS } from '../common/object-keys.ts';
import { quotedInput } from '../common/terminal-text.ts';
import { InputError } from '../errors.ts';
import { loadTrackingConfig, readMlflowYaml } from '../tracking/config/load-config.ts';

/** Short names for the settings conformance checks depend on, and where they live in mlflow.yml. */
const SHORT: Record<string, string> = {
  childRunPerNode: 'trackbench.childRunPerNode',
  long_params_strategy: 'tracking.params.long_params_strategy',
  flatten: 'tracking.params.dict_params.flatten',
  recursive: 'tracking.params.dict_params.recursive',
  sep: 'tracking.params.dict_params.sep',
  experiment: 'tracking.experiment.name',
};
const TRACKBENCH_KEYS = ['batching', 'async', 'queueBound', 'flushIntervalMs', 'spillDir', 'parallelRuns'];

function scalar(text: string): unknown {
  if (text === 'true') return true;
  if (text === 'false') return false;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  return text;
}

function setPath(into: Record<string, unknown>, path: string[], value: unknown): void {
  let at = into;
  for (const k of path.slice(0, -1)) {
    const next = at[k];
    const child: Record<string, unknown> = next && typeof next === 'object' && !Array.isArray(next) ? { ...next } : {};
    at[k] = child;
    at = child;
  }
  at[path[path.length - 1]!] = value;
}

/** Sets each `key=value` (a short name or an mlflow.yml path) in an mlflow.yml mapping. */
function applyPairs(mlflow: Record<string, unknown>, pairs: string[]): void {
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw InputError.flag('--option', `${quotedInput(pair)}: expected key=value`);
    const key = pair.slice(0, eq);
    // Own names only: SHORT['constructor'] is Object, not a path (it failed as "path.split is not a function").
    const short = Object.hasOwn(SHORT, key) ? SHORT[key] : undefined;
    const path = short ?? (TRACKBENCH_KEYS.includes(key) ? `trackbench.${key}` : key.replace(/^mlflow\./, ''));
    // `__proto__.x=1` set the options' prototype and was then refused as an unknown key "x": named as given.
    const builtin = path.split('.').find((part) => BUILTIN_OBJECT_KEYS.has(part));
    if (builtin !== undefined)
      throw InputError.flag('--option', `${quotedInput(pair)}: "${builtin}" is the name of a built-in object property`);
    setPath(mlflow, path.split('.'), scalar(pair.slice(eq + 1)));
  }
}

/** A target's options with settings put over them (a config mode); the options are not changed. */
export function withPairs(options: Record<string, unknown>, pairs: string[]): Record<string, unknown> {
  const mlflow = structuredClone((options.mlflow ?? {}) as Record<string, unknown>);
  applyPairs(mlflow, pairs);
  return { ...options, mlflow };
}

/** Whether the options set an mlflow.yml key at this dotted path (or under it). */
export function setsPath(options: Record<string, unknown>, path: string): boolean {
  let at: unknown = options.mlflow;
  for (const k of path.split('.')) {
    if (!at || typeof at !== 'object' || !(k in at)) return false;
    at = (at as Record<string, unknown>)[k];
  }
  return true;
}

/** `--config` first, `--option`s over it; the result is validated as an mlflow.yml. */
export function targetOptions(pairs: string[] = [], configFile?: string): Record<string, unknown> {
  const mlflow: Record<string, unknown> = {};
  if (configFile) {
    if (!existsSync(configFile)) throw InputError.flag('--config', `${configFile}: no such file`);
    // Checked alone first, as a Kedro conf folder's would be: problems at file:line:col.
    Object.assign(mlflow, structuredClone(readMlflowYaml(configFile).data));
  }
  applyPairs(mlflow, pairs);
  if (!configFile && !pairs.length) return {};
  try {
    // The file passed on its own: what is wrong now was set by an --option.
    loadTrackingConfig({
      inline: mlflow,
      locate: (path, message) => ({ file: '--option', path: path.join('.'), message }),
    });
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw InputError.flag('--option', err instanceof Error ? err.message : String(err));
  }
  return { mlflow };
}
