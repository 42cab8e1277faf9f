// The mock's bookkeeping that its cheaper paths must keep exactly: exact metric repeats dropped (by key,
// timestamp, step and value, NaN equal to NaN and -0 to 0), and the run id the request log takes from a body.
import { describe, expect, it } from 'vitest';
import { startHttpMock } from '../src/backends/mock/http-server.ts';
import { MockStore } from '../src/backends/mock/store.ts';
import { storedMetricValue } from '../src/mlflow/limits.ts';
import type { Metric } from '../src/mlflow/wire.ts';

/** The identity the store used to keep per value: equal text, equal value. */
const idOf = (m: Metric): string => `${m.key}\n${m.timestamp}\n${m.step}\n${storedMetricValue(m.value)}`;

function newRun(): { store: MockStore; run: string } {
  const store = new MockStore(() => 1000);
  const exp = store.createExperiment('e');
  return { store, run: store.createRun(exp, 'r', 0, []).info.run_id };
}

const kept = (store: MockStore, run: string, key: string): string[] => store.metricHistory(run, key).map(idOf).sort();

describe('the mock store drops exact metric repeats', () => {
  it('NaN equal to NaN, -0 to 0, an infinity to the largest double; nothing else', () => {
    const { store, run } = newRun();
    const log = (timestamp: number, step: number, value: number): void =>
      store.logMetric(run, { key: 'm', timestamp, step, value });
    log(1, 0, NaN);
    log(1, 0, NaN);
    log(1, 0, 0);
    log(1, 0, -0);
    log(-0, -0, 0);
    log(0, 0, 0);
    log(1, 0, Infinity);
    log(1, 0, Number.MAX_VALUE);
    // (timestamp, step) pairs that share a slot of the index still differ
    log(1 + 2 ** 32, 0, 0);
    log(1, 2 ** 20, 0);
    expect(store.metricHistory(run, 'm')).toHaveLength(6);
    expect(kept(store, run, 'm')).toEqual(
      [
        'm\n0\n0\n0',
        'm\n1\n0\n0',
        'm\n1\n0\nNaN',
        `m\n1\n0\n${Number.MAX_VALUE}`,
        `m\n${1 + 2 ** 32}\n0\n0`,
        `m\n1\n${2 ** 20}\n0`,
      ].sort(),
    );
  });

  it('in short and long histories alike (as a set of identities would)', () => {
    const { store, run } = newRun();
    // A fixed pseudo-random sequence over small pools: many repeats, keys past the length where values get indexed.
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return Math.floor(seed / 65536) % n;
    };
    const pick = <T>(pool: T[]): T => pool[next(pool.length)]!;
    const timestamps = [0, -0, 1, 2, 2 ** 32, 2 ** 32 + 1, 1_700_000_000_000];
    const steps = [0, -0, 1, 3, 2 ** 20, 2 ** 20 + 1, -1];
    const values = [NaN, 0, -0, 1, 1.5, -2.25, Infinity, -Infinity, Number.MAX_VALUE, 1e-300];
    const expected = new Map<string, Set<string>>();
    for (let i = 0; i < 3000; i++) {
      const m = {
        key: pick(['a', 'b', 'c', 'd']),
        timestamp: pick(timestamps),
        step: pick(steps),
        value: pick(values),
      };
      // every other one through log-batch
      if (i % 2) store.logBatch(run, [m], [], []);
      else store.logMetric(run, m);
      const ids = expected.get(m.key) ?? new Set<string>();
      ids.add(idOf(m));
      expected.set(m.key, ids);
    }
    for (const [key, ids] of expected) {
      expect(ids.size).toBeGreaterThan(16);
      expect(kept(store, run, key)).toEqual([...ids].sort());
    }
  });
});

describe('the request log', () => {
  it('takes the run id from a JSON body, and none from a body only Python reads (a bare NaN)', async () => {
    const mock = await startHttpMock();
    try {
      const exp = mock.mock.store.createExperiment('e');
      const run = mock.mock.store.createRun(exp, 'r', 0, []).info.run_id;
      const send = (body: string, contentType = 'application/json'): Promise<Response> =>
        fetch(`${mock.trackingUri}/api/2.0/mlflow/runs/log-batch`, {
          method: 'POST',
          headers: { 'content-type': contentType },
          body,
        });
      const metric = (value: string): string => `{"key": "m", "value": ${value}, "timestamp": 1, "step": 0}`;
      expect((await send(`{"run_id": "${run}", "metrics": [${metric('1')}]}`)).status).toBe(200);
      expect((await send(`{"run_id": "${run}", "metrics": [${metric('NaN')}]}`)).status).toBe(200);
      // answered with errors: only which run the log names matters here
      await send(`{"run_uuid": "${run}"}`, 'text/plain');
      await send(`["${run}"]`);
      await send('{"run_id": 5}');
      expect(mock.requestLog.since().map((r) => r.runId)).toEqual([run, undefined, undefined, undefined, undefined]);
      expect(mock.mock.store.metricHistory(run, 'm').map((m) => m.value)).toEqual([0, 1]);
    } finally {
      await mock.stop();
    }
  });
});
