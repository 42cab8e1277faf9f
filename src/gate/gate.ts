// The regression gate: budgets from the scenario, and regressions against a baseline report.
// Exact figures (API calls, request bytes) are compared exactly. Noisy ones (time, memory, I/O)
// break a limit only when the whole 95% interval is beyond it and the effect is significant, and
// every verdict says how small a change the run could have seen.
import { COUNTED_METRICS, VALUE_KINDS, type MetricName } from '../measure/trial-types.ts';
import { countsAllocatorApart, metricOf, type MeasuredMetric, type Report } from '../measure/report-types.ts';
import type { Budget, Scenario } from '../scenario/types.ts';
import { bootstrapPaired, median } from '../stats/basic.ts';
import { compareSamples, sameSamples, type Change } from '../stats/compare.ts';
import { mannWhitney } from '../stats/mann-whitney.ts';

export const EXACT_METRICS: ReadonlySet<MetricName> = new Set(['apiCalls', 'requestBytes']);

export interface GateCheck {
  /** e.g. `budget reference apiCalls max`. */
  id: string;
  hook: string;
  metric: MetricName;
  kind: 'budget' | 'regression' | 'outcome';
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
function figure(m: MeasuredMetric, kind: Figure, nodes: number, seed: number): { value: number; ci: [number, number] } {
  const x = m.without.samples;
  const y = m.with.samples;
  switch (kind) {
    case 'max':
      return { value: median(y), ci: bootstrapPaired(x, y, (_a, b) => median(b), { seed }) };
    case 'overhead':
      return { value: m.overhead.ratio ?? Infinity, ci: m.overhead.ci95 ?? [Infinity, Infinity] };
    case 'perNode':
      return {
        value: m.overhead.perNode,
        ci: bootstrapPaired(x, y, (a, b) => (median(b) - median(a)) / nodes, { seed }),
      };
    default:
      return { value: m.overhead.absolute, ci: bootstrapPaired(x, y, (a, b) => median(b) - median(a), { seed }) };
  }
}

const fmt = (v: number): string => (Math.abs(v) < 10 ? v.toPrecision(3) : Math.round(v).toLocaleString('en-US'));

export function checkBudgets(report: Report, budgets: Partial<Record<MetricName, Budget>>, alpha = 0.05): GateCheck[] {
  const checks: GateCheck[] = [];
  for (const [hook, result] of Object.entries(report.results)) {
    for (const [metric, budget] of Object.entries(budgets) as [MetricName, Budget][]) {
      const m = metricOf(result, metric);
      for (const [kind, limit] of Object.entries(budget) as [Figure, number][]) {
        const check = (found: string, pass: boolean, minimumDetectable?: string): void => {
          checks.push({
            id: `budget ${hook} ${metric} ${kind}`,
            hook,
            metric,
            kind: 'budget',
            limit: `${kind} <= ${fmt(limit)}`,
            found,
            status: pass ? 'pass' : 'fail',
            ...(minimumDetectable === undefined ? {} : { minimumDetectable }),
          });
        };
        if (!m.available) {
          check('not measurable here', false);
          continue;
        }
        const f = figure(m, kind, report.nodes, report.scenario.trials.seed);
        if (EXACT_METRICS.has(metric)) {
          check(fmt(f.value), f.value <= limit);
          continue;
        }
        const p = mannWhitney(m.without.samples, m.with.samples).p;
        const broken = f.ci[0] > limit && (kind === 'max' || p < alpha);
        check(
          `${fmt(f.value)} [95% CI ${fmt(f.ci[0])}, ${fmt(f.ci[1])}], p=${p.toFixed(3)}`,
          !broken,
          `±${fmt((f.ci[1] - f.ci[0]) / 2)}`,
        );
      }
    }
  }
  return checks;
}

/** Per-round overhead ratios with/without: comparable across runs on machines of different speed.
 *  Undefined when a round's figure without the hook is 0 (nothing to divide by: e.g. no disk writes). */
function roundRatios(m: MeasuredMetric): number[] | undefined {
  const ratios = m.with.samples.map((y, i) => y / m.without.samples[i]!);
  return ratios.every(Number.isFinite) ? ratios : undefined;
}

const roundDifferences = (m: MeasuredMetric): number[] => m.with.samples.map((y, i) => y - m.without.samples[i]!);

/**
 * Without a ratio (0 without the hook), the hook's own figure per round (with - without), in units: identical
 * samples are unchanged; against a baseline figure that is not 0, criterion's rule on the relative change
 * (significant and beyond the noise band); against 0, any significant increase is a regression.
 */
function differenceRegression(
  hook: string,
  metric: MetricName,
  base: MeasuredMetric,
  cur: MeasuredMetric,
  options: RegressionOptions,
  seed: number,
): GateCheck {
  const b = roundDifferences(base);
  const c = roundDifferences(cur);
  const was = median(b);
  const now = median(c);
  const p = mannWhitney(b, c).p;
  // compareSamples reads identical samples as unchanged; against 0 there is no ratio for it to take
  const verdict: Change['verdict'] =
    was !== 0
      ? compareSamples(b, c, { alpha: options.alpha, noise: options.noise, seed }).verdict
      : sameSamples(b, c)
        ? 'unchanged'
        : p < options.alpha && now !== was
          ? now > was
            ? 'regressed'
            : 'improved'
          : 'inconclusive';
  return {
    id: `regression ${hook} ${metric}`,
    hook,
    metric,
    kind: 'regression',
    limit:
      `hook's own figure not above the baseline's beyond ±${(options.noise * 100).toFixed(0)}% noise ` +
      `(p < ${options.alpha}; in units: 0 without the hook)`,
    found: `${fmt(was)} -> ${fmt(now)} per run, p=${p.toFixed(3)}: ${verdict}`,
    status: verdict === 'regressed' || (verdict === 'inconclusive' && options.failInconclusive) ? 'fail' : 'pass',
  };
}

/** Instruction counts (COUNTED_METRICS) repeat almost exactly: compared against a band, without a significance test. */
export const DEFAULT_INSTRUCTION_NOISE = 0.005;
/**
 * Band for the hook's set-up instructions (import + construction): module loading does file I/O whose
 * completion order moves the count; identical A/A runs read up to +23% apart (scripts/instruction-gate.ts),
 * so only a gross change (a heavy import added) is a regression. The run's count keeps the narrow band.
 */
export const SETUP_INSTRUCTION_NOISE = 0.5;
/**
 * Band for the hook's instructions in the C allocator: the cost of a malloc or free depends on the heap's
 * layout, which start-up's threads leave different from trial to trial under load (the hook's share moved by
 * up to 9% over 11 identical runs), so only a gross change (many more allocations) is a regression.
 */
export const ALLOCATOR_INSTRUCTION_NOISE = 0.25;
/**
 * ... and never narrower than this many instructions: identical trials spent up to 130k apart in the allocator
 * whatever the hook, so a hook that allocates little would otherwise fail on its own re-run.
 */
export const ALLOCATOR_INSTRUCTION_FLOOR = 250_000;

/** The band of a counted figure: relative, and at least `floor` instructions. */
function countedBand(metric: MetricName, instructionNoise = DEFAULT_INSTRUCTION_NOISE): Band {
  if (metric === 'setupInstructions')
    return { relative: Math.max(SETUP_INSTRUCTION_NOISE, instructionNoise), floor: 0 };
  if (metric === 'allocatorInstructions')
    return { relative: Math.max(ALLOCATOR_INSTRUCTION_NOISE, instructionNoise), floor: ALLOCATOR_INSTRUCTION_FLOOR };
  return { relative: instructionNoise, floor: 0 };
}

interface Band {
  relative: number;
  floor: number;
}

/**
 * The hook's instruction cost (median with - median without) against the baseline's: regressed or
 * improved beyond the band, unchanged within it. The band is the A/A spread (README).
 */
function countedRegression(
  hook: string,
  metric: MetricName,
  base: MeasuredMetric,
  cur: MeasuredMetric,
  band: Band,
): GateCheck {
  const was = base.overhead.absolute;
  const now = cur.overhead.absolute;
  // Relative to the baseline's size: a negative baseline (the hook saved instructions) keeps the direction.
  const change = was === 0 ? (now === 0 ? 0 : Math.sign(now) * Infinity) : (now - was) / Math.abs(was);
  const width = Math.max(band.relative * Math.abs(was), band.floor);
  const verdict = now - was > width ? 'regressed' : now - was < -width ? 'improved' : 'unchanged';
  const pct = `±${(band.relative * 100).toFixed(2)}%`;
  const limit = band.floor ? `${pct}, at least ${fmt(band.floor)} instructions` : pct;
  return {
    id: `regression ${hook} ${metric}`,
    hook,
    metric,
    kind: 'regression',
    limit: `hook's instructions not above the baseline's beyond ${limit} (counted)`,
    found: `${fmt(was)} -> ${fmt(now)} (${change >= 0 ? '+' : ''}${(change * 100).toFixed(2)}%): ${verdict}`,
    status: verdict === 'regressed' ? 'fail' : 'pass',
    minimumDetectable: band.floor ? `±${fmt(width)} instructions` : pct,
  };
}

export interface RegressionOptions {
  alpha: number;
  noise: number;
  /** Band for instruction counts (relative change of the hook's count). */
  instructionNoise?: number;
  /** An inconclusive comparison (interval neither inside the noise band nor beyond it) fails the gate. */
  failInconclusive?: boolean;
}

/**
 * Reported, not gated: a trial's start-up (process, module loading, hook set-up) swings by tens of percent
 * with the machine's load, run to run; a hook's set-up is gated by its counted instructions instead.
 */
export const NOT_GATED: ReadonlySet<MetricName> = new Set(['startupMs']);

export function checkRegressions(baseline: Report, current: Report, options: RegressionOptions): GateCheck[] {
  // A baseline whose own trials failed or lost values measured nothing to hold a run to (a crashed hook's
  // figures are low): each such fault fails the gate, whatever the comparison would say.
  const checks: GateCheck[] = checkOutcome(baseline)
    .filter((c) => c.status === 'fail' && c.hook in current.results)
    .map((c) => ({ ...c, id: `baseline: ${c.id}`, kind: 'regression', limit: `in the baseline, ${c.limit}` }));
  for (const [hook, cur] of Object.entries(current.results)) {
    const base = baseline.results[hook];
    if (!base) continue;
    for (const metric of Object.keys(cur.metrics) as MetricName[]) {
      if (NOT_GATED.has(metric)) continue;
      const c = metricOf(cur, metric);
      const b = metricOf(base, metric);
      if (!c.available || !b.available) continue;
      const id = `regression ${hook} ${metric}`;
      if (EXACT_METRICS.has(metric)) {
        const was = b.with.median;
        const now = c.with.median;
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
      if (COUNTED_METRICS.has(metric)) {
        // Counted with and without the allocator (about 3% of a hook's count): not comparable.
        if (metric === 'instructions' && countsAllocatorApart(base) !== countsAllocatorApart(cur)) {
          checks.push({
            id,
            hook,
            metric,
            kind: 'regression',
            limit: 'both reports count the run outside the C allocator',
            found:
              "one report counted the C allocator in the run's instructions (an earlier trackbench): " +
              'not comparable; measure the baseline again',
            status: 'fail',
          });
          continue;
        }
        checks.push(countedRegression(hook, metric, b, c, countedBand(metric, options.instructionNoise)));
        continue;
      }
      const [baseRatios, curRatios] = [roundRatios(b), roundRatios(c)];
      if (!baseRatios || !curRatios) {
        checks.push(differenceRegression(hook, metric, b, c, options, current.scenario.trials.seed));
        continue;
      }
      const change = compareSamples(baseRatios, curRatios, {
        alpha: options.alpha,
        noise: options.noise,
        seed: current.scenario.trials.seed,
      });
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
        status:
          change.verdict === 'regressed' || (change.verdict === 'inconclusive' && options.failInconclusive)
            ? 'fail'
            : 'pass',
        minimumDetectable: `±${(change.minimumDetectable * 100).toFixed(1)}%`,
      });
    }
  }
  return checks;
}

