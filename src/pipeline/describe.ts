// The JSON description of a generated pipeline that an external process (any language) receives
// in TRACKBENCH_PIPELINE_FILE, to run the same pipeline itself: the contract for `command:`
// conformance targets and `command:` hooks under measurement (documented in the README).
import { wireDouble } from '../mlflow/wire.ts';
import { resolveParam } from './params.ts';
import type { Pipeline } from './types.ts';
import { fileFill } from './work.ts';

export const PIPELINE_FORMAT = 'trackbench-pipeline/1';

export function describePipeline(p: Pipeline, experimentName: string): object {
  return {
    format: PIPELINE_FORMAT,
    experimentName,
    pipeline: {
      name: p.name,
      edges: p.edges,
      nodes: p.nodes.map((n) => ({
        index: n.index,
        name: n.name,
        namespace: n.namespace,
        fails: n.fails,
        // What the node does besides producing outputs: CPU ms, bytes allocated, ms asleep, and the
        // size of its main output (written to a file and read back by consumers when > 0).
        work: {
          cpuMs: n.work.cpuMs,
          allocBytes: n.work.allocBytes,
          sleepMs: n.work.sleepMs,
          outputBytes: n.work.ioBytes,
        },
        params: Object.fromEntries(
          n.inputs
            .filter((i) => i.startsWith('params:'))
            .map((i) => [i.slice('params:'.length), resolveParam(p.parameters, i)]),
        ),
        // NaN and the infinities as protobuf-JSON spells them ("NaN", "Infinity", "-Infinity"): JSON has no literal
        metrics: Object.fromEntries(n.metrics.map((m) => [m.key, m.values.map(wireDouble)])),
        artifacts: n.outputs
          .filter((o) => p.datasets[o]?.kind === 'artifact')
          .map((name) => ({ name, bytes: n.artifactBytes, fill: fileFill(name) })),
        models: n.outputs
          .filter((o) => p.datasets[o]?.kind === 'model')
          .map((name) => ({ name, bytes: n.modelBytes, fill: fileFill(name) })),
      })),
    },
  };
}
