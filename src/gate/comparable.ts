// Two reports can be gated against each other only when they measured the same thing.
import { firstDifference, valueAt } from '../common/json-difference.ts';
import { describeValue, dottedPath } from '../common/validate-yaml.ts';
import { InputError } from '../errors.ts';
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

/** The first setting of the pipeline besides its size that differs, in words, or undefined. */
function pipelineDifference(a: PipelineSpec, b: PipelineSpec): string | undefined {
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
  return `${dottedPath(d)}: ${at(restA)} vs ${at(restB)}`;
}

/**
 * Throws unless `current` (a report, or what a run is about to measure: checked before minutes of
 * measuring) measured what `baseline` measured.
 */
export function assertComparable(baseline: Report, current: Report | Measured, files: [string, string]): void {
  const b = measuredBy(baseline);
  const c = 'results' in current ? measuredBy(current) : current;
  const problems: string[] = [];
  if (b.scenario !== c.scenario) problems.push(`different scenarios: "${b.scenario}" vs "${c.scenario}"`);
  if (b.nodes !== c.nodes) problems.push(`different pipelines: ${b.nodes} vs ${c.nodes} nodes`);
  // Another workload per node (its values, work, shape) moves every figure: no change of the hook's to gate.
  const pipeline = pipelineDifference(b.pipeline, c.pipeline);
  if (pipeline) problems.push(`different pipelines: ${pipeline}`);
  // Under an instrument a trial runs tens of times slower: its times say nothing of an uninstrumented run's.
  if (b.instrument !== undefined && c.instrument !== undefined && b.instrument !== c.instrument)
    problems.push(`measured under different instruments: ${b.instrument ?? 'none'} vs ${c.instrument ?? 'none'}`);
  if (!c.hooks.some((h) => b.hooks.includes(h)))
    problems.push(`no hook in common (baseline: ${b.hooks.join(', ')}; current: ${c.hooks.join(', ')})`);
  if (problems.length)
    throw new InputError(problems.map((message) => ({ file: `${files[0]} vs ${files[1]}`, message })));
}
