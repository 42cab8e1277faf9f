// What the suite can check: a built-in hook, a JS/TS hook module (through the public hook
// interface), or any external process (`command:`) that runs the described pipeline itself and
// logs to MLFLOW_TRACKING_URI, in any language.
import { quotedInput } from '../common/terminal-text.ts';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { isThenable, settleWithin, type HookFactory, type Hooks, type NamedHooks } from '../pipeline/hooks.ts';
import type { ConfigDimension } from '../tracking/config/dimensions.ts';
import { describePipeline } from '../pipeline/describe.ts';
import { COMMAND_EXIT_GRACE_MS, endedHow, runExternal } from '../pipeline/external.ts';
import { runnerName, runSession } from '../pipeline/session.ts';
import { closest } from '../common/suggest.ts';
import { BUILTIN_HOOKS } from '../tracking/registry.ts';
import { loadedFactory, loadedModes, loadHookModule } from './load-module.ts';
import { loadTrackingConfig } from '../tracking/config/load-config.ts';
import { CommandRuns } from './command-runs.ts';
import { kedroTarget } from './kedro-target.ts';
import { setsPath, withPairs } from './target-options.ts';
import {
  completedBefore,
  completedBeforeFailure,
  doneNodes,
  readStartedNodes,
  pipelineRunsSaid,
  splitPipelineRuns,
} from './ran-order.ts';
import { injectedPipelineError, type ConformanceScenario } from './scenarios.ts';
import type { Interrupt, ParamsConfig, PipelineTiming } from './types.ts';
import { SituationTimeoutError } from './situation-error.ts';
import { witness } from './witness.ts';

export interface TargetRun {
  pipelineError?: string;
  output: string;
  completedNodes: string[];
  failedNode?: string;
  /** Each pipeline run's window and its nodes' (in-process targets; command targets that record node times). */
  timing?: PipelineTiming[];
  /** Values handed to the hooks found changed after the run (in-process targets; commands that compare them). */
  hookChanges?: string[];
  /** Inputs a node was called with other than those handed to the hooks (hooks' overrides): in-process targets,
   * and commands that say so (`#overridden` lines, known when they compared any). */
  inputOverrides?: string[];
  /** The Kedro runner class that ran the pipeline: trackbench's (in-process), or the one a command says ran it. */
  runner?: string;
  /** `interrupted`: how the SIGINT sent to a command went (process targets only). */
  interrupt?: Interrupt;
  /** A command's exits, one a pipeline run, timed from the pipeline run's end it said (known when it said one). */
  exits?: { exited: boolean; afterMs: number; code: number | null; graceMs: number; leftProcesses?: boolean }[];
}

/** What a target is given for one pipeline run besides the scenario. */
export interface RunContext {
  trackingUri: string;
  experimentName: string;
  /** A fresh folder the hook may write into (its temp dir and spill folder); the suite reads it afterwards. */
  workDir: string;
  /** Takes the server down or brings it back (the `outage` situation). */
  setDown(down: boolean): void;
}

