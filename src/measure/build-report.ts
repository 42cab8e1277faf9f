// Measurement -> Report: medians, paired overhead ratios with bootstrap intervals, per-node figures.
import { credentialsFromEnv, redactDeep } from '../mlflow/auth.ts';
import {
  baselineFor,
  COUNTED_METRICS,
  METRICS,
  type MetricName,
  type TrialResult,
  type ValueCounts,
} from './trial-types.ts';
import type { Measurement } from './measure.ts';
import type { Scenario } from '../scenario/types.ts';
import { bootstrapPaired, median, overheadRatio } from '../stats/basic.ts';
import { tukey } from '../stats/outliers.ts';
import { logsValues } from '../tracking/registry.ts';
import { VERSION } from '../version.ts';
import { metricOf, type HookResult, type HookValues, type MetricResult, type Report } from './report-types.ts';

export const UNITS: Record<MetricName, MetricResult['unit']> = {
  wallMs: 'ms',
  cpuMs: 'ms',
  peakRssBytes: 'bytes',
  diskWriteBytes: 'bytes',
  writeBytes: 'bytes',
  apiCalls: 'calls',
  requestBytes: 'bytes',
  retainedBytes: 'bytes',
  startupMs: 'ms',
  instructions: 'instructions',
  allocatorInstructions: 'instructions',
  setupInstructions: 'instructions',
};

function byRound(trials: TrialResult[], metric: MetricName): Map<number, number | null> {
  return new Map(trials.map((t) => [t.round, t.probes[metric]]));
}

export function metricResult(
  without: TrialResult[],
  withHook: TrialResult[],
  metric: MetricName,
  nodes: number,
  seed: number,
  unavailableWhy: Partial<Record<MetricName, string>> = {},
): MetricResult {
  const unit = UNITS[metric];
  const a = byRound(without, metric);
  const b = byRound(withHook, metric);
  const rounds = [...a.keys()].filter((r) => b.has(r)).sort((x, y) => x - y);
  if (!rounds.length) return { unit, available: false, reason: 'no round where both variants ran to the end' };
  const x: number[] = [];
  const y: number[] = [];
  for (const r of rounds) {
    const [p, q] = [a.get(r), b.get(r)];
    if (p === null || p === undefined || q === null || q === undefined)
      return { unit, available: false, reason: unavailableWhy[metric] ?? UNAVAILABLE[metric] };
    x.push(p);
    y.push(q);
  }
  const mx = median(x);
  const my = median(y);
  const ratio = mx === 0 ? null : overheadRatio(x, y);
  return {
    unit,
    available: true,
    without: { median: mx, samples: x },
    with: { median: my, samples: y },
    overhead: {
      ratio,
      ci95: ratio === null ? null : bootstrapPaired(x, y, (p, q) => overheadRatio(p, q), { seed, resamples: 10_000 }),
      perNode: (my - mx) / nodes,
      absolute: my - mx,
    },
    outliers: { without: tukey(x).indices, with: tukey(y).indices },
  };
}

const UNAVAILABLE: Record<MetricName, string> = {
  wallMs: 'not measured',
  cpuMs: 'not measured',
  peakRssBytes: 'not measured',
  diskWriteBytes: 'no /proc/self/io here (or the external command did not report it)',
  writeBytes: 'no /proc/self/io here (or the external command did not report it)',
  apiCalls: 'the backend does not expose its requests',
  requestBytes: 'the backend does not expose its requests',
  retainedBytes: 'not measured (under --instrument cpu-sim, or the external command did not report it)',
  startupMs: 'not measured (under Valgrind, or the external command did not report setupMs)',
  instructions: 'counted only with --instrument cpu-sim (Valgrind)',
  allocatorInstructions: 'counted only with --instrument cpu-sim (Valgrind)',
  setupInstructions: 'counted only with --instrument cpu-sim (Valgrind)',
};

/** The median trial's count per kind (every measured trial of a hook produces the same values). */
function medianCounts(present: ValueCounts[]): ValueCounts {
  const of = (k: keyof ValueCounts): number => (present.length ? median(present.map((p) => p[k])) : 0);
  return { params: of('params'), metrics: of('metrics'), artifacts: of('artifacts'), models: of('models') };
}

/** `warmups`: the hook's warm-up trials, whose losses count too (a hook that loses values against a fresh
 * server, as the first trial finds it, is not excused by the warm-up round). */
