// The tracking configuration: kedro-mlflow's mlflow.yml keys and defaults (conf/base/mlflow.yml,
// overridden by conf/local/mlflow.yml) plus a `trackbench:` section, or the same inline in a scenario.
// Unknown keys are errors with file:line:col; `${env:NAME}` is interpolated; literal secrets are refused.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { InputError, type Diagnostic } from '../../errors.ts';
import { readYamlInput } from '../../common/read-input.ts';
import { fillDefaults } from '../../common/schema-defaults.ts';
import { isSecretKey } from '../../common/secrets.ts';
import { redact } from '../../mlflow/auth.ts';
import {
  dottedPath,
  jsonObject,
  locator,
  parseYaml,
  sortByPosition,
  toData,
  validateAgainstSchema,
  validateWithLocator,
  type Locate,
} from '../../common/validate-yaml.ts';

const require = createRequire(import.meta.url);
export const mlflowConfigSchema = jsonObject(require('./mlflow-config.schema.json'), 'the mlflow.yml schema');

export type LongParamsStrategy = 'fail' | 'tag' | 'truncate';

/** The resolved configuration, every default filled in (shape of mlflow.yml). */
export interface TrackingConfig {
  server: { mlflow_tracking_uri: string | null; mlflow_registry_uri: string | null };
  tracking: {
    disable_tracking: { disable_autologging: boolean; pipelines: string[] };
    experiment: {
      name: string | null;
      create_experiment_kwargs: { artifact_location: string | null; tags: Record<string, string> | null };
      restore_if_deleted: boolean;
    };
    run: { id: string | null; name: string | null; nested: boolean };
    params: {
      dict_params: { flatten: boolean; recursive: boolean; sep: string };
      long_params_strategy: LongParamsStrategy;
    };
  };
  trackbench: {
    batching: boolean;
    async: boolean;
    queueBound: number;
    flushIntervalMs: number;
    /** `count`: no clock decides what a request holds (flushIntervalMs ignored); for counted trials. */
    flush: 'timer' | 'count';
    childRunPerNode: boolean;
    /** Child runs delivered side by side at most. */
    parallelRuns: number;
    spillDir: string | null;
    outage: { drainMs: number; probeMinMs: number; probeMaxMs: number };
    retry: { maxRetries: number; backoffFactor: number; backoffJitter: number; timeout: number };
  };
}

type Json = Record<string, unknown>;

/** Values that are credentials whatever their key: HTTP auth schemes. */
const SECRET_VALUE = /^\s*(bearer|basic|token|digest)\s+\S{4,}/i;
/** URIs with userinfo (`user:pass@`, `token@`) or a credential query parameter (`?token=`). */
const URI_USERINFO = /^\s*[a-z][\w+.-]*:\/\/[^/@\s]+@/i;
const URI_SECRET_QUERY =
  /^\s*[a-z][\w+.-]*:\/\/\S*[?&]([\w.-]*token|password|passwd|pwd|secret|api[_-]?key|key|auth|sig)=/i;
const ENV_REF = /\$\{env:([A-Za-z_][A-Za-z0-9_]*)\}/g;
const ONLY_ENV_REF = /^\$\{env:[A-Za-z_][A-Za-z0-9_]*\}$/;
/** Variables that hold credentials: never interpolated into anything sent to the server or written. */
const CREDENTIAL_VARIABLE = /(TOKEN|PASSWORD|PASSWD|SECRET|API_?KEY|PRIVATE_?KEY|CREDENTIAL|USERNAME)/i;
/** The one place a credential variable may go: the header provider, which sends it as authentication. */
const CREDENTIAL_PLACE = /^server\.request_header_provider\.init_kwargs(\.|$)/;

const LITERAL_SECRET =
  'a literal credential is refused (the value is not shown): secrets must not be committed in config files; ' +
  'use ${env:NAME} (e.g. ${env:MLFLOW_TRACKING_TOKEN})';

/** Interpolates `${env:NAME}` and refuses literal credentials; returns the problems found. Never echoes a value. */
function interpolate(
  node: unknown,
  path: (string | number)[],
  env: NodeJS.ProcessEnv,
  locate: Locate,
  out: Diagnostic[],
): unknown {
  const key = String(path[path.length - 1] ?? '').trim();
  const empty = node === null || node === undefined || node === '';
  if (isSecretKey(key) && !empty && !(typeof node === 'string' && ONLY_ENV_REF.test(node.trim()))) {
    out.push(locate(path, LITERAL_SECRET));
    return node;
  }
  if (typeof node === 'string') {
    if (SECRET_VALUE.test(node)) {
      out.push(locate(path, LITERAL_SECRET));
      return node;
    }
    if (URI_USERINFO.test(node) || URI_SECRET_QUERY.test(node)) {
      out.push(
        locate(
          path,
          'credentials in a URI are refused (the value is not shown): set MLFLOW_TRACKING_USERNAME and ' +
            'MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) in the environment instead',
        ),
      );
      return node;
    }
    const dotted = path.map(String).join('.');
    const given: string[] = [];
    const result = node.replace(ENV_REF, (_, name: string) => {
      if (CREDENTIAL_VARIABLE.test(name) && !CREDENTIAL_PLACE.test(dotted)) {
        out.push(
          locate(
            path,
            `\${env:${name}} is a credential: it would be sent to the server or written in the clear here; ` +
              'credentials are read from the environment by the client only',
          ),
        );
        return '';
      }
      const value = env[name];
      if (value === undefined) out.push(locate(path, `environment variable ${name} is not set`));
      else given.push(value);
      return value ?? '';
    });
    // A variable of any name can hold a credential: what it gave is held to the rule a literal is.
    const credential = given.some((v) => SECRET_VALUE.test(v)) || redact(result, []) !== result;
    if (given.length && credential && !CREDENTIAL_PLACE.test(dotted)) {
      out.push(
        locate(
          path,
          'the environment gave a credential here (the value is not shown): a URI with user:password@ or a ' +
            'token, which would be sent to the server or written in the clear; set MLFLOW_TRACKING_USERNAME and ' +
            'MLFLOW_TRACKING_PASSWORD (or MLFLOW_TRACKING_TOKEN) for the client instead',
        ),
      );
      return '';
    }
    return result;
  }
  if (Array.isArray(node)) return node.map((v, i) => interpolate(v, [...path, i], env, locate, out));
  if (node && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([k, v]) => [k, interpolate(v, [...path, k], env, locate, out)]),
    );
  }
  return node;
}