export interface Target {
  id: string;
  /** Whether the hook runs inside trackbench's process (so extra hooks can be put beside it). */
  inProcess: boolean;
  /** A process target whose runner puts the extra hook that fails the pipeline (`pipeline-error`) beside the
   * hook itself, told the node by TRACKBENCH_HOOK_ERROR_AT (kedro targets: trackbench_kedro's witness). */
  injectsHookErrors?: boolean;
  /** How the target logs parameters, when trackbench knows (built-in and module targets with mlflow options). */
  paramsConfig?: ParamsConfig;
  /** Whether it was configured to make a child run per node (built-in and module targets). */
  childRunPerNode?: boolean;
  /** How long one pipeline run may take before the hook is abandoned. */
  timeoutMs: number;
  /** Why the target is not run again (its factory never settled), if so: in-process and child situations alike. */
  stuck?: () => string | undefined;
  /** How to build the same target in a child process (built-in and module targets). */
  spawn?: { spec: string; options: Record<string, unknown> };
  /** Loads what the target needs before any situation runs; throws InputError when it cannot. */
  load?(): Promise<void>;
  run(scenario: ConformanceScenario, ctx: RunContext): Promise<TargetRun>;
  /** Requirements this target cannot be checked on, with why (known once it has run). */
  notApplicable?: () => Record<string, string>;
  /** Waivers that come with the target (a scenario's `waive`). */
  waive?: string[];
  /** Models are stored in the target's own format (pickled, an MLflow flavour), not as the node's bytes: a model is
   * then known delivered by a version whose source is its run's model, not by its bytes (kedro targets). */
  modelsInOwnFormat?: boolean;
  /** What the target's environment holds (kedro targets). */
  versions?: () => Record<string, string | null> | undefined;
  /** The settings the target honours (built-in and module targets): each is checked in every value. */
  modes?: () => ConfigDimension[];
  /** The options the target was built with (`{mlflow: ...}`), and the same target built with others. */
  options?: Record<string, unknown>;
  configure?: (options: Record<string, unknown>) => Target;
}

const IN_PROCESS_TIMEOUT_MS = 60_000;

/** The parameter settings an `mlflow` option (inline mlflow.yml) implies; undefined when it cannot be read. */
export function paramsConfigOf(options: Record<string, unknown>): ParamsConfig | undefined {
  try {
    const p = loadTrackingConfig({ inline: options.mlflow ?? {} }).tracking.params;
    return { ...p.dict_params, longStrategy: p.long_params_strategy };
  } catch {
    return undefined;
  }
}

/** Whether the options ask for a child run per node (trackbench.childRunPerNode). */
export function childRunsOf(options: Record<string, unknown>): boolean {
  try {
    return loadTrackingConfig({ inline: options.mlflow ?? {} }).trackbench.childRunPerNode;
  } catch {
    return false;
  }
}

/** Built-in tracking hooks spill into the suite's folder for the run unless told otherwise. */
function withSpillDir(options: Record<string, unknown>, dir: string): Record<string, unknown> {
  const mlflow = (options.mlflow ?? {}) as { trackbench?: { spillDir?: string } };
  if (mlflow.trackbench?.spillDir) return options;
  return { ...options, mlflow: { ...mlflow, trackbench: { ...mlflow.trackbench, spillDir: dir } } };
}

/** A target from a hook factory: built-ins, modules, and the suite's own mutants. */
export function factoryTarget(
  id: string,
  factory: HookFactory,
  options: Record<string, unknown> = {},
  tracking = false,
): Target {
  const target: Target = {
    id,
    inProcess: true,
    paramsConfig: paramsConfigOf(options),
    childRunPerNode: childRunsOf(options),
    timeoutMs: IN_PROCESS_TIMEOUT_MS,
    stuck: () => stuckMessage(factory, target.timeoutMs),
    async run(scenario, ctx) {
      const config = tracking ? withSpillDir(options, ctx.workDir) : options;
      const { hooks, warnings } = await hooksOnce(built, ctx, (sink) =>
        hooksFrom(factory, config, ctx, sink, target.timeoutMs),
      );
      return runInProcess(scenario, { name: id, hooks }, warnings, ctx);
    },
  };
  const built: BuiltHooks = new WeakMap();
  return target;
}

/** Factories that did not settle within a situation's time: not called again, as each call would hold its
 * situation as long (11 situations, 11 minutes). */
const stuckFactories = new WeakSet<HookFactory>();

function stuckMessage(factory: HookFactory, timeoutMs: number): string | undefined {
  return stuckFactories.has(factory)
    ? `its factory did not settle within ${timeoutMs / 1000} s in an earlier situation (not called again)`
    : undefined;
}