function hookValues(withHook: TrialResult[], warmups: TrialResult[], logs: boolean): HookValues {
  const produced = medianCounts(withHook.map((t) => t.produced));
  if (!logs) return { available: false, produced, reason: 'an instrument: logs nothing by design' };
  // A warm-up trial's read-back too: its runs, unread, would be taken for the next trial's (and its loss unseen).
  const unreadable = [...withHook, ...warmups].map((t) => t.values).find((v) => v && !v.available);
  if (unreadable && !unreadable.available) return { available: false, produced, reason: unreadable.reason };
  const read = withHook.flatMap((t) => (t.values?.available ? [t.values] : []));
  if (!read.length) return { available: false, produced, reason: 'no trial of this hook ran to the end' };
  const all = [...read, ...warmups.flatMap((t) => (t.values?.available ? [t.values] : []))];
  return {
    available: true,
    produced,
    delivered: medianCounts(read.map((v) => v.delivered)),
    // Any loss in any trial counts, warm-up included: the worst trial, not the median one.
    lost: {
      params: Math.max(...all.map((v) => v.lost.params)),
      metrics: Math.max(...all.map((v) => v.lost.metrics)),
      artifacts: Math.max(...all.map((v) => v.lost.artifacts)),
      models: Math.max(...all.map((v) => v.lost.models)),
    },
  };
}

/** `selectedHooks`: the hooks `run --hook` named instead of the scenario's, as given. */
export function buildReport(scenario: Scenario, m: Measurement, quick: boolean, selectedHooks?: string[]): Report {
  const measured = m.trials.filter((t) => !t.warmup && !t.failure);
  const results: Record<string, HookResult> = {};
  for (const hook of scenario.hooks) {
    const without = baselineFor(measured, hook.label);
    const withHook = measured.filter((t) => t.hook === hook.label);
    const metrics = Object.fromEntries(
      METRICS.map((name) => [
        name,
        metricResult(without, withHook, name, scenario.pipeline.nodes, scenario.trials.seed, m.unavailable),
      ]),
    ) as Record<MetricName, MetricResult>;
    results[hook.label] = {
      metrics,
      logsValues: logsValues(hook),
      values: hookValues(
        withHook,
        m.trials.filter((t) => t.warmup && !t.failure && t.hook === hook.label),
        logsValues(hook),
      ),
      pipelineErrors: withHook.filter((t) => t.pipelineError).length,
      ...(without.some((t) => t.baselineOf) ? { ownBaseline: true } : {}),
      ...(m.versions[hook.label] ? { versions: m.versions[hook.label] } : {}),
    };
  }
  const notes: string[] = [];
  const unavailable = new Map<string, string>();
  for (const r of Object.values(results))
    for (const name of METRICS) {
      const metric = metricOf(r, name);
      const asked = !COUNTED_METRICS.has(name) || m.unavailable[name];
      if (!metric.available && asked) unavailable.set(name, metric.reason);
    }
  if (unavailable.size)
    notes.push(`not measurable here: ${[...unavailable].map(([name, why]) => `${name} (${why})`).join(', ')}`);
  const flagged = Object.entries(results).flatMap(([h, r]) =>
    (['wallMs', 'cpuMs', 'peakRssBytes'] as const)
      .filter((k) => {
        const metric = r.metrics[k];
        return metric.available && metric.outliers.with.length + metric.outliers.without.length > 0;
      })
      .map((k) => `${h} ${k}`),
  );
  if (flagged.length)
    notes.push(`Tukey outliers flagged (kept in every figure): ${flagged.join(', ')}; see outliers in the JSON report`);
  if (m.backendStartupMs !== undefined)
    notes.push(`backend started in ${(m.backendStartupMs / 1000).toFixed(1)} s (until it answered /health)`);
  if (m.adaptive) notes.push(`adaptive repetitions stopped: ${m.adaptive}`);
  if (m.repetitions < 9)
    notes.push(
      `${m.repetitions} paired rounds: intervals this wide say little; use the full run (not --quick) for decisions`,
    );
  // Credentials (in a URI: backend.uri, hook options; the environment's, in a hook's label or error message)
  // never reach a report file.
  return redactDeep<Report>(
    {
      schemaVersion: 2,
      kind: 'trackbench-run',
      trackbenchVersion: VERSION,
      createdAt: new Date().toISOString(),
      scenario,
      environment: m.environment,
      backend: m.backend,
      ...(m.backendStartupMs === undefined ? {} : { backendStartupMs: Math.round(m.backendStartupMs) }),
      trials: {
        repetitions: m.repetitions,
        warmup: m.warmup,
        order: scenario.trials.order,
        quick,
        instrument: m.instrument,
        allowFailures: m.allowFailures,
        selectedHooks: selectedHooks ?? null,
        total: m.trials.length,
        durationMs: Math.round(m.durationMs),
      },
      nodes: scenario.pipeline.nodes,
      results,
      failures: m.trials
        .filter((t) => t.failure)
        .map((t) => ({ hook: t.hook, round: t.round, warmup: t.warmup, error: t.failure ?? '' })),
      notes,
    },
    credentialsFromEnv().secrets,
  );
}
