// The regression gate: budgets from the scenario, and regressions against a baseline report.
// Exact figures (API calls, request bytes) are compared exactly. Noisy ones (time, memory, I/O)
// break a limit only when the whole 95% interval is beyond it and the effect is significant, and
// every verdict says how small a change the run could have seen.
import type { MetricName } from '../measure/trial-types.ts';
import type { MetricResult, Report } from '../measure/report-types.ts';
import type { Budget } from '../scenario/types.ts';
import { bootstrapPaired, median } from '../stats/basic.ts';
import { compareSamples } from '../stats/compare.ts';
import { mannWhitney } from '../stats/mann-whitney.ts';

export const EXACT_METRICS: ReadonlySet<MetricName> = new Set(['apiCalls', 'requestBytes']);

export interface GateCheck {
  /** e.g. `budget reference apiCalls max`. */
  id: string;
  hook: string;
  metric: MetricName;
  kind: 'budget' | 'regression';
  limit: string;
  found: string;
  status: 'pass' | 'fail';
  /** For noisy figures: the smallest change this run could have detected (relative or in units). */
  minimumDetectable?: string;
}

export interface GateResult {
  verdict: 'pass' | 'fail';
  checks: GateCheck[];
}

type Figure = 'max' | 'overhead' | 'overheadAbsolute' | 'overheadBytes' | 'perNode';

/** The figure's point value and 95% interval from the paired samples. */
function figure(m: MetricResult, kind: Figure, nodes: number, seed: number): { value: number; ci: [number, number] } {
  const x = m.without.samples as number[];
  const y = m.with.samples as number[];
  switch (kind) {
    case 'max':
      return { value: median(y), ci: bootstrapPaired(x, y, (_a, b) => median(b), { seed }) };
    case 'overhead':
      return { value: m.overhead.ratio ?? Infinity, ci: m.overhead.ci95 ?? [Infinity, Infinity] };
    case 'perNode':
      return {
        value: m.overhead.perNode!,
        ci: bootstrapPaired(x, y, (a, b) => (median(b) - median(a)) / nodes, { seed }),
      };
    default:
      return { value: m.overhead.absolute!, ci: bootstrapPaired(x, y, (a, b) => median(b) - median(a), { seed }) };
  }
}

const fmt = (v: number): string => (Math.abs(v) < 10 ? v.toPrecision(3) : Math.round(v).toLocaleString('en-US'));

export function checkBudgets(report: Report, budgets: Partial<Record<MetricName, Budget>>, alpha = 0.05): GateCheck[] {
  const checks: GateCheck[] = [];
  for (const [hook, result] of Object.entries(report.results)) {
    for (const [metric, budget] of Object.entries(budgets) as [MetricName, Budget][]) {
      const m = result.metrics[metric];
      for (const [kind, limit] of Object.entries(budget) as [Figure, number][]) {
        const id = `budget ${hook} ${metric} ${kind}`;
        const limitText = `${kind} <= ${fmt(limit)}`;
        if (!m.available) {
          checks.push({
            id,
            hook,
            metric,
            kind: 'budget',
            limit: limitText,
            found: 'not measurable here',
            status: 'fail',
          });
          continue;
        }
        const f = figure(m, kind, report.nodes, report.scenario.trials.seed);
        if (EXACT_METRICS.has(metric)) {
          checks.push({
            id,
            hook,
            metric,
            kind: 'budget',
            limit: limitText,
            found: fmt(f.value),
            status: f.value <= limit ? 'pass' : 'fail',
          });
          continue;
        }
        const p = mannWhitney(m.without.samples as number[], m.with.samples as number[]).p;
        const broken = f.ci[0] > limit && (kind === 'max' || p < alpha);
        checks.push({
          id,
          hook,
          metric,
          kind: 'budget',
          limit: limitText,
          found: `${fmt(f.value)} [95% CI ${fmt(f.ci[0])}, ${fmt(f.ci[1])}], p=${p.toFixed(3)}`,
          status: broken ? 'fail' : 'pass',
          minimumDetectable: `±${fmt((f.ci[1] - f.ci[0]) / 2)}`,
        });
      }
    }
  }
  return checks;
}

/** Per-round overhead ratios with/without: comparable across runs on machines of different speed. */
function roundRatios(m: MetricResult): number[] {
  return (m.with.samples as number[]).map((y, i) => y / (m.without.samples[i] as number)).filter(Number.isFinite);
}

export function checkRegressions(
  baseline: Report,
  current: Report,
  options: { alpha: number; noise: number },
): GateCheck[] {
  const checks: GateCheck[] = [];
  for (const [hook, cur] of Object.entries(current.results)) {
    const base = baseline.results[hook];
    if (!base) continue;
    for (const metric of Object.keys(cur.metrics) as MetricName[]) {
      const c = cur.metrics[metric];
      const b = base.metrics[metric];
      if (!c.available || !b.available) continue;
      const id = `regression ${hook} ${metric}`;
      if (EXACT_METRICS.has(metric)) {
        const was = b.with.median!;
        const now = c.with.median!;
        checks.push({
          id,
          hook,
          metric,
          kind: 'regression',
          limit: `<= ${fmt(was)} (baseline, exact)`,
          found: fmt(now),
          status: now <= was ? 'pass' : 'fail',
        });
        continue;
      }
      const change = compareSamples(roundRatios(b), roundRatios(c), { ...options, seed: current.scenario.trials.seed });
      checks.push({
        id,
        hook,
        metric,
        kind: 'regression',
        limit:
          `overhead not worse than baseline beyond ±${(options.noise * 100).toFixed(0)}% noise ` +
          `(p < ${options.alpha})`,
        found:
          `${change.ratio >= 0 ? '+' : ''}${(change.ratio * 100).toFixed(1)}% ` +
          `[${(change.ci95[0] * 100).toFixed(1)}%, ${(change.ci95[1] * 100).toFixed(1)}%], ` +
          `p=${change.p.toFixed(3)}: ${change.verdict}`,
        status: change.verdict === 'regressed' ? 'fail' : 'pass',
        minimumDetectable: `±${(change.minimumDetectable * 100).toFixed(1)}%`,
      });
    }
  }
  return checks;
}

export function gate(checks: GateCheck[]): GateResult {
  return { verdict: checks.some((c) => c.status === 'fail') ? 'fail' : 'pass', checks };
}