/** A target's hooks by situation (its run context), with where their warnings go. */
type BuiltHooks = WeakMap<RunContext, { hooks: Hooks; sink: { warnings: string[] } }>;

/**
 * The hooks for a situation's pipeline run, made at its first: a second run (`twice`) reuses them, as Kedro
 * does (a project's hooks are made once per process, in settings.py, and serve every session). Each run's
 * warnings go to a list of its own.
 */
async function hooksOnce(
  built: BuiltHooks,
  ctx: RunContext,
  make: (sink: { warnings: string[] }) => Promise<Hooks>,
): Promise<{ hooks: Hooks; warnings: string[] }> {
  let made = built.get(ctx);
  if (!made) {
    const sink = { warnings: [] as string[] };
    made = { hooks: await make(sink), sink };
    built.set(ctx, made);
  }
  made.sink.warnings = [];
  return { hooks: made.hooks, warnings: made.sink.warnings };
}

async function hooksFrom(
  factory: HookFactory,
  options: Record<string, unknown>,
  ctx: RunContext,
  sink: { warnings: string[] },
  timeoutMs: number,
): Promise<Hooks> {
  const stuck = stuckMessage(factory, timeoutMs);
  if (stuck) throw new Error(stuck);
  // Configured with an experiment (tracking.experiment.name): each situation names its own in its place (one
  // server may serve them all), and the scenario another name, so a hook that ignores the setting is seen.
  const configured = setsPath(options, 'tracking.experiment.name');
  const made = factory(configured ? withPairs(options, [`experiment=${ctx.experimentName}`]) : options, {
    scenarioName: configured ? `${ctx.experimentName}-pipeline` : ctx.experimentName,
    scenarioDir: process.cwd(),
    trackingUri: ctx.trackingUri,
    warn: (m) => void sink.warnings.push(m),
  });
  if (!isThenable(made)) return made;
  return settleWithin(made, timeoutMs, () => {
    stuckFactories.add(factory);
    return new SituationTimeoutError(`its factory did not settle within ${timeoutMs / 1000} s`, timeoutMs);
  });
}

async function runInProcess(
  scenario: ConformanceScenario,
  target: NamedHooks,
  warnings: string[],
  ctx: RunContext,
): Promise<TargetRun> {
  const completed: string[] = [];
  let failedNode: string | undefined;
  const watcher: Hooks = {
    afterNodeRun: (node) => void completed.push(node.name),
    onNodeError: (_e, node) => void (failedNode = node.name),
  };
  // The hooks run a copy: a hook that changes the parameters in place must not change the scenario.
  const pipeline = structuredClone(scenario.pipeline);
  const seen = witness(pipeline.parameters);
  const hooks: NamedHooks[] = [
    { name: 'trackbench.witness', hooks: seen.first },
    { name: 'trackbench.watch', hooks: watcher },
    target,
  ];
  if (scenario.outage) {
    const { from, to } = scenario.outage;
    // First in line, so the target meets the server already down (or back) at that node.
    hooks.unshift({
      name: 'trackbench.outage',
      hooks: {
        beforeNodeRun: (node) => {
          if (node.index === from) ctx.setDown(true);
          if (node.index === to) ctx.setDown(false);
        },
      },
    });
  }
  if (scenario.hookErrorAt !== undefined) {
    const at = scenario.hookErrorAt;
    hooks.push({
      name: 'trackbench.inject',
      hooks: {
        beforeNodeRun: (node) => {
          if (node.index === at) throw new Error(injectedPipelineError(node.name));
        },
      },
    });
  }
  hooks.push({ name: 'trackbench.witness-end', hooks: seen.last });
  let pipelineError: string | undefined;
  try {
    await runSession(pipeline, { hooks, runner: scenario.runner });
  } catch (err) {
    pipelineError = err instanceof Error ? err.message : String(err);
  }
  const { window, nodes, changed, overridden } = seen.finish();
  return {
    pipelineError,
    output: warnings.join('\n'),
    completedNodes: completed,
    failedNode,
    timing: [{ window, nodes }],
    hookChanges: changed,
    inputOverrides: overridden,
    runner: runnerName(scenario.runner),
  };
}

