// `trackbench trace`: one pipeline run with one hook against the embedded mock, and what the hook
// sent: requests by endpoint, bytes, and values produced vs. read back from MLflow (params as `run` counts them).
import { descendants, killStartedSince, registerCleanup } from '../common/cleanup.ts';
import { indentedTail } from '../common/last-lines.ts';
import { capStreamWrites } from '../common/output-cap.ts';
import { HookTimeoutError } from '../pipeline/hooks.ts';
import { startHttpMock } from '../backends/mock/http-server.ts';
import { startInProcessMock } from '../backends/mock/in-process.ts';
import { summarizeRequests } from '../backends/mock/request-log.ts';
import { EnvironmentError, errorMessage } from '../errors.ts';
import type { DeliveredCounts } from '../mlflow/readback.ts';
import { generatePipeline } from '../pipeline/generate.ts';
import { runSession } from '../pipeline/session.ts';
import type { HookRef, Scenario } from '../scenario/types.ts';
import { resolveHook } from '../tracking/registry.ts';
import { runCommandTrial } from './command-trial.ts';
import { isExternal, prepareExternalHook, type ExternalHook } from './external-hooks.ts';
import { reportedStats } from './hook-stats.ts';
import { plannedProduction, productionCounter, productionShortfall, type Produced } from './produced.ts';
import { watchHooksPendingWork } from './hooks-watch.ts';
import { pendingAfterRun } from './pending-work.ts';
import { expectedValues, matchRulesOf, readBackWork, ServerReader } from './server-values.ts';
import { readBackTimeoutMs } from '../mlflow/read-deadline.ts';

export interface TraceResult {
  hook: string;
  apiCalls: number;
  byEndpoint: Record<string, number>;
  requestBytes: number;
  responseBytes: number;
  errors: number;
  generated: DeliveredCounts;
  delivered: DeliveredCounts;
  /** Generated but not found in MLflow. */
  lost: DeliveredCounts;
  /** Values the hook itself reports as written to its spill file. */
  spilled: number;
  spillFile?: string;
  runs: number;
  pipelineError?: string;
  /** Whether an earlier run had already created the experiment and registered models (the steady state). */
  warm: boolean;
  /** What a hook in this process left pending when the run ended (pending-work.ts): no trace, as a failed trial. */
  pendingWork?: string[];
  /** The hook ran in a process of its own (a `command:` or `kind: kedro` hook), as a trial of `run` does: the
   * tags it meant to log and what it spilled are its own to know (`generated.tags` is what it delivered). */
  external?: boolean;
}

export interface TraceOptions {
  /** Trace the very first run against an empty server, instead of the steady state. */
  cold?: boolean;
  warn?: (message: string) => void;
}

export async function trace(scenario: Scenario, ref: HookRef, options: TraceOptions = {}): Promise<TraceResult> {
  // The hook runs in this process, so what it starts (a server, a `sleep`) is this process's child, in this
  // process's group (not its own, as a trial's is): stopped at the end, on a failure and on SIGINT/SIGTERM,
  // as `run` stops a trial's group. Whatever this process had started before is left alone.
  const before = new Set(descendants());
  const stopStarted = (): void => killStartedSince(before);
  const unregister = registerCleanup({ name: 'what the traced hook started', stop: stopStarted, kill: stopStarted });
  // What the hook prints is passed on up to a limit, as conformance does for hooks in its process.
  const uncap = capStreamWrites();
  try {
    return await traceRuns(scenario, ref, options);
  } finally {
    uncap();
    stopStarted();
    unregister();
  }
}

/** One traced pipeline run: its error, the tags the hook says it generated, what it spilled, what it produced. */
interface Outcome {
  error?: string;
  tags?: number;
  spilled: number;
  spillFile?: string;
  produced: Produced;
}

/** One run of a hook in its own process (tracking on), as `run` runs its trials: a failed trial is no trace. */
async function runExternalOnce(
  scenario: Scenario,
  ref: HookRef,
  external: ExternalHook,
  trackingUri: string,
): Promise<Outcome> {
  const variant = { kind: 'with' as const, hook: ref };
  const reply = await runCommandTrial({ scenario, variant, trackingUri, external }, external);
  if (!reply.ok) {
    throw new EnvironmentError(
      `hook "${ref.label}": ${reply.error}${indentedTail(reply.outputTail, 'last output:\n  ')}`,
    );
  }
  return { error: reply.pipelineError, spilled: 0, produced: reply.produced };
}

