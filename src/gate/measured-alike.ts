// What `compare` and `run --baseline` warn about (not refuse) when two comparable reports were not measured
// alike. The gate's noise band (regression.noise) is a fixed relative threshold, not estimated from the runs,
// and its tests (Mann-Whitney, an independent bootstrap per run) hold for runs of different round counts: fewer
// rounds widen the interval and make a verdict inconclusive rather than wrong. What they cannot see is a shift
// the settings themselves make (fewer warm-up rounds, another order), or limits that differ between the two
// scenarios (the current one's apply): the reader is told, and the figures stay worth reading.
import { firstDifference } from '../common/json-difference.ts';
import { dottedPath } from '../common/validate-yaml.ts';
import type { Report } from '../measure/report-types.ts';
import type { MetricName } from '../measure/trial-types.ts';

/** The rounds a report measured: a count, or adaptive (its count is noise's, not the settings'). */
function rounds(r: Report): string {
  const adaptive = r.scenario.trials.adaptive;
  // adaptive repetitions are off under --quick and an instrument (measure.ts)
  if (adaptive && !r.trials.quick && !r.trials.instrument)
    return `adaptive (to ±${adaptive.targetCiWidth}, at most ${adaptive.maxRounds} rounds)`;
  return String(r.trials.repetitions);
}

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

/** What differs between how the two reports were measured and gated, as sentences (empty when nothing does). */
export function measuredAlikeDifferences(baseline: Report, current: Report): string[] {
  const out: string[] = [];
  const [b, c] = [baseline.trials, current.trials];
  if (b.quick !== c.quick) out.push(`--quick: ${yesNo(b.quick)} vs ${yesNo(c.quick)}`);
  if (rounds(baseline) !== rounds(current)) out.push(`paired rounds: ${rounds(baseline)} vs ${rounds(current)}`);
  if (b.warmup !== c.warmup) out.push(`warm-up rounds: ${b.warmup} vs ${c.warmup}`);
  if (b.order !== c.order) out.push(`trial order: ${b.order} vs ${c.order}`);
  const [rb, rc] = [baseline.scenario.regression, current.scenario.regression];
  for (const key of ['alpha', 'noise', 'instructionNoise'] as const)
    if (rb[key] !== rc[key]) out.push(`regression.${key}: ${rb[key]} vs ${rc[key]} (the current's applies)`);
  const budgets = firstDifference(baseline.scenario.budgets, current.scenario.budgets, ['budgets']);
  if (budgets) out.push(`${dottedPath(budgets)} differs (the current scenario's budgets apply)`);
  const only = (a: Report, other: Report): string[] => Object.keys(a.results).filter((h) => !(h in other.results));
  const [baseOnly, currentOnly] = [only(baseline, current), only(current, baseline)];
  if (baseOnly.length) out.push(`hooks in the baseline only (not gated): ${baseOnly.join(', ')}`);
  if (currentOnly.length) out.push(`hooks in the current only (budgets only, no baseline): ${currentOnly.join(', ')}`);
  // checkRegressions compares a figure only where both measured it
  const lost = Object.entries(current.results).flatMap(([hook, r]) =>
    Object.entries(baseline.results[hook]?.metrics ?? {})
      .filter(([name, b]) => b.available && r.metrics[name as MetricName]?.available === false)
      .map(([name]) => `${hook} ${name}`),
  );
  if (lost.length) out.push(`measured in the baseline only (not gated): ${lost.join(', ')}`);
  return out;
}

/** The warning for reports measured or gated differently, or undefined when they agree. */
export function measuredAlikeWarning(baseline: Report, current: Report, which = 'the two reports'): string | undefined {
  const differences = measuredAlikeDifferences(baseline, current);
  if (!differences.length) return undefined;
  return (
    `warning: ${which} were not measured alike; intervals of different widths, or a shift the settings make, ` +
    `may decide a verdict:\n${differences.map((d) => `  ${d}`).join('\n')}`
  );
}
