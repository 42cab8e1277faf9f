// Micro-benchmarks of hook method calls with tinybench: each built-in tracking hook, set up for a
// pipeline run against the in-process mock, then each node's beforeNodeRun / afterNodeRun pair called over and
// over on the pipeline's nodes, one method timed. Latency per call: mean, p99, relative margin of error, samples.
import { Bench, type FnReturnedObject } from 'tinybench';
import { startInProcessMock } from '../backends/mock/in-process.ts';
import { DataCatalog } from '../pipeline/catalog.ts';
import { generatePipeline } from '../pipeline/generate.ts';
import { runParamsFor } from '../pipeline/session.ts';
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
  const runParams = runParamsFor(pipeline, {
    runId: 'bench',
    projectPath: process.cwd(),
    env: 'local',
    runner: { kind: 'sequential', concurrency: 1 },
  });
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
      let k = 0;
      const before = () => h.beforeNodeRun?.(pipeline.nodes[k]!, catalog, inputs[k]!, false, 'bench');
      const after = () => h.afterNodeRun?.(pipeline.nodes[k]!, catalog, inputs[k]!, outputs[k]!, false, 'bench');
      const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs / 2) });
      /** One node's pair of calls, as a runner makes them, with `timed` (one of them) timed alone. The whole pair
       * is the iteration's cost in the time budget: work a hook defers from one method to the other is charged to
       * the method that does it, and never piles up (thousands of beforeNodeRun calls with no afterNodeRun leave a
       * hook thousands of nodes to catch up on), and a run takes about its time budget. */
      const pair = async (timed: 'before' | 'after'): Promise<FnReturnedObject> => {
        const start = bench.now();
        await before();
        const mid = bench.now();
        await after();
        const end = bench.now();
        k = (k + 1) % pipeline.nodes.length;
        return {
          overriddenDuration: timed === 'before' ? mid - start : end - mid,
          overriddenIterationCost: end - start,
        };
      };
      if (h.beforeNodeRun) bench.add('beforeNodeRun', () => pair('before'));
      if (h.afterNodeRun) bench.add('afterNodeRun', () => pair('after'));
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