/**
 * Checks every gated report gets, budgets or not: no failed trial, and no value lost on the way to
 * the tracking server (unless the scenario says it runs under a fault that loses values).
 */
export function checkOutcome(report: Report): GateCheck[] {
  const checks: GateCheck[] = [];
  const hooks = Object.keys(report.results);
  for (const hook of hooks) {
    const failed = report.failures.filter((f) => f.hook === hook || f.hook === null);
    if (failed.length)
      checks.push({
        id: `trials ${hook} ran to the end`,
        hook,
        metric: 'wallMs',
        kind: 'outcome',
        limit: 'no failed trial',
        found: `${failed.length} failed: ${failed[0]!.error.split('\n')[0]}`,
        status: 'fail',
      });
    if (!report.results[hook]!.logsValues) continue;
    const v = report.results[hook]!.values;
    const lost = v.available ? VALUE_KINDS.filter((k) => v.lost[k] > 0) : [];
    const expected = expectsLoss(report);
    checks.push({
      id: `values ${hook} delivered`,
      hook,
      metric: 'apiCalls',
      kind: 'outcome',
      limit: expected
        ? 'loss expected by the scenario (regression.expectLoss)'
        : 'every value produced reaches the server',
      found: !v.available
        ? `unverifiable: ${v.reason}`
        : lost.length
          ? `lost ${lost.map((k) => `${v.lost[k]} of ${v.produced[k]} ${k}`).join(', ')}`
          : 'all delivered',
      status: (!v.available || lost.length) && !expected ? 'fail' : 'pass',
    });
  }
  return checks;
}

export function gate(checks: GateCheck[]): GateResult {
  return { verdict: checks.some((c) => c.status === 'fail') ? 'fail' : 'pass', checks };
}

/** Whether the report's scenario expects loss; a report read back may lack the settings (not required there). */
function expectsLoss(report: Report): boolean {
  // typed as always there, but the report schema does not require it of a file read back
  const regression = report.scenario.regression as Scenario['regression'] | undefined;
  return regression?.expectLoss === true;
}
