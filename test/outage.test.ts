// The tracking server killed mid-run and restarted: with the reference hook every produced value
// reaches the server exactly once (after one replay at most; a second replay delivers nothing).
import { describe, expect, it } from 'vitest';
import { outageExperiment, sumCounts } from './helpers/outage.ts';
import { pipelineOf } from './helpers/scenario.ts';

// The article's 50 x 10 x 5 pipeline with one model; 40 ms per node so an outage falls mid-run.
const pipeline = pipelineOf({
  nodes: 50,
  paramsPerNode: { count: 10 },
  metricsPerNode: 5,
  modelNodes: { count: 1, bytes: 1024 },
  work: { cpuMs: 0, sleepMs: 40, ioBytes: 0, allocBytes: 0 },
});

describe('the mock killed mid-run and restarted', () => {
  it('a 2 s outage in the middle: every value delivered once, nothing spilled', async () => {
    const f = await outageExperiment(pipeline, { killAtNode: 25, downMs: 2000, drainMs: 10_000, replays: 1 });
    expect(f.outages).toBeGreaterThanOrEqual(1);
    expect(f.delivered).toEqual(f.produced);
    expect(sumCounts(f.spilled)).toBe(0);
    expect(f.onServer).toEqual({
      runs: 1,
      params: f.produced.params,
      metrics: f.produced.metrics,
      tags: f.produced.tags,
      models: 1,
    });
  }, 120_000);

  it('down for the whole run: all spilled; one replay delivers everything once; a second delivers 0', async () => {
    const f = await outageExperiment(pipeline, { killAtNode: -1, downMs: Infinity, drainMs: 200, replays: 2 });
    expect(sumCounts(f.delivered)).toBe(0);
    expect(f.spilled).toEqual(f.produced);
    expect(f.replays[0]).toMatchObject({ params: 500, metrics: 250, tags: f.produced.tags, models: 1 });
    expect(f.replays[1]).toMatchObject({ params: 0, metrics: 0, tags: 0, models: 0 });
    expect(f.onServer).toEqual({ runs: 1, params: 500, metrics: 250, tags: f.produced.tags, models: 1 });
  }, 120_000);
});
