// Generation time at 5000 nodes (and 50, 500), for each topology. A benchmark, not a test:
// run with `npm run bench:generate`. Reports the first call (cold JIT), the median and the min of 15.
import { performance } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { generatePipeline, summarize } from '../src/pipeline/generate.ts';
import { parseScenario } from '../src/scenario/load.ts';

const REPS = 15;
for (const nodes of [50, 500, 5000]) {
  for (const kind of ['chain', 'fan', 'layered', 'random']) {
    const { scenario } = parseScenario(
      stringify({
        name: 'bench',
        pipeline: {
          nodes,
          topology: { kind, width: 8, edgeProbability: 10 / nodes },
          namespaces: { count: 10, depth: 2 },
          paramsPerNode: { count: 10, kinds: { number: 6, string: 3, dict: 1 } },
          metricsPerNode: 5,
          modelNodes: { count: 5 },
        },
      }),
    );
    const times: number[] = [];
    for (let i = 0; i < REPS; i++) {
      const t0 = performance.now();
      generatePipeline(scenario.pipeline);
      times.push(performance.now() - t0);
    }
    const cold = times[0]!;
    times.sort((a, b) => a - b);
    const s = summarize(generatePipeline(scenario.pipeline));
    console.log(
      `${String(nodes).padStart(5)} nodes ${kind.padEnd(8)} ` +
        `median ${times[REPS >> 1]!.toFixed(1).padStart(6)} ms  min ${times[0]!.toFixed(1).padStart(6)} ms  ` +
        `first call ${cold.toFixed(1).padStart(6)} ms  (${s.edges} edges, ${s.params} params)`,
    );
  }
}
