// Measurement -> Report: medians, paired overhead ratios with bootstrap intervals, per-node figures.
import { cpus, platform, release, totalmem, type as osType } from 'node:os';
import { baselineFor, METRICS, type MetricName, type TrialResult } from './trial-types.ts';
import type { Measurement } from './measure.ts';
import type { Scenario } from '../scenario/types.ts';
import { bootstrapPaired, median, overheadRatio } from '../stats/basic.ts';
import { tukey } from '../stats/outliers.ts';
import { VERSION } from '../version.ts';
import type { HookResult, MetricResult, Report } from './report-types.ts';

export const UNITS: Record<MetricName, MetricResult['unit']> = {
  wallMs: 'ms',
  cpuMs: 'ms',
  peakRssBytes: 'bytes',
  diskWriteBytes: 'bytes',
  writeBytes: 'bytes',
  apiCalls: 'calls',
  requestBytes: 'bytes',
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
): MetricResult {
  const a = byRound(without, metric);
  const b = byRound(withHook, metric);
  const rounds = [...a.keys()].filter((r) => b.has(r)).sort((x, y) => x - y);
  const available = rounds.length > 0 && rounds.every((r) => a.get(r) !== null && b.get(r) !== null);
  const xs = rounds.map((r) => a.get(r) ?? null);
  const ys = rounds.map((r) => b.get(r) ?? null);
  if (!available) {
    return {
      unit: UNITS[metric],
      available: false,
      without: { median: null, samples: xs },
      with: { median: null, samples: ys },
      overhead: { ratio: null, ci95: null, perNode: null, absolute: null },
      outliers: { without: [], with: [] },
    };
  }
  const x = xs as number[];
  const y = ys as number[];
  const mx = median(x);
  const my = median(y);
  const ratio = mx === 0 ? null : overheadRatio(x, y);
  return {
    unit: UNITS[metric],
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

function sumCounts(
  trials: TrialResult[],
  pick: (t: TrialResult) => Record<string, number> | undefined,
): Record<string, number> | null {
  const present = trials.map(pick).filter((x): x is Record<string, number> => x !== undefined);
  if (!present.length) return null;
  // Per trial; every measured trial of a hook produces the same values, so report the median trial.
  const keys = Object.keys(present[0]!);
  return Object.fromEntries(keys.map((k) => [k, median(present.map((p) => p[k] ?? 0))]));
}

export function buildReport(scenario: Scenario, m: Measurement, quick: boolean): Report {
  const measured = m.trials.filter((t) => !t.warmup);
  const results: Record<string, HookResult> = {};
  for (const hook of scenario.hooks) {
    const without = baselineFor(measured, hook.label);
    const withHook = measured.filter((t) => t.hook === hook.label);
    const metrics = Object.fromEntries(
      METRICS.map((name) => [
        name,
        metricResult(without, withHook, name, scenario.pipeline.nodes, scenario.trials.seed),
      ]),
    ) as Record<MetricName, MetricResult>;
    results[hook.label] = {
      metrics,
      values: {
        produced: sumCounts(withHook, (t) => ({ ...t.produced })) ?? {},
        delivered: sumCounts(withHook, (t) => t.delivered),
        lost: sumCounts(withHook, (t) => t.lost),
      },
      pipelineErrors: withHook.filter((t) => t.pipelineError).length,
      ...(without.some((t) => t.baselineOf) ? { ownBaseline: true } : {}),
      ...(m.versions[hook.label] ? { versions: m.versions[hook.label] } : {}),
    };
  }
  const notes: string[] = [];
  const unavailable = METRICS.filter((name) => Object.values(results).some((r) => !r.metrics[name].available));
  if (unavailable.length)
    notes.push(
      `not measurable here: ${unavailable.join(', ')} (${
        platform() === 'linux' ? 'the backend does not expose its requests' : 'no /proc/self/io on this platform'
      })`,
    );
  const flagged = Object.entries(results).flatMap(([h, r]) =>
    (['wallMs', 'cpuMs', 'peakRssBytes'] as const)
      .filter((k) => r.metrics[k].outliers.with.length + r.metrics[k].outliers.without.length > 0)
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
  const cpu = cpus();
  return {
    schemaVersion: 1,
    kind: 'trackbench-run',
    trackbenchVersion: VERSION,
    createdAt: new Date().toISOString(),
    scenario,
    environment: {
      node: process.version,
      platform: platform(),
      os: `${osType()} ${release()}`,
      cpuModel: cpu[0]?.model ?? 'unknown',
      cores: cpu.length,
      memoryBytes: totalmem(),
    },
    backend: m.backend,
    ...(m.backendStartupMs === undefined ? {} : { backendStartupMs: Math.round(m.backendStartupMs) }),
    trials: {
      repetitions: m.repetitions,
      warmup: m.warmup,
      order: scenario.trials.order,
      quick,
      total: m.trials.length,
      durationMs: Math.round(m.durationMs),
    },
    nodes: scenario.pipeline.nodes,
    results,
    notes,
  };
}
