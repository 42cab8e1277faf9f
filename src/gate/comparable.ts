// Two reports can be gated against each other only when they measured the same thing.
import { firstDifference, valueAt } from '../common/json-difference.ts';
import { describeValue, dottedPath, sortByPosition } from '../common/validate-yaml.ts';
import { InputError, type Diagnostic } from '../errors.ts';
import type { Report } from '../measure/report-types.ts';
import type { PipelineSpec } from '../scenario/types.ts';

/** What a report measured, as far as gating one against another goes. */
export interface Measured {
  scenario: string;
  nodes: number;
  /** Hook labels. */
  hooks: string[];
  /** The instrument trials ran under (null: none; undefined: a report of an earlier trackbench, unknown). */
  instrument?: string | null;
  /** The pipeline's settings (its size is `nodes`). */
  pipeline: PipelineSpec;
}

export const measuredBy = (r: Report): Measured => ({
  scenario: r.scenario.name,
  nodes: r.nodes,
  hooks: Object.keys(r.results),
  instrument: r.trials.instrument,
  pipeline: r.scenario.pipeline,
});

/** The first setting of the pipeline besides its size that differs: its path and the difference in words. */
function pipelineDifference(a: PipelineSpec, b: PipelineSpec): { path: Path; values: string } | undefined {
  // A report read back holds whatever its file held there (the schema leaves it open): only a mapping loses `nodes`.
  const withoutSize = (p: unknown): unknown =>
    typeof p === 'object' && p !== null && !Array.isArray(p) ? { ...p, nodes: undefined } : p;
  const [restA, restB] = [withoutSize(a), withoutSize(b)];
  const d = firstDifference(restA, restB, ['pipeline']);
  if (!d) return undefined;
  const at = (root: unknown): string => {
    const v = valueAt(root, d.slice(1));
    return v === undefined ? 'absent' : describeValue(v);
  };
  return { path: d, values: `${at(restA)} vs ${at(restB)}` };
}

type Path = (string | number)[];
/** Locates a field of the current report in its file (`compare`); absent when the current is no file yet. */
export type LocateCurrent = (path: Path, message: string) => Diagnostic;

/**
 * Throws unless `current` (a report, or what a run is about to measure: checked before minutes of
 * measuring) measured what `baseline` measured.
 */
export function assertComparable(
  baseline: Report,
  current: Report | Measured,
  files: [string, string],
  locate?: LocateCurrent,
): void {
  const b = measuredBy(baseline);
  const c = 'results' in current ? measuredBy(current) : current;
  // `unlocated`: the message where no place names the field (located, the path is printed before it).
  const problems: { path: Path; message: string; unlocated?: string }[] = [];
  const differs = (path: Path, message: string, unlocated?: string): void =>
    void problems.push({ path, message, unlocated });
  if (b.scenario !== c.scenario)
    differs(['scenario', 'name'], `different scenarios: "${b.scenario}" vs "${c.scenario}"`);
  if (b.nodes !== c.nodes) differs(['nodes'], `different pipelines: ${b.nodes} vs ${c.nodes} nodes`);
  // Another workload per node (its values, work, shape) moves every figure: no change of the hook's to gate.
  const pipeline = pipelineDifference(b.pipeline, c.pipeline);
  if (pipeline)
    differs(
      ['scenario', ...pipeline.path],
      `different pipelines: ${pipeline.values}`,
      `different pipelines: ${dottedPath(pipeline.path)}: ${pipeline.values}`,
    );
  // Under an instrument a trial runs tens of times slower: its times say nothing of an uninstrumented run's.
  if (b.instrument !== undefined && c.instrument !== undefined && b.instrument !== c.instrument)
    differs(
      ['trials', 'instrument'],
      `measured under different instruments: ${b.instrument ?? 'none'} vs ${c.instrument ?? 'none'}`,
    );
  if (!c.hooks.some((h) => b.hooks.includes(h)))
    differs(['results'], `no hook in common (baseline: ${b.hooks.join(', ')}; current: ${c.hooks.join(', ')})`);
  if (!problems.length) return;
  // A report read from a file: each difference at its place there, the baseline named.
  if (locate)
    throw new InputError(sortByPosition(problems.map((p) => locate(p.path, `${p.message} (baseline ${files[0]})`))));
  throw new InputError(
    problems.map(({ message, unlocated }) => ({ file: `${files[0]} vs ${files[1]}`, message: unlocated ?? message })),
  );
}