/** Why a command says its pipeline failed: its `pipeline failed: ...` line (trackbench_kedro's runner), else its
 * last line that reads as an error, so a check can tell a failure that names MLflow from a silent one (a log line
 * that happens to name MLflow is not a reason). */
function failureLine(output: string): string {
  const lines = output
    .split('\n')
    .map((l) => l.trim())
    .reverse();
  const said =
    lines.find((l) => l.startsWith('pipeline failed:')) ??
    lines.find((l) => /^\w*(Error|Exception)\b|\b(error|exception|traceback|failed)\b/i.test(l));
  return said ? `: ${said.slice(0, 500)}` : '';
}

/** What a situation tells a command through its environment, and nothing of it inherited from trackbench's own:
 * the node at which its runner puts in the failing hook, and Kedro's concurrent runner for a parallel situation. */
function situationEnv(scenario: ConformanceScenario, injectAt: string | undefined): Record<string, string> {
  return {
    ...(injectAt ? { TRACKBENCH_HOOK_ERROR_AT: injectAt } : {}),
    ...(scenario.runner?.kind === 'parallel'
      ? { TRACKBENCH_RUNNER: `ThreadRunner:${scenario.runner.concurrency}` }
      : {}),
  };
}

/** How long a command may take to exit after SIGINT (`interrupted`): its teardown, as after a pipeline run's end. */
const INTERRUPT_GRACE_MS = COMMAND_EXIT_GRACE_MS;

/** SIGINT is due once `at` nodes are said done and not yet all of them: a command done with its pipeline (one that
 * ignores the situation's node sleeps) is not interrupted, and RUN-016 says so rather than judging its teardown. */
function interruptDue(file: string, at: number, total: number): () => boolean {
  return () => {
    const n = doneNodes(file).length;
    return n >= at && n < total;
  };
}

