// What the shards `merge` joins must share. A sweep is sharded by size (`sweep --shard`): its shards differ in
// the pipeline's node count and nothing else that decides a figure. A run is sharded by scenario (`run
// --shard`): its shards differ in scenario, and share the invocation's settings. Shards that measured
// something else (another pipeline, other hooks or hook options, other trial settings) or the same thing
// twice make a merged report that no single sweep or run could have written: bad input.
import { describeValue, dottedPath } from '../common/validate-yaml.ts';
import { firstDifference, valueAt, type Path } from '../common/json-difference.ts';
import type { Diagnostic } from '../errors.ts';
import type { Report } from './report-types.ts';
import type { SweepReport } from './sweep.ts';

/** A problem at `path` in one of the merged files (located in it when its text is at hand). */
export type LocateShard = (file: string, path: Path, message: string) => Diagnostic;

export const unlocated: LocateShard = (file, path, message) => ({ file, path: dottedPath(path), message });

const shown = (v: unknown): string => (v === undefined ? 'absent' : describeValue(v));

/**
 * What decides a report's figures besides the pipeline's size, laid out as in the report (so that a path into
 * it is a path into the report): the scenario's pipeline, hooks (with their options), backend, trial settings
 * and runner, and the options of the invocation (RUN_OPTIONS). Not its name, description, source path, budgets
 * or regression settings, which measure nothing.
 */
function measuredSettings(r: Report): { scenario: Record<string, unknown>; trials: Partial<Report['trials']> } {
  const { nodes: _size, ...pipeline } = r.scenario.pipeline;
  const { hooks, backend, trials, runner } = r.scenario;
  const { quick, instrument, allowFailures, selectedHooks } = r.trials;
  return {
    scenario: { pipeline, hooks, backend, trials, runner },
    trials: { quick, instrument, allowFailures, selectedHooks },
  };
}

/** Each difference between `ref` and `other` as a problem located at `at` + its path in `other`'s file. */
function differences(
  ref: { file: string; at: Path; value: unknown },
  other: { file: string; at: Path; value: unknown },
  groups: Path[],
  locate: LocateShard,
  why: string,
): Diagnostic[] {
  return groups.flatMap((group) => {
    const d = firstDifference(valueAt(ref.value, group), valueAt(other.value, group), group);
    if (!d) return [];
    const where = ref.at.length ? ` ${dottedPath(ref.at)}` : '';
    return [
      locate(
        other.file,
        [...other.at, ...d],
        `${shown(valueAt(other.value, d))} here, ${shown(valueAt(ref.value, d))} in ${ref.file}${where}; ${why}`,
      ),
    ];
  });
}

/**
 * Where a run report records each option of the invocation that changes its figures, and the option. All but
 * --quick are absent from reports of an earlier trackbench: two such shards agree, one beside a newer differs.
 */
const RUN_OPTIONS: [Path, string][] = [
  [['trials', 'quick'], '--quick'],
  [['trials', 'instrument'], '--instrument'],
  [['trials', 'allowFailures'], '--allow-failures'],
  [['trials', 'selectedHooks'], '--hook'],
];

/** A sweep's shards share the scenario's settings, and the options a run's shards share (RUN_OPTIONS). */
const SWEEP_GROUPS: Path[] = [
  ['scenario', 'pipeline'],
  ['scenario', 'hooks'],
  ['scenario', 'backend'],
  ['scenario', 'trials'],
  ['scenario', 'runner'],
  ...RUN_OPTIONS.map(([path]) => path),
];

/** Every reason the sweeps `parts` (read from `files`) are not shards of one sweep. */
export function sweepShardProblems(parts: SweepReport[], files: string[], locate = unlocated): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const first = parts[0];
  const firstPoint = first?.points[0];
  if (!first || !firstPoint) return problems;
  const ref = { file: files[0] ?? '', at: ['points', 0, 'report'], value: measuredSettings(firstPoint.report) };
  const measuredAt = new Map<number, { file: string; index: number }>();
  /** Sizes measured twice, by the files that measured them: "first file\0second file" -> sizes. */
  const twice = new Map<string, { file: string; index: number; sizes: number[]; other: string }>();
  for (const [k, part] of parts.entries()) {
    const file = files[k] ?? '';
    if (part.scenario !== first.scenario) {
      problems.push(
        locate(
          file,
          ['scenario'],
          `sweeps of different scenarios cannot be merged: ${shown(part.scenario)} here, ` +
            `${shown(first.scenario)} in ${ref.file}`,
        ),
      );
      continue;
    }
    const seen = new Set<string>();
    for (const [i, p] of part.points.entries()) {
      const at = ['points', i, 'report'];
      if (p.report.nodes !== p.nodes || p.report.scenario.pipeline.nodes !== p.nodes)
        problems.push(
          locate(file, [...at, 'nodes'], `the point is at ${p.nodes} nodes; its report measured ${p.report.nodes}`),
        );
      const why =
        'the shards of one sweep must measure the same pipeline (all but its size), hooks and trials, ' +
        `run alike (the same ${RUN_OPTIONS.map(([, flag]) => flag).join(', ')})`;
      // Reported once per file and field (every point of a foreign shard differs alike).
      for (const d of differences(ref, { file, at, value: measuredSettings(p.report) }, SWEEP_GROUPS, locate, why)) {
        const key = (d.path ?? '').replace(/^points\[\d+\]/, '');
        if (seen.has(key)) continue;
        seen.add(key);
        problems.push(d);
      }
      const earlier = measuredAt.get(p.nodes);
      if (!earlier) {
        measuredAt.set(p.nodes, { file, index: i });
        continue;
      }
      const pair = `${earlier.file}\0${file}`;
      const group = twice.get(pair) ?? { file, index: i, sizes: [], other: earlier.file };
      group.sizes.push(p.nodes);
      twice.set(pair, group);
    }
  }
  for (const g of twice.values())
    problems.push(
      locate(
        g.file,
        ['points', g.index, 'nodes'],
        `the same size was measured twice: ${g.sizes.join(', ')} nodes (in ${g.other} and ${g.file})`,
      ),
    );
  return problems;
}

/**
 * Every reason the run reports `reports` (read from `files`) are not shards of one `run --shard`: a scenario
 * measured twice, or shards run with different options of the invocation (--quick, --instrument,
 * --allow-failures, --hook).
 */
export function runShardProblems(reports: Report[], files: string[], locate = unlocated): Diagnostic[] {
  const problems: Diagnostic[] = [];
  const first = reports[0];
  if (!first) return problems;
  const ref = { file: files[0] ?? '', at: [], value: first };
  const measuredIn = new Map<string, string>();
  for (const [k, report] of reports.entries()) {
    const file = files[k] ?? '';
    const earlier = measuredIn.get(report.scenario.name);
    if (earlier !== undefined)
      problems.push(
        locate(
          file,
          ['scenario', 'name'],
          `scenario measured twice: ${shown(report.scenario.name)} (in ${earlier} and ${file})`,
        ),
      );
    else measuredIn.set(report.scenario.name, file);
    for (const [group, flag] of RUN_OPTIONS) {
      const why = `the shards of one run must be run alike (the same ${flag})`;
      problems.push(...differences(ref, { file, at: [], value: report }, [group], locate, why));
    }
  }
  return problems;
}
