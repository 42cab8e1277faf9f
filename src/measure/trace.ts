// `trackbench trace`: one pipeline run with one hook against the embedded mock, and what the hook
// sent: requests by endpoint, bytes, and values produced vs. read back from MLflow (params as `run` counts them).
import { descendants, killStartedSince, registerCleanup } from '../common/cleanup.ts';
import { HookTimeoutError } from '../pipeline/hooks.ts';
import { startInProcessMock } from '../backends/mock/in-process.ts';
import { summarizeRequests } from '../backends/mock/request-log.ts';
import { errorMessage } from '../errors.ts';
import { MlflowClient } from '../mlflow/client.ts';
import { countDelivered, readRun, type DeliveredCounts } from '../mlflow/readback.ts';
import { generatePipeline } from '../pipeline/generate.ts';
import { runSession } from '../pipeline/session.ts';
import type { HookRef, Scenario } from '../scenario/types.ts';
import { isTrackingHooks } from '../tracking/common.ts';
import { paramSettingsOf, resolveHook } from '../tracking/registry.ts';
import { productionCounter } from './produced.ts';
import { expectedValues, metricValuesFound, paramsFound } from './server-values.ts';

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
  try {
    return await traceRuns(scenario, ref, options);
  } finally {
    stopStarted();
    unregister();
  }
}

async function traceRuns(scenario: Scenario, ref: HookRef, options: TraceOptions): Promise<TraceResult> {
  const backend = await startInProcessMock();
  const pipeline = generatePipeline(scenario.pipeline);
  const warn = options.warn ?? (() => {});
  const runOnce = async (): Promise<{
    error?: string;
    tags: number;
    spilled: number;
    spillFile?: string;
    produced: ReturnType<typeof productionCounter>['produced'];
  }> => {
    const hook = await resolveHook(ref, scenario, { trackingUri: backend.trackingUri, warn });
    const counter = productionCounter();
    let error: string | undefined;
    try {
      await runSession(pipeline, {
        hooks: [{ name: 'trackbench.produced', hooks: counter.hooks }, hook],
        runner: scenario.runner,
      });
    } catch (err) {
      // A hook that never settles is no trace: fail (exit 3) saying which call hung.
      if (err instanceof HookTimeoutError) throw err;
      error = errorMessage(err);
    }
    const stats = isTrackingHooks(hook.hooks) ? hook.hooks.stats() : undefined;
    const spilled = stats ? Object.values(stats.spilled ?? stats.lost).reduce((a, b) => a + b, 0) : 0;
    return {
      error,
      tags: stats?.generated.tags ?? 0,
      spilled,
      spillFile: stats?.spillFile,
      produced: counter.produced,
    };
  };
  try {
    if (!options.cold) await runOnce();
    const before = new Set(backend.mock.store.runIds());
    const mark = backend.requestLog.mark();
    const outcome = await runOnce();
    const summary = summarizeRequests(backend.requestLog.since(mark));
    const client = new MlflowClient({ trackingUri: backend.trackingUri, retry: { maxRetries: 0 } });
    const newRuns = backend.mock.store.runIds().filter((id) => !before.has(id));
    const states = [];
    for (const id of newRuns) states.push(await readRun(client, id));
    client.close();
    const p = outcome.produced;
    // Params and metric values as run reads them: the expected key with the expected value, under the hook's
    // settings; each metric value matched once by its value.
    const expected = expectedValues(pipeline);
    const delivered = {
      ...countDelivered(states),
      params: paramsFound(expected.params.slice(0, p.params), paramSettingsOf(ref, scenario), states),
      metrics: metricValuesFound(expected.metrics, states),
    };
    const generated: DeliveredCounts = {
      params: p.params,
      metrics: p.metrics,
      tags: outcome.tags,
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
      runs: newRuns.length,
      pipelineError: outcome.error,
      warm: !options.cold,
    };
  } finally {
    await backend.stop();
  }
}