/** One mlflow.yml: parsed, checked (no defaults yet, so a local file overrides only what it names). */
function readConfigFile(file: string, env: NodeJS.ProcessEnv): Json | undefined {
  return existsSync(file) ? readMlflowYaml(file, env).config : undefined;
}

/**
 * An mlflow.yml read and checked like a scenario, every problem at its file:line:col: `data` as written (for a
 * caller that puts more settings over it and checks the result again), `config` with `${env:NAME}` interpolated.
 */
export function readMlflowYaml(file: string, env: NodeJS.ProcessEnv = process.env): { data: Json; config: Json } {
  const { parsed, diagnostics } = parseYaml(readYamlInput(file), file);
  if (diagnostics.length) throw new InputError(diagnostics);
  const js = toData(parsed);
  if (js.diagnostics.length) throw new InputError(js.diagnostics);
  const data: unknown = js.data ?? {};
  if (typeof data !== 'object' || Array.isArray(data))
    throw new InputError([{ file, line: 1, col: 1, message: 'mlflow.yml must be a YAML mapping' }]);
  const problems = validateAgainstSchema(data, mlflowConfigSchema, parsed, false);
  // data is a mapping (checked above) and interpolate keeps shapes
  const interpolated = interpolate(data, [], env, locator(parsed), problems) as Json;
  if (problems.length) throw new InputError(sortByPosition(problems));
  // a mapping: checked above
  return { data: data as Json, config: interpolated };
}

function deepMerge(base: Json, over: Json): Json {
  const out: Json = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? // both are plain objects: checked on the line above
          deepMerge(b as Json, v as Json)
        : v;
  }
  return out;
}

/** `raw` is validated already (each file and the inline keys, where they were read): only defaults are missing. */
function withDefaults(raw: Json): TrackingConfig {
  const data = structuredClone(raw);
  fillDefaults(mlflowConfigSchema, data);
  // the schema with its defaults filled describes TrackingConfig
  return data as unknown as TrackingConfig;
}

export interface ConfigSource {
  /** A Kedro-style conf folder: `<dir>/base/mlflow.yml`, overridden by `<dir>/local/mlflow.yml`. */
  confDir?: string;
  /** The same keys inline (a scenario's hook options), located in the scenario by `locate`. */
  inline?: unknown;
  locate?: Locate;
  /** Where `inline` sits in the scenario, for error paths. */
  inlinePath?: (string | number)[];
}

export function loadTrackingConfig(source: ConfigSource = {}, env: NodeJS.ProcessEnv = process.env): TrackingConfig {
  let merged: Json = {};
  if (source.confDir) {
    const base = join(source.confDir, 'base', 'mlflow.yml');
    const local = join(source.confDir, 'local', 'mlflow.yml');
    const baseData = readConfigFile(base, env);
    const localData = readConfigFile(local, env);
    if (!baseData && !localData) {
      const message = 'no mlflow.yml found in base/ or local/';
      // Located at the scenario's `conf:` when it came from one, the folder named either way.
      throw new InputError([
        source.locate?.(['conf'], `${source.confDir}: ${message}`) ?? { file: source.confDir, message },
      ]);
    }
    merged = deepMerge(baseData ?? {}, localData ?? {});
  }
  if (source.inline !== undefined) {
    const locate: Locate =
      source.locate ?? ((path, message) => ({ file: '<inline mlflow config>', path: dottedPath(path), message }));
    const prefix = source.inlinePath ?? [];
    const problems = validateWithLocator(source.inline, mlflowConfigSchema, locate, prefix);
    if (problems.length) throw new InputError(problems);
    // validated as a mapping above; interpolate keeps shapes
    const interpolated = interpolate(source.inline, prefix, env, locate, problems) as Json;
    if (problems.length) throw new InputError(problems);
    merged = deepMerge(merged, interpolated);
  }
  return withDefaults(merged);
}

/** kedro-mlflow's default configuration, with ours. */
export function defaultTrackingConfig(): TrackingConfig {
  return withDefaults({});
}
