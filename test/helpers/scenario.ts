import { stringify } from 'yaml';
import { generatePipeline } from '../../src/pipeline/generate.ts';
import type { Pipeline } from '../../src/pipeline/types.ts';
import { parseScenario } from '../../src/scenario/load.ts';
import type { Scenario } from '../../src/scenario/types.ts';

/** A scenario from a plain object, through the same YAML + schema path users take. */
export function scenarioOf(pipeline: Record<string, unknown>, rest: Record<string, unknown> = {}): Scenario {
  return parseScenario(stringify({ name: 'test', pipeline, hooks: ['noop'], ...rest }), 'test.yaml').scenario;
}

export function pipelineOf(pipeline: Record<string, unknown>): Pipeline {
  return generatePipeline(scenarioOf(pipeline).pipeline);
}
