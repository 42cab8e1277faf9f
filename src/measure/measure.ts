// Runs a scenario's trials: one backend for the whole run (in this process, so its memory and I/O
// are never billed to a hook), one fresh child process per trial, variants interleaved by the
// schedule, API calls attributed to each trial from the backend's request log.
import { withRequestLog } from '../backends/recording-proxy.ts';
import { startBackend } from '../backends/start.ts';
import type { Scenario } from '../scenario/types.ts';
import { prepareExternalHooks } from './external-hooks.ts';
import { runTrialProcess } from './run-trial.ts';
import { schedule } from './schedule.ts';
import { baselineFor, type TrialResult, type Variant } from './trial-types.ts';
import { EnvironmentError } from '../errors.ts';
import { bootstrapPaired, overheadRatio } from '../stats/basic.ts';

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
  /** Backend start to answering /health (containers, real servers), when the backend measured it. */
  backendStartupMs?: number;
  repetitions: number;
  warmup: number;
  startedAt: string;
  durationMs: number;
  /** With adaptive repetitions: why measuring stopped. */
  adaptive?: string;
  /** What each kedro hook's environment holds, by hook label. */
  versions: Record<string, Record<string, string | null>>;
}

/** Widest 95% interval of the wall-time overhead ratio over the hooks, from the rounds so far. */
function widestInterval(trials: TrialResult[], hooks: string[], seed: number): number {
  const measured = trials.filter((t) => !t.warmup);
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
  const repetitions = options.quick
    ? Math.min(scenario.trials.quickRepetitions, scenario.trials.repetitions)
    : scenario.trials.repetitions;
  const warmup = options.quick ? Math.min(1, scenario.trials.warmup) : scenario.trials.warmup;
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
  const adaptive = options.quick ? undefined : scenario.trials.adaptive;
  const backend = await withRequestLog(await startBackend(scenario.backend));
  const startedAt = new Date();
  const t0 = performance.now();
  const trials: TrialResult[] = [];
  let rounds = repetitions;
  let stopped: string | undefined;
  try {
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
      const reply = await runTrialProcess(
        { scenario, variant: v, trackingUri: backend.trackingUri, external: of ? externals.get(of) : undefined },
        scenario.trials.timeoutMs,
      );
      if (!reply.ok || !reply.probes || !reply.produced)
        throw new EnvironmentError(`trial ${seq + 1} (${label}) failed: ${reply.error ?? 'no result'}`);
      const requests = backend.requestLog?.since(mark);
      trials.push({
        hook: v.kind === 'with' ? label : null,
        ...(v.kind === 'without' && v.of ? { baselineOf: v.of } : {}),
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
  }
  return {
    trials,
    backend: backend.describe,
    backendStartupMs: backend.startupMs,
    repetitions: rounds,
    warmup,
    startedAt: startedAt.toISOString(),
    durationMs: performance.now() - t0,
    adaptive: stopped,
    versions: Object.fromEntries([...externals].filter(([, e]) => e.versions).map(([l, e]) => [l, e.versions!])),
  };
}
