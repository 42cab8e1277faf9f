// Hooks by name: the built-ins, and user modules given as `module:<path>` whose default export is a
// HookFactory. Resolution is checked up front so a typo fails at validation, not mid-benchmark.
import { quotedInput } from '../common/terminal-text.ts';
import { BUILTIN_OBJECT_KEYS } from '../common/object-keys.ts';
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { EnvironmentError, InputError, type Diagnostic } from '../errors.ts';
import { hookTimeoutMs, isThenable, settleWithin } from '../pipeline/hooks.ts';
import type { HookFactory, HookFactoryContext, Hooks, NamedHooks } from '../pipeline/hooks.ts';
import type { Locate } from '../common/validate-yaml.ts';
import { closest } from '../common/suggest.ts';
import type { HookRef, Scenario } from '../scenario/types.ts';
import { calibrationOptions, createCalibrationHook } from './builtin/calibration.ts';
import { createKedroMlflowLikeHook } from './builtin/kedro-mlflow-like.ts';
import { createNaiveHook } from './builtin/naive.ts';
import { createRecorder } from './builtin/recorder.ts';
import { createReferenceHook } from './builtin/reference.ts';
import type { ConfigDimension } from './config/dimensions.ts';
import { loadTrackingConfig, type TrackingConfig } from './config/load-config.ts';
import { codeOf, messageOf } from '../common/caught.ts';
import { isLocalPlugin } from './kedro/environment.ts';
import { moduleLoadProblem } from './module-problem.ts';
import { ANY_PARAM_SETTINGS, type ParamSettings } from './param-delivery.ts';

export interface BuiltinHook {
  description: string;
  /** Whether it logs to MLflow (and so needs a tracking backend). */
  tracking: boolean;
  factory: HookFactory;
  /** Checks the options without building the hook (throws InputError). */
  check?(options: Record<string, unknown>, ctx: HookFactoryContext): void;
  /** The settings it honours, each checked by the conformance suite in every value. */
  modes?: ConfigDimension[];
}

/**
 * Options every tracking built-in takes: `conf` (a Kedro conf folder with base/ and local/
 * mlflow.yml) and/or `mlflow` (the same keys inline, applied last).
 */
function trackingConfigFrom(options: Record<string, unknown>, ctx: HookFactoryContext): TrackingConfig {
  const problems: Diagnostic[] = [];
  for (const key of Object.keys(options)) {
    if (key !== 'conf' && key !== 'mlflow') {
      const hint = closest(key, ['conf', 'mlflow']);
      const message =
        `unknown option${hint ? ` (did you mean "${hint}"?)` : ''}; tracking hooks take conf (a ` +
        `folder with base/mlflow.yml) and mlflow (inline mlflow.yml keys)`;
      problems.push(ctx.locate ? ctx.locate([key], message, true) : { file: '<hook options>', path: key, message });
    }
  }
  if (options.conf !== undefined && typeof options.conf !== 'string')
    problems.push(
      ctx.locate?.(['conf'], 'must be a folder path') ?? {
        file: '<hook options>',
        path: 'conf',
        message: 'must be a folder path',
      },
    );
  if (problems.length) throw new InputError(problems);
  return loadTrackingConfig({
    confDir: typeof options.conf === 'string' ? resolve(ctx.scenarioDir, options.conf) : undefined,
    inline: options.mlflow,
    locate: ctx.locate,
    inlinePath: ['mlflow'],
  });
}

/**
 * A tracking hook's configuration as its trial runs it: in a counted trial, `trackbench.flush: count`
 * (set on the loaded configuration, so a counted trial loads it exactly as an uncounted one does).
 */
export function trackingConfigFor(options: Record<string, unknown>, ctx: HookFactoryContext): TrackingConfig {
  const config = trackingConfigFrom(options, ctx);
  if (ctx.counted) config.trackbench.flush = 'count';
  return config;
}

