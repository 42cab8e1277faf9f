// Two reports can be gated against each other only when they measured the same thing.
import { InputError } from '../errors.ts';
import type { Report } from '../measure/report-types.ts';

/** Reports can be compared only when they measured the same thing. */
export function assertComparable(baseline: Report, current: Report, files: [string, string]): void {
  const problems: string[] = [];
  if (baseline.scenario.name !== current.scenario.name)
    problems.push(`different scenarios: "${baseline.scenario.name}" vs "${current.scenario.name}"`);
  if (baseline.nodes !== current.nodes)
    problems.push(`different pipelines: ${baseline.nodes} vs ${current.nodes} nodes`);
  const shared = Object.keys(current.results).filter((h) => baseline.results[h]);
  if (!shared.length)
    problems.push(
      `no hook in common (baseline: ${Object.keys(baseline.results).join(', ')}; current: ` +
        `${Object.keys(current.results).join(', ')})`,
    );
  if (problems.length)
    throw new InputError(problems.map((message) => ({ file: `${files[0]} vs ${files[1]}`, message })));
}
