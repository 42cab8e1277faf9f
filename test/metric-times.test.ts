// MET-020's rule for values of nodes that started at different milliseconds and share one stamp: honest when
// every node was running in that millisecond (nodes shorter than a millisecond), frozen otherwise.
import { describe, expect, it } from 'vitest';
import { WINDOW_MET } from '../src/conformance/requirements/windows.ts';
import { SCENARIOS } from '../src/conformance/scenarios.ts';
import type { NodeWindow, Observation } from '../src/conformance/types.ts';
import type { RunState } from '../src/mlflow/readback.ts';
import { runState } from './helpers/run-state.ts';

const pipeline = SCENARIOS['long-params'].pipeline;
const names = pipeline.nodes.map((n) => n.name);

/** One run holding every metric value of the pipeline, each stamped `stamp`. */
function runStamped(stamp: number): RunState {
  const metricHistory = Object.fromEntries(
    pipeline.nodes.flatMap((n) =>
      n.metrics.map((m) => [m.key, m.values.map((value, step) => ({ key: m.key, value, step, timestamp: stamp }))]),
    ),
  );
  return runState('r', {}, { tags: [] }, { metricHistory });
}

function check(stamp: number, nodes: NodeWindow[]) {
  // Only the fields MET-020 reads; the rest of an observation plays no part in it.
  const o = {
    pipeline,
    runs: [runStamped(stamp)],
    pipelineRuns: 1,
    timing: [{ window: { startMs: 100, endMs: 110 }, nodes }],
  } as unknown as Observation;
  return WINDOW_MET.find((r) => r.id === 'MET-020')!.check(o);
}

describe('MET-020: one stamp for the values of nodes that started at different times', () => {
  it('has nodes with metrics to stamp', () => {
    expect(pipeline.nodes.filter((n) => n.metrics.length).length).toBeGreaterThan(1);
  });

  it('passes when every node was running in that millisecond (back-to-back nodes under a millisecond)', () => {
    const f = check(101, [
      { node: names[0]!, startMs: 100, endMs: 101 },
      ...names.slice(1).map((node) => ({ node, startMs: 101, endMs: 101 })),
    ]);
    expect(f).toMatchObject({ status: 'pass' });
  });

  it('fails when a node had ended before it, though within the clock slack', () => {
    const f = check(101, [
      { node: names[0]!, startMs: 100, endMs: 100 },
      ...names.slice(1).map((node) => ({ node, startMs: 101, endMs: 101 })),
    ]);
    expect(f.status).toBe('fail');
    expect(f.found).toMatch(/all values of \d+ nodes that started at 2 times stamped 101/);
  });

  it("fails for nodes whose end is not known (only their start is: the stamp can't be told honest)", () => {
    const f = check(101, [
      { node: names[0]!, startMs: 100 },
      ...names.slice(1).map((node) => ({ node, startMs: 101 })),
    ]);
    expect(f.status).toBe('fail');
  });
});
