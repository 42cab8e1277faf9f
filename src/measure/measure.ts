// Runs a scenario's trials: one backend for the whole run (in this process, so its memory and I/O
// are never billed to a hook), one fresh child process per trial, variants interleaved by the
// schedule, API calls attributed to each trial from the backend's request log.
import { withRequestLog } from '../backends/recording-proxy.ts';
import { startBackend } from '../backends/start.ts';
import type { Scenario } from '../scenario/types.ts';
import { prepareExternalHooks } from './external-hooks.ts';
import { runTrialProcess } from './run-trial.ts';
import { schedule } from './schedule.ts';
import {
  baselineFor,
  COUNTED_METRICS,
  METRICS,
  type MetricName,
  type TrialReply,
  type TrialResult,
  type Variant,
} from './trial-types.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerTempDir } from '../common/cleanup.ts';
import { watchGroups } from '../common/watchdog.ts';
import { EnvironmentError, InputError } from '../errors.ts';
import { generatePipeline } from '../pipeline/generate.ts';
import { INJECTED_FAILURE } from '../pipeline/work.ts';
import { bootstrapPaired, overheadRatio } from '../stats/basic.ts';
import { logsValues } from '../tracking/registry.ts';
import { environment, type Environment } from './environment.ts';
import { findValgrind, type Instrument } from './instrument.ts';
import { indentedTail } from '../common/last-lines.ts';
import { pendingWorkMessage } from './pending-work.ts';
import { plannedProduction, productionShortfall, type Produced } from './produced.ts';
import { expectedValues, matchRulesOf, readBackWork, ServerReader } from './server-values.ts';
import { ReadBackTimeoutError, readBackTimeoutMs } from '../mlflow/read-deadline.ts';

/** A trial failed and the user did not ask to go on (--allow-failures): the run stops, no report. */
export class TrialFailedError extends EnvironmentError {
  constructor(message: string) {
    super(message);
    this.name = 'TrialFailedError';
  }
}

/** What a trial's run must show to be a measurement of the scenario's pipeline. */
export interface TrialExpectations {
  /** The scenario injects a node failure (failAt): only that failure is expected. */
  failAt: boolean;
  /** What the generated pipeline produces when it runs whole (without failAt), to check each trial against. */
  planned?: Produced;
  /** The data digest of the first trial without hooks (produced.ts), once there was one: later ones must match. */
  dataDigest?: number;
}

/** Why a trial is not a measurement, or undefined when it is one. */
export function trialFailure(reply: TrialReply, expected: TrialExpectations): string | undefined {
  if (!reply.ok) return reply.error;
  // The injected failure is the only error a failAt scenario expects: any other (a hook's) is a failure.
  const injected = expected.failAt && reply.pipelineError?.startsWith(INJECTED_FAILURE);
  if (reply.pipelineError && !injected) return `its pipeline failed: ${reply.pipelineError}`;
  if (reply.pendingWork?.length) return pendingWorkMessage(reply.pendingWork);
  // A command: trial runs a pipeline that fails as its own process's exit code.
  if (reply.exitCode !== undefined && !expected.failAt) return `its process exited with code ${reply.exitCode}`;
  const short = expected.planned && productionShortfall(reply.produced, expected.planned);
  if (short) return `its pipeline did not run as generated (a hook changed it or its data?): ${short}`;
  if (expected.dataDigest !== undefined && reply.dataDigest !== undefined && reply.dataDigest !== expected.dataDigest)
    return (
      'its pipeline did not run as generated: the data it saved differs from that of a run without hooks ' +
      "(a hook changed a node's inputs, outputs or parameters in place?)"
    );
  return undefined;
}

/**
 * Takes a run without hooks' data digest as the one every trial must have, if none was taken yet and the run was
 * whole and healthy: one that failed partway (a full disk, with --allow-failures) would fail every later trial.
 */
export function noteDataDigest(reply: TrialReply, expected: TrialExpectations): void {
  if (expected.dataDigest !== undefined || expected.failAt || !reply.ok || reply.pipelineError) return;
  if (trialFailure(reply, expected) === undefined) expected.dataDigest = reply.dataDigest;
}