async function traceRuns(scenario: Scenario, ref: HookRef, options: TraceOptions): Promise<TraceResult> {
  // Provisioned once for the warm-up run and the traced one.
  const external = isExternal(ref) ? await prepareExternalHook(ref, scenario) : undefined;
  // A hook in a process of its own reaches the mock over loopback, as a trial does.
  const backend = external ? await startHttpMock() : await startInProcessMock();
  // Each run gets a pipeline of its own and what is expected is read from another: a hook may change what it is
  // given (the nodes, their inputs), and must not change what it is checked against. As in `run`, a pipeline
  // that did not produce what it was generated to (failAt aside) is no trace.
  const pipeline = generatePipeline(scenario.pipeline);
  const planned = (scenario.pipeline.failAt ?? null) === null ? plannedProduction(pipeline) : undefined;
  const warn = options.warn ?? (() => {});
  const runOnce = async (): Promise<Outcome> => {
    if (external) return runExternalOnce(scenario, ref, external, backend.trackingUri);
    const hook = await resolveHook(ref, scenario, { trackingUri: backend.trackingUri, warn });
    const counter = productionCounter();
    let error: string | undefined;
    try {
      await runSession(generatePipeline(scenario.pipeline), {
        hooks: [{ name: 'trackbench.produced', hooks: counter.hooks }, hook],
        runner: scenario.runner,
      });
    } catch (err) {
      // A hook that never settles is no trace: fail (exit 3) saying which call hung.
      if (err instanceof HookTimeoutError) throw err;
      error = errorMessage(err);
    }
    const short = !error && planned && productionShortfall(counter.produced, planned);
    if (short) error = `the pipeline did not run as generated (hook "${ref.label}" changed it or its data?): ${short}`;
    const stats = reportedStats(hook);
    return {
      error,
      tags: stats?.tags ?? 0,
      spilled: stats?.spilled ?? 0,
      spillFile: stats?.spillFile,
      produced: counter.produced,
    };
  };
  // As `run` reads a trial's values back (server-values.ts): the runs created since the look before the traced run.
  const reader = new ServerReader(
    backend.trackingUri,
    readBackTimeoutMs(readBackWork(pipeline, expectedValues(pipeline))),
  );
  // A hook in a process of its own leaves nothing in this one; one in this process is checked as a trial's.
  const watch = external ? undefined : await watchHooksPendingWork([ref]);
  try {
    if (!options.cold) await runOnce();
    await reader.prime();
    const mark = backend.requestLog.mark();
    const outcome = await runOnce();
    const pending = watch ? await pendingAfterRun(watch) : [];
    const summary = summarizeRequests(backend.requestLog.since(mark));
    const p = outcome.produced;
    const read = await reader.deliveredSince(p, expectedValues(pipeline), matchRulesOf(ref, scenario));
    if (!read.available) throw new EnvironmentError(`hook "${ref.label}": no verdict on values: ${read.reason}`);
    const delivered = read.found;
    const generated: DeliveredCounts = {
      params: p.params,
      metrics: p.metrics,
      tags: outcome.tags ?? delivered.tags,
      artifacts: p.artifacts,
      models: p.models,
    };
    const lost = Object.fromEntries(
      Object.entries(generated).map(([k, v]) => [k, Math.max(0, v - delivered[k as keyof DeliveredCounts])]),
    ) as unknown as DeliveredCounts;
    return {
      hook: ref.label,
      apiCalls: summary.apiCalls,
      byEndpoint: summary.byEndpoint,
      requestBytes: summary.requestBytes,
      responseBytes: summary.responseBytes,
      errors: summary.errors,
      generated,
      delivered,
      lost,
      spilled: outcome.spilled,
      spillFile: outcome.spillFile,
      runs: read.runs,
      pipelineError: outcome.error,
      warm: !options.cold,
      ...(external ? { external: true } : {}),
      ...(pending.length ? { pendingWork: pending } : {}),
    };
  } finally {
    watch?.stop();
    await backend.stop();
  }
}
