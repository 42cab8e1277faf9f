// What a schema cannot say of a run report: a measured figure's samples are paired, one of each variant per
// round (the gate divides with by without round by round), so both lists are as long. A hand-edited report
// whose lists differ would have its extra rounds read as no figure (NaN) and its checks pass on nothing.
import type { Diagnostic } from '../errors.ts';
import type { Locate } from '../common/validate-yaml.ts';

type Path = (string | number)[];

/** One problem per measured metric whose `with` and `without` samples differ in length. */
export function unpairedSamples(reports: { path: Path; value: unknown }[], locate: Locate): Diagnostic[] {
  const problems: Diagnostic[] = [];
  for (const { path, value } of reports) {
    // valid against the report schema (checked before): results -> hook -> metrics -> metric
    const results = (value as { results: Record<string, { metrics: Record<string, unknown> }> }).results;
    for (const [hook, result] of Object.entries(results))
      for (const [name, metric] of Object.entries(result.metrics)) {
        // a measured metric (the schema's oneOf) has both sample lists; an unavailable one neither
        const m = metric as { available: boolean; with?: { samples: number[] }; without?: { samples: number[] } };
        if (!m.available || !m.with || !m.without || m.with.samples.length === m.without.samples.length) continue;
        problems.push(
          locate(
            [...path, 'results', hook, 'metrics', name, 'with', 'samples'],
            `${m.with.samples.length} samples with the hook, ${m.without.samples.length} without: ` +
              'the rounds of a figure are paired, one of each',
          ),
        );
      }
  }
  return problems;
}
