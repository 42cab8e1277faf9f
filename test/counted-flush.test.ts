// trackbench.flush: count (what `run --instrument cpu-sim` sets for the reference hook): the requests
// a run sends follow from its values alone, so two runs of one pipeline send the same requests
// however slow the nodes or the server are. Only the clock differs between the runs below.
import { describe, expect, it } from 'vitest';
import { startInProcessMock } from '../src/backends/mock/in-process.ts';
import { runSession } from '../src/pipeline/session.ts';
import { createReferenceHook } from '../src/tracking/builtin/reference.ts';
import { trackingConfigFor } from '../src/tracking/registry.ts';
import { config, context } from './helpers/tracking.ts';
import { pipelineOf } from './helpers/scenario.ts';

interface Sent {
  endpoint: string;
  requestBytes: number;
}

/**
 * One run of a 6-node pipeline (6 x (4 params + 1 tag + 2 metrics) = 42 values) with the reference
 * hook on a fresh mock; a 10 ms flush timer and a 16-value queue bound, both of which decide batch
 * boundaries by the clock in timer mode.
 */
async function requestsSent(flush: 'count' | 'timer', delays: { nodeMs: number; serverMs: number }): Promise<Sent[]> {
  const pipeline = pipelineOf({
    nodes: 6,
    paramsPerNode: { count: 4 },
    metricsPerNode: 2,
    work: { sleepMs: delays.nodeMs },
  });
  const backend = await startInProcessMock({ latencyMs: delays.serverMs });
  try {
    const hooks = createReferenceHook(
      config({ trackbench: { flush, flushIntervalMs: 10, queueBound: 16 } }),
      context(backend),
    );
    await runSession(pipeline, { hooks: [{ name: 'reference', hooks }] });
    expect(hooks.stats().lost).toMatchObject({ params: 0, tags: 0, metrics: 0 });
    return backend.requestLog.since(0).map((r) => ({ endpoint: r.endpoint, requestBytes: r.requestBytes }));
  } finally {
    await backend.stop();
  }
}

describe('trackbench.flush: count', () => {
  it('sends the same requests, endpoint by endpoint and byte for byte, whatever the delays', async () => {
    const slowNodes = await requestsSent('count', { nodeMs: 25, serverMs: 0 });
    const slowServer = await requestsSent('count', { nodeMs: 0, serverMs: 15 });
    expect(slowServer).toEqual(slowNodes);
    const endpoints = slowNodes.map((r) => r.endpoint);
    expect(endpoints[0]).toMatch(/^experiments\//);
    expect(endpoints.at(-1)).toBe('runs/update');
    // 42 values: never more than the 16-value queue in one batch, and every one delivered (checked above).
    const batches = endpoints.filter((e) => e === 'runs/log-batch').length;
    expect(batches).toBeGreaterThanOrEqual(Math.ceil(42 / 16));
  });

  it('is what a counted trial gives a tracking hook, over its own options', () => {
    const counted = { ...context(undefined), counted: true };
    const options = { mlflow: { trackbench: { flush: 'timer', queueBound: 5, flushIntervalMs: 10 } } };
    expect(trackingConfigFor(options, counted).trackbench).toMatchObject({ flush: 'count', queueBound: 5 });
    expect(trackingConfigFor(options, context(undefined)).trackbench.flush).toBe('timer');
    expect(trackingConfigFor({}, context(undefined)).trackbench.flush).toBe('timer');
  });
});
