// The same pipeline shape at several sizes: overhead per node at each size and how the hook's cost
// grows (log-log slope). Sweep points can be split across CI jobs (--shard i/n) and merged after.
import { quotedInput } from '../common/terminal-text.ts';
import { credentialsFromEnv, redactDeep } from '../mlflow/auth.ts';
import { InputError } from '../errors.ts';
import type { MetricName } from './trial-types.ts';
import { buildReport } from './build-report.ts';
import type { Report } from './report-types.ts';
import type { Scenario } from '../scenario/types.ts';
import { growthExponent, type Growth } from '../stats/growth.ts';
import { measure, type MeasureOptions } from './measure.ts';
import { sweepShardProblems, unlocated, type LocateShard } from './shards.ts';

export interface SweepPoint {
  nodes: number;
  report: Report;
}

export interface SweepReport {
  kind: 'trackbench-sweep';
  schemaVersion: 1;
  scenario: string;
  points: SweepPoint[];
  /** hook -> metric -> growth of median(with) - median(without) against nodes. */
  growth: Record<string, Partial<Record<MetricName, Growth | null>>>;
}

export const GROWTH_METRICS: MetricName[] = ['wallMs', 'cpuMs', 'apiCalls', 'requestBytes'];

/**
 * The most shards a list is cut into: more CI jobs than any matrix runs (GitHub's holds 256), and a count
 * past 2^53 (`1/99999999999999999999`) is no integer a remainder can be taken of.
 */
export const MAX_SHARDS = 1000;

/** `i/n`: this job's share of a list, 1-based, round-robin so slow and fast points mix. */
export function shard<T>(items: T[], spec: string | undefined): T[] {
  if (!spec) return items;
  const m = spec.match(/^(\d+)\/(\d+)$/);
  const i = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || i < 1 || i > n || n > MAX_SHARDS)
    throw InputError.flag(
      '--shard',
      `expected i/n with 1 <= i <= n <= ${MAX_SHARDS} (e.g. 2/3); got ${quotedInput(spec)}`,
    );
  return items.filter((_, k) => k % n === i - 1);
}

export async function sweep(
  scenario: Scenario,
  sizes: number[],
  options: MeasureOptions & { quick?: boolean } = {},
): Promise<SweepReport> {
  const points: SweepPoint[] = [];
  for (const [i, nodes] of sizes.entries()) {
    const sized: Scenario = { ...scenario, pipeline: { ...scenario.pipeline, nodes } };
    const part = `${nodes} nodes (size ${i + 1} of ${sizes.length})`;
    const onProgress = options.onProgress;
    const measured = await measure(sized, {
      ...options,
      onProgress: onProgress && ((p) => onProgress({ ...p, part })),
    });
    points.push({ nodes, report: buildReport(sized, measured, Boolean(options.quick)) });
  }
  return withGrowth(scenario.name, points);
}

export function withGrowth(scenario: string, points: SweepPoint[]): SweepReport {
  const sorted = [...points].sort((a, b) => a.nodes - b.nodes);
  const hooks = [...new Set(sorted.flatMap((p) => Object.keys(p.report.results)))];
  const growth: SweepReport['growth'] = {};
  for (const hook of hooks) {
    growth[hook] = {};
    for (const metric of GROWTH_METRICS) {
      const pts = sorted.flatMap((p) => {
        const m = p.report.results[hook]?.metrics[metric];
        return m?.available ? [{ nodes: p.nodes, cost: m.overhead.absolute }] : [];
      });
      growth[hook][metric] = growthExponent(
        pts.map((p) => p.nodes),
        pts.map((p) => p.cost),
      );
    }
  }
  // Credentials in a URI never reach a report file.
  const safe = redactDeep(scenario, credentialsFromEnv().secrets);
  return { kind: 'trackbench-sweep', schemaVersion: 1, scenario: safe, points: sorted, growth };
}

/** The sweeps' points as one sweep; refuses sweeps that are not shards of one (measure/shards.ts). */
export function mergeSweeps(parts: SweepReport[], files: string[], locate: LocateShard = unlocated): SweepReport {
  const problems = sweepShardProblems(parts, files, locate);
  if (problems.length) throw new InputError(problems);
  return withGrowth(
    parts[0]!.scenario,
    parts.flatMap((p) => p.points),
  );
}