/** A process that runs the described pipeline; `env` is added to its environment. */
export function commandTarget(
  id: string,
  command: string,
  timeoutMs = 120_000,
  env: Record<string, string> = {},
): Target {
  return {
    id,
    inProcess: false,
    timeoutMs: timeoutMs + 5_000,
    async run(scenario, ctx) {
      const { trackingUri, experimentName } = ctx;
      const dir = mkdtempSync(join(tmpdir(), 'trackbench-target-'));
      try {
        const file = join(dir, 'pipeline.json');
        writeFileSync(file, JSON.stringify(describePipeline(scenario.pipeline, experimentName)));
        const nodesFile = join(dir, 'nodes.txt');
        const runs = new CommandRuns();
        // The node at which the extra hook fails the pipeline, for a runner that puts that hook in (it says so).
        const injectAt = scenario.hookErrorAt === undefined ? undefined : scenario.pipeline.nodes[scenario.hookErrorAt];
        const inherited = { ...process.env, ...env };
        delete inherited.TRACKBENCH_HOOK_ERROR_AT;
        delete inherited.TRACKBENCH_RUNNER;
        // A command that honours TRACKBENCH_PIPELINE_RUNS runs the pipeline that many times in one process, as a
        // notebook or scheduler running a project again does (its hooks keep their state between runs); one that
        // runs it once is run again for the rest.
        for (let done = 0; done < scenario.repeat;) {
          rmSync(nodesFile, { force: true });
          const startMs = Date.now();
          const asked = scenario.repeat - done;
          const at = scenario.interruptAfter;
          const total = scenario.pipeline.nodes.length;
          const { code, signal, output, timedOut, escaped, outputHeld, interrupted } = await runExternal(
            command,
            {
              ...inherited,
              MLFLOW_TRACKING_URI: trackingUri,
              TRACKBENCH_PIPELINE_FILE: file,
              TRACKBENCH_NODES_FILE: nodesFile,
              TRACKBENCH_PIPELINE_RUNS: String(asked),
              ...situationEnv(scenario, injectAt?.name),
              TMPDIR: ctx.workDir,
            },
            timeoutMs,
            undefined,
            at === undefined ? undefined : { due: interruptDue(nodesFile, at, total), graceMs: INTERRUPT_GRACE_MS },
          );
          runs.output(output);
          if (at !== undefined && interrupted) {
            // Cut off before it said enough nodes done: the situation did not happen (its own error).
            if (timedOut && !interrupted.sent)
              throw new SituationTimeoutError(
                `the command was still running after ${timeoutMs / 1000} s, not interrupted (it said ` +
                  `${doneNodes(nodesFile).length} of ${total} nodes done; SIGINT is sent at ${at}, not after all): ` +
                  'stopped',
                timeoutMs,
              );
            runs.run(nodesFile, { startMs, endMs: Date.now() });
            const how = interrupted.killed
              ? `still running ${INTERRUPT_GRACE_MS / 1000} s after SIGINT: killed`
              : `exited with code ${code}`;
            const done = doneNodes(nodesFile);
            return runs.result({
              pipelineError: interrupted.sent
                ? `interrupted (SIGINT) once ${at} or more nodes were said done: the command ${how}`
                : undefined,
              // Not interrupted: it ended by itself, every node it started done.
              completedNodes: interrupted.sent ? done : (readStartedNodes(nodesFile) ?? []),
              interrupt: { ...interrupted, doneNodes: done.length },
            });
          }
          const life = { startMs, endMs: Date.now() };
          const runFiles = splitPipelineRuns(nodesFile, asked).slice(0, asked);
          for (const [i, runFile] of runFiles.entries()) {
            done++;
            const { said, within } = runs.run(runFile, life);
            // The process's exit and code belong to its last run: an earlier one ended with the process going on.
            if (i < runFiles.length - 1) continue;
            // A process it started that outlived it (found and killed by runExternal) is what RUN-012 forbids.
            const left = Boolean(escaped?.length) || Boolean(outputHeld);
            const afterMs = within && life.endMs - within.endMs;
            // Stopped at its time limit before its pipeline run said it ended: the situation was cut off, its own
            // error (a process that outlives a pipeline run it said ended is a finding: RUN-012).
            if (timedOut && afterMs === undefined)
              throw new SituationTimeoutError(
                `the command was still running after ${timeoutMs / 1000} s, its pipeline run not ended: stopped`,
                timeoutMs,
              );
            runs.exit(
              afterMs === undefined
                ? undefined
                : {
                    exited: !timedOut,
                    afterMs,
                    code: timedOut ? null : code,
                    graceMs: COMMAND_EXIT_GRACE_MS,
                    ...(left ? { leftProcesses: true } : {}),
                  },
            );
            const ended = timedOut
              ? `was still running after ${timeoutMs / 1000} s: stopped`
              : `${endedHow(code, signal)}${code === 0 ? '' : failureLine(output)}`;
            // The runner says it failed the pipeline there, and the command failed: else the situation did not happen.
            if (injectAt && said.injected !== injectAt.name)
              throw new Error(
                `the command did not reach the failing hook at node ${injectAt.name} ` +
                  `(TRACKBENCH_HOOK_ERROR_AT, which trackbench_kedro's runner honours): it ${ended}`,
              );
            if (injectAt && code === 0)
              throw new Error(
                `a hook failed the pipeline at node ${injectAt.name}, yet the command exited with code 0`,
              );
            if (injectAt || code !== 0) {
              const started = readStartedNodes(runFile);
              return runs.result({
                pipelineError: injectAt
                  ? `command ${ended} (a hook failed the pipeline at ${injectAt.name})`
                  : timedOut
                    ? `command still running after ${timeoutMs / 1000} s: stopped (the pipeline did not complete)`
                    : `command ${ended}`,
                ...(injectAt
                  ? { completedNodes: completedBefore(injectAt.name, started, scenario.pipeline) }
                  : completedBeforeFailure(scenario.pipeline, started)),
              });
            }
          }
          // It took the runs on and ended well short of them: a run that did not happen is not run again (a rerun
          // in a fresh process would hide what state kept from one run to the next did).
          const { tookOn, ran } = pipelineRunsSaid(nodesFile);
          if (tookOn !== undefined && tookOn >= asked && ran < asked && !timedOut && code === 0)
            return runs.result({
              pipelineError:
                `command exited with code 0 after ${ran} of the ${asked} pipeline runs it took on ` +
                `(TRACKBENCH_PIPELINE_RUNS): the rest did not run`,
              completedNodes: [],
            });
        }
        return runs.result({ completedNodes: scenario.pipeline.nodes.map((n) => n.name) });
      } finally {
        // the description, the nodes file and its runs' parts
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

/** `builtin:<name>`, `module:<path>` or `command:<shell command>`. */
export function parseTarget(spec: string, options: Record<string, unknown> = {}): Target {
  const [kind, ...rest] = spec.split(':');
  const value = rest.join(':');
  if (kind === 'builtin') {
    const builtin = BUILTIN_HOOKS[value];
    if (!builtin || !builtin.tracking) {
      const names = Object.entries(BUILTIN_HOOKS)
        .filter(([, b]) => b.tracking)
        .map(([n]) => n);
      const hint = closest(value, names);
      throw InputError.flag(
        '--target',
        `${quotedInput(spec)}: no tracking built-in named ${quotedInput(value)}` +
          `${hint ? ` (did you mean "builtin:${hint}"?)` : ''}; built-ins: ${names.join(', ')}`,
      );
    }
    // Spill files go to the suite's folder for each run (withSpillDir), read and removed after it.
    return {
      ...factoryTarget(spec, builtin.factory, options, true),
      spawn: { spec, options },
      modes: () => builtin.modes ?? [],
      options,
      configure: (o) => parseTarget(spec, o),
    };
  }
  if (kind === 'module') {
    const path = resolve(value);
    if (!existsSync(path)) throw InputError.flag('--target', `${quotedInput(spec)}: no such file ${path}`);
    const target: Target = {
      id: spec,
      inProcess: true,
      paramsConfig: paramsConfigOf(options),
      childRunPerNode: childRunsOf(options),
      timeoutMs: IN_PROCESS_TIMEOUT_MS,
      load: () => loadHookModule(path),
      // Checked to be a function when loaded.
      stuck: () => {
        const factory = loadedFactory(path) as HookFactory | undefined;
        return factory && stuckMessage(factory, target.timeoutMs);
      },
      spawn: { spec: `module:${path}`, options },
      // Known once the module is loaded (its `conformanceModes` export).
      modes: () => loadedModes(path),
      options,
      configure: (o) => parseTarget(spec, o),
      async run(scenario, ctx) {
        if (!loadedFactory(path)) await loadHookModule(path);
        // Checked to be a function when loaded.
        const factory = loadedFactory(path) as HookFactory;
        const { hooks, warnings } = await hooksOnce(built, ctx, (sink) =>
          hooksFrom(factory, options, ctx, sink, target.timeoutMs),
        );
        return runInProcess(scenario, { name: spec, hooks }, warnings, ctx);
      },
    };
    const built: BuiltHooks = new WeakMap();
    return target;
  }
  if (kind === 'command' && value.trim()) return commandTarget(spec, value);
  if (kind === 'kedro' && value.trim()) return kedroTarget(value);
  throw InputError.flag(
    '--target',
    `${quotedInput(spec)}: expected builtin:<name>, module:<path>, command:<shell command> ` +
      'or kedro:<scenario.yaml>[#label]',
  );
}