export interface Progress {
  /** Which part of a longer job this is (a sweep's size), when it is one. */
  part?: string;
  done: number;
  total: number;
  variant: string;
  round: number;
  warmup: boolean;
  elapsedMs: number;
}

export interface MeasureOptions {
  quick?: boolean;
  /** cpu-sim: count each trial's instructions under Valgrind (README: "Instruction counts"). */
  instrument?: Instrument;
  /** Keep measuring when a trial fails (its rounds leave the figures; reports and the gate show it). */
  allowFailures?: boolean;
  onProgress?: (p: Progress) => void;
}

export interface Measurement {
  trials: TrialResult[];
  backend: string;
  /** Backend start to answering /health (containers, real servers), when the backend measured it. */
  backendStartupMs?: number;
  repetitions: number;
  warmup: number;
  startedAt: string;
  durationMs: number;
  environment: Environment;
  /** Why a figure could not be had in this run (e.g. the instrument without Valgrind). */
  unavailable: Partial<Record<MetricName, string>>;
  /** With adaptive repetitions: why measuring stopped. */
  adaptive?: string;
  /** What each kedro hook's environment holds, by hook label. */
  versions: Record<string, Record<string, string | null>>;
  /** The instrument asked for (null: none), and whether failed trials were let pass (MeasureOptions). */
  instrument: Instrument | null;
  allowFailures: boolean;
}

/** Widest 95% interval of the wall-time overhead ratio over the hooks, from the rounds so far. */
function widestInterval(trials: TrialResult[], hooks: string[], seed: number): number {
  const measured = trials.filter((t) => !t.warmup && !t.failure);
  let widest = 0;
  for (const hook of hooks) {
    const base = new Map(baselineFor(measured, hook).map((t) => [t.round, t.probes.wallMs!]));
    const pairs = measured.filter((t) => t.hook === hook && base.has(t.round));
    const [lo, hi] = bootstrapPaired(
      pairs.map((t) => base.get(t.round)!),
      pairs.map((t) => t.probes.wallMs!),
      overheadRatio,
      { seed, resamples: 2000 },
    );
    widest = Math.max(widest, hi - lo);
  }
  return widest;
}

