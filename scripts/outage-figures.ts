// Figures for the README: the reference hook on the article's 50-node pipeline (40 ms per node),
// (a) with the tracking server killed for 2 s in the middle of the run, (b) with the server down
// for the whole run, then one replay, then a second. Run: npx tsx scripts/outage-figures.ts
import { outageExperiment, sumCounts } from '../test/helpers/outage.ts';
import { pipelineOf } from '../test/helpers/scenario.ts';

const pipeline = pipelineOf({
  nodes: 50,
  paramsPerNode: { count: 10 },
  metricsPerNode: 5,
  modelNodes: { count: 1, bytes: 1024 },
  work: { cpuMs: 0, sleepMs: 40, ioBytes: 0, allocBytes: 0 },
});
const mid = await outageExperiment(pipeline, { killAtNode: 25, downMs: 2000, drainMs: 10_000, replays: 1 });
console.log(
  `2 s outage mid-run: produced ${sumCounts(mid.produced)}, delivered ${sumCounts(mid.delivered)}, ` +
    `spilled ${sumCounts(mid.spilled)}; outages ${mid.outages}; on the server: ${JSON.stringify(mid.onServer)}`,
);
const down = await outageExperiment(pipeline, { killAtNode: -1, downMs: Infinity, drainMs: 200, replays: 2 });
const [first, second] = down.replays.map((r) => r.params + r.metrics + r.tags + r.models);
console.log(
  `down for the whole run: produced ${sumCounts(down.produced)}, delivered ${sumCounts(down.delivered)}, ` +
    `spilled ${sumCounts(down.spilled)}; first replay delivered ${first} (${down.replays[0]!.requests} requests), ` +
    `second replay ${second} (${down.replays[1]!.requests} requests); on the server: ${JSON.stringify(down.onServer)}`,
);
