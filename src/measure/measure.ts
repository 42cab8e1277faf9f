// Runs a scenario's trials: one backend for the whole run (in this process, so its memory and I/O
// are never billed to a hook), one fresh child process per trial, variants interleaved by the
// schedule, API calls attributed to each trial from the backend's request log.
import { withRequestLog } from '../backends/recording-proxy.ts';
import { startBackend } from '../backends/start.ts';
import type { Scenario } from '../scenario/types.ts';
import { runTrialProcess } from './run-trial.ts';
import { schedule } from './schedule.ts';
import type { TrialResult, Variant } from './trial-types.ts';
import { EnvironmentError } from '../errors.ts';

export interface Progress {
  done: number;
  total: number;
  variant: string;
  round: number;
  warmup: boolean;
  elapsedMs: number;
}

export interface MeasureOptions {
  quick?: boolean;
  onProgress?: (p: Progress) => void;
}

export interface Measurement {
  trials: TrialResult[];
  backend: string;
  repetitions: number;
  warmup: number;
  startedAt: string;
  durationMs: number;
}

export async function measure(scenario: Scenario, options: MeasureOptions = {}): Promise<Measurement> {
  const repetitions = options.quick ? Math.min(scenario.trials.quickRepetitions, scenario.trials.repetitions) : scenario.trials.repetitions;
  const warmup = options.quick ? Math.min(1, scenario.trials.warmup) : scenario.trials.warmup;
  const variants: Variant[] = [{ kind: 'without' }, ...scenario.hooks.map((hook): Variant => ({ kind: 'with', hook }))];
  const plan = schedule(variants, repetitions, warmup, scenario.trials.order, scenario.trials.seed);
  const backend = await withRequestLog(await startBackend(scenario.backend));
  const startedAt = new Date();
  const t0 = performance.now();
  const trials: TrialResult[] = [];
  try {
    for (const [seq, item] of plan.entries()) {
      const label = item.variant.kind === 'with' ? item.variant.hook.label : 'without';
      options.onProgress?.({ done: seq, total: plan.length, variant: label, round: item.round, warmup: item.warmup, elapsedMs: performance.now() - t0 });
      const mark = backend.requestLog?.mark() ?? 0;
      const reply = await runTrialProcess({ scenario, variant: item.variant, trackingUri: backend.trackingUri }, scenario.trials.timeoutMs);
      if (!reply.ok || !reply.probes || !reply.produced) throw new EnvironmentError(`trial ${seq + 1} (${label}) failed: ${reply.error ?? 'no result'}`);
      const requests = backend.requestLog?.since(mark);
      trials.push({
        hook: item.variant.kind === 'with' ? label : null,
        round: item.round,
        warmup: item.warmup,
        seq,
        probes: {
          ...reply.probes,
          apiCalls: requests ? requests.length : null,
          requestBytes: requests ? requests.reduce((n, r) => n + r.requestBytes, 0) : null,
        },
        produced: reply.produced,
        delivered: reply.delivered,
        lost: reply.lost,
        pipelineError: reply.pipelineError,
      });
    }
    options.onProgress?.({ done: plan.length, total: plan.length, variant: '', round: repetitions, warmup: false, elapsedMs: performance.now() - t0 });
  } finally {
    await backend.stop();
  }
  return { trials, backend: backend.describe, repetitions, warmup, startedAt: startedAt.toISOString(), durationMs: performance.now() - t0 };
}