/** A hook that logs to MLflow: its options are an mlflow.yml configuration. */
function trackingBuiltin(
  description: string,
  create: (config: TrackingConfig, ctx: HookFactoryContext) => Hooks,
  modes: ConfigDimension[],
): BuiltinHook {
  return {
    description,
    tracking: true,
    modes,
    check: trackingConfigFrom,
    factory: (options, ctx) => create(trackingConfigFor(options, ctx), ctx),
  };
}

const builtins: Record<string, BuiltinHook> = {
  reference: trackingBuiltin(
    'the reference tracking hook: batched, asynchronous, bounded queue, spill file; ' +
      'every param, metric, artifact and model',
    createReferenceHook,
    ['childRunPerNode', 'long_params_strategy', 'flatten'],
  ),
  naive: trackingBuiltin(
    'model of manual MLflow calls: one synchronous request per parameter, metric value and tag',
    createNaiveHook,
    ['long_params_strategy', 'flatten'],
  ),
  'kedro-mlflow-like': trackingBuiltin(
    "model of kedro-mlflow 2.0.3's measured request pattern: per-node run re-entry, one request per param " +
      'and per metric value',
    createKedroMlflowLikeHook,
    ['long_params_strategy', 'flatten'],
  ),
  calibration: {
    description:
      'adds a known cost per node (cpuMsPerNode, allocBytesPerNode, diskBytesPerNode, requestsPerNode), ' +
      'to check the instrument',
    tracking: false,
    check: calibrationOptions,
    factory: (options, ctx) => createCalibrationHook(calibrationOptions(options, ctx), ctx),
  },
  noop: {
    description: 'implements no hook method; the floor of hook-manager cost',
    tracking: false,
    factory: () => ({}),
  },
  recorder: {
    description: 'records every hook call in order; logs nothing',
    tracking: false,
    factory: () => createRecorder(),
  },
};

// No prototype: a hook named `constructor` or `toString` is unknown, not Object's own.
export const BUILTIN_HOOKS: Record<string, BuiltinHook> = Object.assign(
  // a null-prototype object, filled with the built-ins
  Object.create(null) as Record<string, BuiltinHook>,
  builtins,
);

/** Whether a hook is meant to log values (module: and command: hooks are taken to be trackers). */
export function logsValues(ref: HookRef): boolean {
  return BUILTIN_HOOKS[ref.name]?.tracking ?? true;
}

/**
 * The parameter settings a hook's params must reach MLflow under (paramsDelivered): its own when trackbench
 * knows them (a tracking built-in's options, or a module hook's when they are only `conf`/`mlflow`, read as a
 * built-in's); else any of kedro-mlflow's (module hooks with options of their own, command: and kedro hooks).
 */
export function paramSettingsOf(ref: HookRef, scenario: Pick<Scenario, 'name' | 'source'>): readonly ParamSettings[] {
  const builtin = BUILTIN_HOOKS[ref.name];
  const keys = Object.keys(ref.options);
  const configured = keys.length > 0 && keys.every((k) => k === 'conf' || k === 'mlflow');
  if (!builtin?.tracking && !(modulePath(ref, scenario.source) !== undefined && configured)) return ANY_PARAM_SETTINGS;
  try {
    return [trackingConfigFrom(ref.options, factoryContext(scenario, {})).tracking.params];
  } catch (err) {
    // A built-in's options were checked when the scenario loaded; a module's may mean something else.
    if (builtin || !(err instanceof InputError)) throw err;
    return ANY_PARAM_SETTINGS;
  }
}

