// Kedro's hook specification in TypeScript form. This is public API: built-in hooks, user hook
// modules (`module:./my-hook.js`) and external plugins all meet the pipeline here.
import { messageOf } from '../common/caught.ts';
import { EnvironmentError } from '../errors.ts';
import type { Locate } from '../common/validate-yaml.ts';
import { envNumber, TIMER_MAX_MS, type NumericVariable } from '../common/env-number.ts';
import type { DataCatalog } from './catalog.ts';
import type { Pipeline, PipelineNode, ParamTree } from './types.ts';

/** Kedro's run_params, camelCased. */
export interface RunParams {
  runId: string;
  projectPath: string;
  env: string;
  kedroVersion: string;
  tags: string[];
  fromNodes: string[];
  toNodes: string[];
  nodeNames: string[];
  fromInputs: string[];
  toOutputs: string[];
  loadVersions: Record<string, string>;
  runtimeParams: Record<string, unknown>;
  pipelineNames: string[];
  namespaces: string[];
  runner: string;
  onlyMissingOutputs: boolean;
}

export interface HookContext {
  projectPath: string;
  env: string;
  parameters: ParamTree;
}

/** What `afterPipelineRun` receives; Kedro returns the free outputs' data, we name them. */
export interface RunResult {
  freeOutputs: string[];
  nodesRun: number;
}

type MaybePromise<T> = T | Promise<T>;
export type Inputs = Record<string, unknown>;

/** Every method is optional and may be async; async hooks are awaited before the pipeline goes on. */
export interface Hooks {
  afterContextCreated?(context: HookContext): MaybePromise<void>;
  afterCatalogCreated?(
    catalog: DataCatalog,
    confCatalog: Record<string, unknown>,
    confCreds: Record<string, unknown>,
    parameters: ParamTree,
    saveVersion: string | undefined,
    loadVersions: Record<string, string>,
  ): MaybePromise<void>;
  beforePipelineRun?(runParams: RunParams, pipeline: Pipeline, catalog: DataCatalog): MaybePromise<void>;
  afterPipelineRun?(
    runParams: RunParams,
    runResult: RunResult,
    pipeline: Pipeline,
    catalog: DataCatalog,
  ): MaybePromise<void>;
  onPipelineError?(error: Error, runParams: RunParams, pipeline: Pipeline, catalog: DataCatalog): MaybePromise<void>;
  /** May return a mapping that overrides some of the node's inputs. */
  beforeNodeRun?(
    node: PipelineNode,
    catalog: DataCatalog,
    inputs: Inputs,
    isAsync: boolean,
    runId: string,
  ): MaybePromise<Inputs | void>;
  afterNodeRun?(
    node: PipelineNode,
    catalog: DataCatalog,
    inputs: Inputs,
    outputs: Inputs,
    isAsync: boolean,
    runId: string,
  ): MaybePromise<void>;
  onNodeError?(
    error: Error,
    node: PipelineNode,
    catalog: DataCatalog,
    inputs: Inputs,
    isAsync: boolean,
    runId: string,
  ): MaybePromise<void>;
  beforeDatasetLoaded?(datasetName: string, node: PipelineNode): MaybePromise<void>;
  afterDatasetLoaded?(datasetName: string, data: unknown, node: PipelineNode): MaybePromise<void>;
  beforeDatasetSaved?(datasetName: string, data: unknown, node: PipelineNode): MaybePromise<void>;
  afterDatasetSaved?(datasetName: string, data: unknown, node: PipelineNode): MaybePromise<void>;
}

export type HookMethod = keyof Hooks;

export const HOOK_METHODS: readonly HookMethod[] = [
  'afterContextCreated',
  'afterCatalogCreated',
  'beforePipelineRun',
  'afterPipelineRun',
  'onPipelineError',
  'beforeNodeRun',
  'afterNodeRun',
  'onNodeError',
  'beforeDatasetLoaded',
  'afterDatasetLoaded',
  'beforeDatasetSaved',
  'afterDatasetSaved',
];

