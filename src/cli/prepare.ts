// The checks every command that takes a scenario runs first: load and validate the file,
// check the hooks it names, generate the pipeline and check what needs the generated names.
import { InputError } from '../errors.ts';
import { generatePipeline } from '../pipeline/generate.ts';
import type { Pipeline } from '../pipeline/types.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import type { Scenario } from '../scenario/types.ts';
import { sortByPosition } from '../common/validate-yaml.ts';
import { checkHookRefs } from '../tracking/registry.ts';

export interface Prepared {
  scenario: Scenario;
  pipeline: Pipeline;
}

export function prepareScenario(file: string): Prepared {
  const { scenario, locate } = loadScenarioFile(file);
  const problems = checkHookRefs(scenario, locate);
  const pipeline = generatePipeline(scenario.pipeline);
  const failAt = scenario.pipeline.failAt;
  if (typeof failAt === 'string' && !pipeline.nodes.some((n) => n.name === failAt)) {
    const sample = pipeline.nodes
      .slice(0, 3)
      .map((n) => n.name)
      .join(', ');
    problems.push(locate(['pipeline', 'failAt'], `no node is named "${failAt}" (names look like: ${sample}, ...)`));
  }
  if (problems.length) throw new InputError(sortByPosition(problems));
  return { scenario, pipeline };
}
