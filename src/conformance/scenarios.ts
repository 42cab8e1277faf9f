// The pipelines every target is run on: small, but with every feature a hook must handle
// (namespaces, number/string/dict params, metric histories, artifacts, several models per node).
import { generatePipeline } from '../pipeline/generate.ts';
import type { Pipeline } from '../pipeline/types.ts';
import type { PipelineSpec } from '../scenario/types.ts';
import type { ScenarioId } from './types.ts';

const base: PipelineSpec = {
  name: 'conformance',
  nodes: 12,
  seed: 'conformance',
  topology: { kind: 'layered', width: 3, fanIn: 2, edgeProbability: 0.05 },
  namespaces: { count: 2, depth: 2 },
  paramsPerNode: { count: 4, kinds: { number: 2, string: 1, dict: 1 }, stringLength: 12, dictKeys: 2, dictDepth: 2 },
  metricsPerNode: 2,
  metricSteps: 3,
  artifactsPerNode: { count: 1, bytes: 256 },
  modelNodes: { count: 2, modelsPerNode: 2, bytes: 1024 },
  work: { cpuMs: 0, ioBytes: 0, allocBytes: 0, sleepMs: 0 },
  failAt: null,
};

export interface ConformanceScenario {
  id: ScenarioId;
  pipeline: Pipeline;
  /** Mock faults for the run. */
  faults?: { down?: boolean; latencyMs?: number };
  /** Runs of the pipeline in the same backend. */
  repeat: number;
  /** Node index at which an extra hook throws (a pipeline error that is not a node error). */
  hookErrorAt?: number;
  /** Only hooks running in trackbench's own process can be put in this situation. */
  inProcessOnly?: boolean;
}

export const SCENARIOS: Record<ScenarioId, ConformanceScenario> = {
  basic: { id: 'basic', pipeline: generatePipeline(base), repeat: 1 },
  twice: { id: 'twice', pipeline: generatePipeline(base), repeat: 2 },
  'node-failure': { id: 'node-failure', pipeline: generatePipeline({ ...base, failAt: 7 }), repeat: 1 },
  'pipeline-error': {
    id: 'pipeline-error',
    pipeline: generatePipeline(base),
    repeat: 1,
    hookErrorAt: 5,
    inProcessOnly: true,
  },
  'long-params': {
    id: 'long-params',
    pipeline: generatePipeline({
      ...base,
      nodes: 3,
      paramsPerNode: { ...base.paramsPerNode, count: 1, kinds: { number: 0, string: 1, dict: 0 }, stringLength: 7000 },
      artifactsPerNode: { count: 0, bytes: 0 },
      modelNodes: { ...base.modelNodes, count: 0 },
    }),
    repeat: 1,
  },
  'server-down': {
    id: 'server-down',
    pipeline: generatePipeline({ ...base, nodes: 6 }),
    repeat: 1,
    faults: { down: true },
  },
  'slow-server': {
    id: 'slow-server',
    pipeline: generatePipeline({
      ...base,
      nodes: 6,
      paramsPerNode: { ...base.paramsPerNode, count: 2 },
      metricSteps: 1,
      artifactsPerNode: { count: 0, bytes: 0 },
      modelNodes: { ...base.modelNodes, count: 0 },
    }),
    repeat: 1,
    faults: { latencyMs: 20 },
  },
};