/** A pip requirement naming kedro-mlflow (`kedro-mlflow==2.0.3`, `kedro_mlflow>=0.14`). */
const KEDRO_MLFLOW_REQUIREMENT = /^kedro[-_.]mlflow\s*(?:[=<>!~;[@]|$)/i;

/**
 * Whether the hook logs each metric value under the generated key (`<node>.<metric>`, at its step), as param
 * keys are known from paramSettingsOf: the tracking built-ins send the key the pipeline gives (metricsFromOutputs),
 * and kedro-mlflow's MlflowMetricsHistoryDataset logs `<prefix>.<key>`, the prefix being the node's name in the
 * project trackbench generates for a `kind: kedro` hook (python/src/trackbench_kedro/project.py). Any other hook
 * (a module, a command, another plugin) may name its metrics its own way: its values are matched by value alone.
 */
export function metricKeysKnown(ref: HookRef): boolean {
  // The hook's own env can turn the installed plugins off (kedroRunEnv): then kedro-mlflow's datasets are not used.
  const pluginsOn = ref.env?.TRACKBENCH_KEDRO_PLUGINS !== 'off';
  return (
    BUILTIN_HOOKS[ref.name]?.tracking === true || (KEDRO_MLFLOW_REQUIREMENT.test(ref.kedro?.plugin ?? '') && pluginsOn)
  );
}

const MODULE_PREFIX = 'module:';
const COMMAND_PREFIX = 'command:';

/** The shell command of a `command:` hook: an external process that runs the described pipeline itself. */
export function commandOf(ref: HookRef): string | undefined {
  return ref.name.startsWith(COMMAND_PREFIX) ? ref.name.slice(COMMAND_PREFIX.length).trim() : undefined;
}

/** The first external command among a scenario's hooks, if any (its trials run in their own process). */
export function externalCommand(hooks: HookRef[]): string | undefined {
  return hooks.map(commandOf).find((c) => c !== undefined);
}

export function scenarioDir(scenarioSource: string): string {
  return scenarioSource.startsWith('<') ? process.cwd() : dirname(resolve(scenarioSource));
}

const TYPESCRIPT_FILE = /\.[cm]?tsx?$/;

/** Whether the hook is a module written in TypeScript (compiled by tsx when it is loaded). */
export function isTypeScriptModule(ref: HookRef): boolean {
  return ref.name.startsWith(MODULE_PREFIX) && TYPESCRIPT_FILE.test(ref.name);
}

/** tsx's API: Node 20 cannot load TypeScript itself; trackbench's own code never needs it. */
export async function loadTypeScriptSupport(): Promise<typeof import('tsx/esm/api')> {
  return import('tsx/esm/api');
}

/**
 * tsx, loaded and made to load a TypeScript file as a hook module is (CommonJS outside an ESM package, importing an
 * ES module): the threads it keeps for the rest of the process (Node's loader thread for module.register, and the
 * one tsx loads ES modules from CommonJS with) are started now, before the watch for work a hook leaves pending
 * begins: they are the loader's, not the hook's.
 */
export async function primeTypeScriptSupport(): Promise<void> {
  const { tsImport } = await loadTypeScriptSupport();
  const dir = mkdtempSync(join(tmpdir(), 'tb-tsx-'));
  try {
    writeFileSync(join(dir, 'esm.mjs'), 'export const one = 1;\n');
    writeFileSync(join(dir, 'prime.ts'), "import { one } from './esm.mjs';\nexport default one;\n");
    await tsImport(pathToFileURL(join(dir, 'prime.ts')).href, import.meta.url);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A hook module, loaded the way the runtime can: natively first (JavaScript, or TypeScript under
 * a runtime that strips types, such as vitest), then a `.ts` file through tsx.
 */
export async function importHookModule(path: string): Promise<{ default?: unknown; [name: string]: unknown }> {
  const url = pathToFileURL(path).href;
  try {
    // a module namespace; its exports are checked by the caller
    return (await import(url)) as { default?: unknown };
  } catch (err) {
    const code = codeOf(err);
    if (code !== 'ERR_UNKNOWN_FILE_EXTENSION' || !TYPESCRIPT_FILE.test(path)) throw err;
  }
  const { tsImport } = await loadTypeScriptSupport();
  // a module namespace, as above
  const mod = (await tsImport(url, import.meta.url)) as { default?: unknown };
  // A .ts file outside an ESM package loads as CommonJS: its default export sits one level down.
  const inner = mod.default;
  return inner !== null && typeof inner === 'object' && 'default' in inner ? inner : mod;
}

export function modulePath(ref: HookRef, scenarioSource: string): string | undefined {
  if (!ref.name.startsWith(MODULE_PREFIX)) return undefined;
  return resolve(scenarioDir(scenarioSource), ref.name.slice(MODULE_PREFIX.length));
}

const MODULE_EXTENSION = /\.(m|c)?(j|t)sx?$/;

/** A hook module must be a regular JS/TS file (not /etc/passwd, a folder or /dev/zero). */
export function moduleFileProblem(path: string): string | undefined {
  if (!existsSync(path)) return `hook module not found: ${path}`;
  if (!statSync(path).isFile()) return `hook module is not a regular file: ${path}`;
  if (!MODULE_EXTENSION.test(path)) return `hook module must be a .js, .mjs, .cjs, .ts, .mts or .cts file: ${path}`;
  return undefined;
}

/** Every hook reference in the scenario names a built-in or an existing module file, with valid options. */
const MAX_COMMAND_BYTES = 128 * 1024 - 1;

export function checkHookRefs(scenario: Scenario, locate: Locate): Diagnostic[] {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  scenario.hooks.forEach((ref, i) => {
    if (BUILTIN_OBJECT_KEYS.has(ref.label))
      out.push(
        locate(
          ['hooks', i],
          `${quotedInput(ref.label)} is the name of a built-in object property: label the hook otherwise`,
        ),
      );
    else if (seen.has(ref.label)) out.push(locate(['hooks', i], `the hook ${quotedInput(ref.label)} is named twice`));
    seen.add(ref.label);
    const path = modulePath(ref, scenario.source);
    const command = commandOf(ref);
    if (ref.kedro) {
      const plugin = ref.kedro.plugin;
      if (plugin && isLocalPlugin(plugin) && !existsSync(resolve(scenarioDir(scenario.source), plugin)))
        out.push(
          locate(['hooks', i, 'plugin'], `plugin folder not found: ${resolve(scenarioDir(scenario.source), plugin)}`),
        );
    } else if (command !== undefined) {
      // Measured against its own process with tracking off, so it may sit beside other hooks.
      if (!command) out.push(locate(['hooks', i], 'command: needs a shell command after it'));
      // Linux refuses a single argument over 128 KiB (E2BIG): the command is one, to the shell.
      else if (Buffer.byteLength(command) > MAX_COMMAND_BYTES)
        out.push(locate(['hooks', i], `the command is longer than ${MAX_COMMAND_BYTES} bytes (the system's limit)`));
      else if (Object.keys(ref.options).length)
        out.push(
          locate(
            ['hooks', i, 'options'],
            'a command: hook takes no options; the command reads its own configuration (use env)',
            true,
          ),
        );
    } else if (path !== undefined) {
      const problem = moduleFileProblem(path);
      if (problem) out.push(locate(['hooks', i], problem));
    } else if (BUILTIN_HOOKS[ref.name]?.check) {
      try {
        // known built-in with a check: tested just above
        BUILTIN_HOOKS[ref.name]!.check!(ref.options, factoryContext(scenario, { locate, index: i }));
      } catch (err) {
        if (err instanceof InputError) out.push(...err.diagnostics);
        else throw err;
      }
    } else if (!BUILTIN_HOOKS[ref.name]) {
      const hint = closest(ref.name, Object.keys(BUILTIN_HOOKS));
      out.push(
        locate(
          ['hooks', i],
          `unknown hook ${quotedInput(ref.name)}${hint ? ` (did you mean "${hint}"?)` : ''}; built-ins: ` +
            `${Object.keys(BUILTIN_HOOKS).join(', ')}; or module:<path>, or command:<shell command>`,
        ),
      );
    }
  });
  return out;
}

export interface ResolveOptions {
  trackingUri?: string;
  warn?: (message: string) => void;
  /** Locates problems in the scenario (hook options are validated against it). */
  locate?: Locate;
  /** The hook's index in the scenario's `hooks`, for error paths. */
  index?: number;
  /** The trial counts instructions (HookFactoryContext.counted). */
  counted?: boolean;
}

export async function resolveHook(
  ref: HookRef,
  scenario: Pick<Scenario, 'name' | 'source'>,
  options: ResolveOptions = {},
): Promise<NamedHooks> {
  const path = modulePath(ref, scenario.source);
  let factory: HookFactory;
  if (commandOf(ref) !== undefined || ref.kedro) {
    throw new InputError([
      {
        file: scenario.source,
        message:
          `hook "${ref.label}" runs in its own process (a command: or kind: kedro hook): \`run\`, \`sweep\`, ` +
          `\`trace\` and \`conformance\` take it, not this command`,
      },
    ]);
  }
  if (path !== undefined) {
    const mod = await importHookModule(path).catch((err: unknown) => {
      throw new InputError([moduleLoadProblem(err, path)]);
    });
    if (typeof mod.default !== 'function') {
      throw new InputError([
        {
          file: path,
          message: 'a hook module must export a factory function as its default export: (options, context) => hooks',
        },
      ]);
    }
    // checked to be a function above; its signature is the documented contract
    factory = mod.default as HookFactory;
  } else {
    const builtin = BUILTIN_HOOKS[ref.name];
    if (!builtin) throw new InputError([{ file: scenario.source, message: `unknown hook ${quotedInput(ref.name)}` }]);
    factory = builtin.factory;
  }
  // A factory is user code: what it returned is checked, not trusted to be hooks.
  // Bounded like a hook call: a factory that never settles would otherwise hold a trial to its own time limit.
  const timeoutMs = hookTimeoutMs();
  let timedOut: Error | undefined;
  const stuck = (): Error =>
    (timedOut = new EnvironmentError(
      `hook "${ref.label}": its factory did not settle within ${timeoutMs} ms (TRACKBENCH_HOOK_TIMEOUT_MS)`,
    ));
  let hooks: unknown;
  let got: string | undefined;
  try {
    const made: unknown = factory(ref.options, factoryContext(scenario, options));
    hooks = isThenable(made) ? await settleWithin(made, timeoutMs, stuck) : made;
    if (typeof hooks !== 'object' || hooks === null || Array.isArray(hooks))
      got = hooks === null ? 'null' : Array.isArray(hooks) ? 'an array' : `a ${typeof hooks}`;
  } catch (err) {
    // Bad options (InputError, located) and a factory that never settled say what they are; anything else it
    // threw (a string, null, a Symbol, an Error of its own) is said as this hook's failure, never as trackbench's.
    if (err instanceof InputError || (timedOut !== undefined && err === timedOut)) throw err;
    throw new EnvironmentError(`hook "${ref.label}": its factory failed: ${messageOf(err)}`, { cause: err });
  }
  if (got !== undefined) {
    throw new InputError([
      {
        file: path ?? scenario.source,
        message: `hook "${ref.label}": its factory returned ${got}, not a hooks object`,
      },
    ]);
  }
  // checked above to be a non-array object; a method that is not a function fails its first call as this hook's
  return { name: ref.label, hooks: hooks as Hooks };
}

function factoryContext(scenario: Pick<Scenario, 'name' | 'source'>, options: ResolveOptions): HookFactoryContext {
  const { locate, index } = options;
  return {
    scenarioName: scenario.name,
    scenarioDir: scenarioDir(scenario.source),
    trackingUri: options.trackingUri,
    warn: options.warn ?? ((m) => process.stderr.write(`${m}\n`)),
    counted: options.counted,
    locate:
      locate && index !== undefined
        ? (p, message, atKey) => locate(['hooks', index, 'options', ...p], message, atKey)
        : undefined,
  };
}