/** What a factory learns of where it runs, besides its options. */
export interface HookFactoryContext {
  /** The scenario's name (tracking hooks use it as the default experiment name). */
  scenarioName: string;
  /** Folder of the scenario file; relative paths in options resolve from here. */
  scenarioDir: string;
  /** The MLflow the harness runs against; overrides any URI in the hook's own config. */
  trackingUri?: string;
  /** Where the hook's warnings go (stderr by default). */
  warn(message: string): void;
  /** Locates a problem in the hook's options, as `<file>:<line>:<col> hooks[i].options.<path>`. */
  locate?: Locate;
  /**
   * The trial counts instructions (run --instrument cpu-sim): the hook's work must not depend on
   * clocks or on how fast the server answers (the reference hook runs with trackbench.flush: count).
   */
  counted?: boolean;
}

/** What a hook module's default export is: options from the scenario in, hook object out. */
export type HookFactory = (options: Record<string, unknown>, context: HookFactoryContext) => MaybePromise<Hooks>;

export interface NamedHooks {
  name: string;
  hooks: Hooks;
}

/** A hook threw: says which hook and which method, keeps the original as `cause`. */
export class HookError extends Error {
  constructor(
    readonly hookName: string,
    readonly method: HookMethod,
    cause: unknown,
  ) {
    super(`hook "${hookName}" failed in ${method}: ${messageOf(cause)}`, { cause });
    this.name = 'HookError';
  }
}

/** A hook call that never settled: the environment (the hook, its server) is stuck, not the input. */
export class HookTimeoutError extends EnvironmentError {
  constructor(
    readonly hookName: string,
    readonly method: HookMethod,
    readonly timeoutMs: number,
  ) {
    super(`hook "${hookName}" did not settle in ${method} within ${timeoutMs} ms (TRACKBENCH_HOOK_TIMEOUT_MS)`);
    this.name = 'HookTimeoutError';
  }
}

/** How long one hook call may take (a Node timer's range); the CLI checks it up front from this. */
export const HOOK_TIMEOUT_VARIABLE: NumericVariable = {
  name: 'TRACKBENCH_HOOK_TIMEOUT_MS',
  unit: 'milliseconds',
  min: 1,
  max: TIMER_MAX_MS,
  integer: false,
};

/** How long one hook call may take before the run fails with HookTimeoutError. */
export function hookTimeoutMs(env: NodeJS.ProcessEnv = process.env): number {
  return envNumber(env, HOOK_TIMEOUT_VARIABLE) ?? 120_000;
}

export function settleWithin<T>(promise: PromiseLike<T>, ms: number, timeout: () => Error): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    Promise.resolve(promise),
    new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeout()), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  v !== null &&
  (typeof v === 'object' || typeof v === 'function') &&
  typeof (v as { then?: unknown }).then === 'function';

/** Calls every registered hook's method in registration order and awaits each (bounded by a timeout). */
export class HookManager {
  constructor(
    private readonly registered: NamedHooks[],
    private readonly timeoutMs = hookTimeoutMs(),
  ) {}

  get names(): string[] {
    return this.registered.map((h) => h.name);
  }

  async call<M extends HookMethod>(method: M, ...args: Parameters<NonNullable<Hooks[M]>>): Promise<unknown[]> {
    const results: unknown[] = [];
    for (const { name, hooks } of this.registered) {
      try {
        // Read inside the try: a getter or a Proxy that throws is this hook's failure in this method too.
        // args are the method's own, passed through from call()'s typed signature
        const fn = hooks[method] as ((...a: unknown[]) => unknown) | undefined;
        if (!fn) continue;
        const out = fn.apply(hooks, args);
        // Only promises are raced against the clock: synchronous hooks pay nothing for it.
        results.push(
          isThenable(out)
            ? await settleWithin(out, this.timeoutMs, () => new HookTimeoutError(name, method, this.timeoutMs))
            : out,
        );
      } catch (err) {
        if (err instanceof HookTimeoutError) throw err;
        throw new HookError(name, method, err);
      }
    }
    return results;
  }
}
