// Micro-benchmarks of hook method calls with tinybench: each built-in tracking hook, set up for a
// pipeline run against the in-process mock, then beforeNodeRun / afterNodeRun called over and over
// on the pipeline's nodes. Latency per call: mean, p99, relative margin of error, samples.
import { Bench } from 'tinybench';
import { startInProcessMock } from '../backends/mock/in-process.ts';
import { DataCatalog } from '../pipeline/catalog.ts';
import { generatePipeline } from '../pipeline/generate.ts';
import type { Hooks, RunParams } from '../pipeline/hooks.ts';
import { KEDRO_VERSION_EMULATED } from '../pipeline/session.ts';
import { executeNode } from '../pipeline/work.ts';
import type { Scenario } from '../scenario/types.ts';
import { resolveHook } from '../tracking/registry.ts';

export interface BenchRow {
  hook: string;
  method: string;
  meanUs: number;
  p99Us: number;
  rme: number;
  samples: number;
}

export async function benchHooks(scenario: Scenario, hooks: string[], timeMs = 500): Promise<BenchRow[]> {
  const rows: BenchRow[] = [];
  const pipeline = generatePipeline({
    ...scenario.pipeline,
    work: { cpuMs: 0, ioBytes: 0, allocBytes: 0, sleepMs: 0 },
    failAt: null,
  });
  const runParams: RunParams = {
    runId: 'bench',
    projectPath: process.cwd(),
    env: 'local',
    kedroVersion: KEDRO_VERSION_EMULATED,
    tags: [],
    fromNodes: [],
    toNodes: [],
    nodeNames: [],
    fromInputs: [],
    toOutputs: [],
    loadVersions: {},
    runtimeParams: {},
    pipelineNames: [pipeline.name],
    namespaces: [],
    runner: 'SequentialRunner',
    onlyMissingOutputs: false,
  };
  for (const name of hooks) {
    const backend = await startInProcessMock();
    const catalog = new DataCatalog(pipeline);
    try {
      const { hooks: h } = await resolveHook({ name, label: name, options: {} }, scenario, {
        trackingUri: backend.trackingUri,
        warn: () => {},
      });
      const inputs = await Promise.all(
        pipeline.nodes.map(async (n) =>
          Object.fromEntries(
            await Promise.all(
              n.inputs
                .filter((i) => i.startsWith('params:'))
                .map(async (i): Promise<[string, unknown]> => [i, await catalog.load(i)]),
            ),
          ),
        ),
      );
      const outputs = await Promise.all(pipeline.nodes.map((n) => executeNode(n, (d) => catalog.kindOf(d))));
      await h.afterContextCreated?.({ projectPath: process.cwd(), env: 'local', parameters: pipeline.parameters });
      await h.afterCatalogCreated?.(catalog, {}, {}, pipeline.parameters, undefined, {});
      await h.beforePipelineRun?.(runParams, pipeline, catalog);
      let i = 0;
      let j = 0;
      const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs / 2) });
      const call = (method: keyof Hooks, fn: () => unknown): void => {
        if (h[method]) bench.add(method, async () => void (await fn()));
      };
      call('beforeNodeRun', () => {
        const k = i++ % pipeline.nodes.length;
        return h.beforeNodeRun!(pipeline.nodes[k]!, catalog, inputs[k]!, false, 'bench');
      });
      call('afterNodeRun', () => {
        const k = j++ % pipeline.nodes.length;
        return h.afterNodeRun!(pipeline.nodes[k]!, catalog, inputs[k]!, outputs[k]!, false, 'bench');
      });
      await bench.run();
      for (const task of bench.tasks) {
        const r = task.result;
        if (r.state !== 'completed') continue;
        rows.push({
          hook: name,
          method: task.name,
          meanUs: r.latency.mean * 1000,
          p99Us: (r.latency.p99 ?? r.latency.max) * 1000,
          rme: r.latency.rme,
          samples: r.latency.samplesCount,
        });
      }
      await h.afterPipelineRun?.(runParams, { nodesRun: 0, freeOutputs: [] }, pipeline, catalog);
    } finally {
      catalog.dispose();
      await backend.stop();
    }
  }
  return rows;
}