export async function measure(scenario: Scenario, options: MeasureOptions = {}): Promise<Measurement> {
  const valgrind = options.instrument ? findValgrind() : undefined;
  const counting = valgrind && 'path' in valgrind ? valgrind.path : undefined;
  const unavailable: Partial<Record<MetricName, string>> = {};
  if (valgrind && 'unavailable' in valgrind) for (const m of COUNTED_METRICS) unavailable[m] = valgrind.unavailable;
  if (counting) {
    for (const m of ['wallMs', 'cpuMs', 'peakRssBytes', 'diskWriteBytes', 'writeBytes'] as const)
      unavailable[m] = "not measured under Valgrind (--instrument cpu-sim): the figure would be Valgrind's";
    unavailable.retainedBytes =
      'not measured under --instrument cpu-sim: its forced full collections would be counted in the run';
  }
  // Counts repeat (no noise to average): a few rounds are enough.
  const repetitions = counting
    ? Math.min(scenario.trials.quickRepetitions, scenario.trials.repetitions)
    : options.quick
      ? Math.min(scenario.trials.quickRepetitions, scenario.trials.repetitions)
      : scenario.trials.repetitions;
  // Counted trials get one warm-up round, run without Valgrind: it leaves the server as every counted
  // trial finds it (the hook's experiment exists), so the first does not send more requests.
  const warmup = counting ? 1 : options.quick ? Math.min(1, scenario.trials.warmup) : scenario.trials.warmup;
  const externals = await prepareExternalHooks(scenario);
  // One shared "without" for the hooks run in trackbench's runner; one per external hook.
  const variants: Variant[] = [
    ...(scenario.hooks.some((h) => !externals.has(h.label)) ? [{ kind: 'without' } as const] : []),
    ...scenario.hooks.flatMap((hook): Variant[] =>
      externals.has(hook.label)
        ? [
            { kind: 'without', of: hook.label },
            { kind: 'with', hook },
          ]
        : [{ kind: 'with', hook }],
    ),
  ];
  const plan = schedule(variants, repetitions, warmup, scenario.trials.order, scenario.trials.seed);
  const adaptive = options.quick || counting ? undefined : scenario.trials.adaptive;
  const env = environment(scenario.hooks, scenario.source);
  // Trials get a temp folder of the run's own, registered before any trial: an interrupted run stops its
  // trials first (newest first), then removes whatever they left here.
  const tempDir = mkdtempSync(join(tmpdir(), 'trackbench-trials-'));
  const unregisterTempDir = registerTempDir(tempDir);
  // Killed outright (SIGKILL: no cleanup runs), this process leaves the trial running and its folder: the
  // watchdog then stops the trial's process group (what its hook started too) and removes the folder. Started
  // here, once, not beside each trial's start-up (runTrialProcess tells it each trial's group).
  const watchdog = watchGroups({ remove: tempDir });
  const removeTempDir = (): void => {
    watchdog.release();
    unregisterTempDir();
    rmSync(tempDir, { recursive: true, force: true });
  };
  const backend = await withRequestLog(await startBackend(scenario.backend)).catch((err: unknown) => {
    removeTempDir();
    throw err;
  });
  const generated = generatePipeline(scenario.pipeline);
  const expectedAtServer = expectedValues(generated);
  const reader = new ServerReader(backend.trackingUri, readBackTimeoutMs(readBackWork(generated, expectedAtServer)));
  // Each hook's rules: the form its params must reach the server in, whether its metric keys are known.
  const matchRules = new Map(scenario.hooks.map((h) => [h.label, matchRulesOf(h, scenario)]));
  const failAt = scenario.pipeline.failAt !== null;
  // The production counter runs in the trial, where a hook could change the pipeline it counts.
  const expected: TrialExpectations = {
    failAt,
    planned: failAt ? undefined : plannedProduction(generated),
  };
  const startedAt = new Date();
  const t0 = performance.now();
  const trials: TrialResult[] = [];
  let rounds = repetitions;
  let stopped: string | undefined;
  try {
    await named(reader.prime(), 'before the first trial');
    for (let seq = 0; seq < plan.length; seq++) {
      const item = plan[seq]!;
      const v = item.variant;
      const of = v.kind === 'with' ? v.hook.label : v.of;
      const label = v.kind === 'with' ? v.hook.label : v.of ? `without (${v.of})` : 'without';
      options.onProgress?.({
        done: seq,
        total: plan.length,
        variant: label,
        round: item.round,
        warmup: item.warmup,
        elapsedMs: performance.now() - t0,
      });
      const mark = backend.requestLog?.mark() ?? 0;
      const which = `trial ${seq + 1} (${label}, ${item.warmup ? 'warm-up' : `round ${item.round + 1}`})`;
      // A trial process that could not start or died without a result is a failed trial too, named like any other.
      const reply: TrialReply = await runTrialProcess(
        {
          scenario,
          variant: v,
          trackingUri: backend.trackingUri,
          valgrind: item.warmup ? undefined : counting,
          tempDir,
          external: of ? externals.get(of) : undefined,
        },
        scenario.trials.timeoutMs,
        watchdog,
      ).catch((err: unknown) => {
        if (!(err instanceof EnvironmentError)) throw err;
        return { ok: false, error: err.message };
      });
      // A hook module that cannot be loaded is bad input, whatever --allow-failures says.
      if (!reply.ok && reply.badInput) throw new InputError(reply.badInput);
      const requests = backend.requestLog?.since(mark);
      if (reply.ok) Object.assign(unavailable, reply.unavailable);
      // An external hook's run with tracking off must not track: its runs would be counted in the next with-trial.
      const tracked =
        v.kind === 'without' && v.of && reply.ok ? await named(reader.newRunCount(), `after ${which}`) : 0;
      // The first run without hooks (in this process's kind, not an external one's) says what the data must be.
      if (v.kind === 'without' && !v.of) noteDataDigest(reply, expected);
      const failure =
        trialFailure(reply, expected) ??
        (tracked
          ? `tracking was not off: ${tracked} run(s) reached the server in its run without tracking`
          : undefined);
      if (failure && !options.allowFailures)
        throw new TrialFailedError(
          `${which} failed: ${failure}` +
            indentedTail(reply.outputTail, 'last output:\n  ') +
            '\n  no report written (a failed trial is not a measurement); --allow-failures measures on and shows it',
        );
      const hook = item.variant.kind === 'with' ? label : null;
      const baselineOf = v.kind === 'without' && v.of ? { baselineOf: v.of } : {};
      const base = { hook, ...baselineOf, round: item.round, warmup: item.warmup, seq };
      if (!reply.ok) {
        // The runs it created before it failed are its own: not the next trial's (a "without" that tracked).
        await named(reader.newRunCount(), `after ${which}`);
        trials.push({ ...base, probes: nullProbes(), produced: noProduction(), failure });
        continue;
      }
      trials.push({
        ...base,
        probes: {
          ...reply.probes,
          retainedBytes: reply.probes.retainedBytes ?? null,
          startupMs: counting ? null : (reply.probes.startupMs ?? null),
          instructions: reply.probes.instructions ?? null,
          allocatorInstructions: reply.probes.allocatorInstructions ?? null,
          setupInstructions: reply.probes.setupInstructions ?? null,
          // Every request counts, answered or refused: a run against a dead server is not "0 calls".
          apiCalls: requests ? requests.length : null,
          requestBytes: requests ? requests.reduce((n, r) => n + r.requestBytes, 0) : null,
        },
        produced: reply.produced,
        values:
          item.variant.kind === 'with' && logsValues(item.variant.hook)
            ? await named(reader.valuesOf(reply.produced, expectedAtServer, matchRules.get(label)!), `after ${which}`)
            : undefined,
        pipelineError: reply.pipelineError,
        failure,
      });
      if (adaptive && seq === plan.length - 1) {
        // Adaptive repetitions: one more interleaved round while the interval is too wide.
        const width = widestInterval(
          trials,
          scenario.hooks.map((h) => h.label),
          scenario.trials.seed,
        );
        const elapsed = (performance.now() - t0) / 1000;
        if (width <= adaptive.targetCiWidth)
          stopped = `interval width ${width.toFixed(3)} <= target ${adaptive.targetCiWidth} after ${rounds} rounds`;
        else if (elapsed >= adaptive.maxSeconds)
          stopped =
            `time budget of ${adaptive.maxSeconds} s spent after ${rounds} rounds (interval width ` +
            `${width.toFixed(3)}, target ${adaptive.targetCiWidth})`;
        else if (rounds >= adaptive.maxRounds)
          stopped = `${rounds} rounds, the maximum (interval width ${width.toFixed(3)})`;
        else {
          const next = schedule(variants, 1, 0, scenario.trials.order, scenario.trials.seed * 1000 + rounds);
          const order = scenario.trials.order === 'abba' && rounds % 2 === 1 ? [...next].reverse() : next;
          for (const n of order) plan.push({ ...n, round: rounds });
          rounds++;
        }
      }
    }
    options.onProgress?.({
      done: plan.length,
      total: plan.length,
      variant: '',
      round: repetitions,
      warmup: false,
      elapsedMs: performance.now() - t0,
    });
  } finally {
    await backend.stop();
    removeTempDir();
  }
  return {
    trials,
    backend: backend.describe,
    backendStartupMs: backend.startupMs,
    repetitions: rounds,
    warmup,
    startedAt: startedAt.toISOString(),
    environment: env,
    unavailable,
    durationMs: performance.now() - t0,
    adaptive: stopped,
    versions: Object.fromEntries([...externals].filter(([, e]) => e.versions).map(([l, e]) => [l, e.versions!])),
    instrument: options.instrument ?? null,
    allowFailures: Boolean(options.allowFailures),
  };
}

/**
 * `read`, a read-back past its deadline named (`during`: which one) and said to leave no report: no figure, no
 * verdict comes of a run whose values could not be read back (exit 3, an environment failure).
 */
async function named<T>(read: Promise<T>, during: string): Promise<T> {
  try {
    return await read;
  } catch (err) {
    throw err instanceof ReadBackTimeoutError ? err.in(`${during}; no report written`) : err;
  }
}

function nullProbes(): Record<MetricName, number | null> {
  return Object.fromEntries(METRICS.map((m) => [m, null])) as Record<MetricName, number | null>; // every key set
}

function noProduction(): TrialResult['produced'] {
  return { params: 0, metrics: 0, artifacts: 0, models: 0, nodesRun: 0 };
}
