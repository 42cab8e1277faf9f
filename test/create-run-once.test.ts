// A run creation whose answer was lost: the reference hook's retry takes the run the lost request made, so a node
// keeps one child run, with all its values, and the MET-010 read-back cannot take an empty twin for it.
import { describe, expect, it, onTestFinished } from 'vitest';
import { startInProcessMock, type InProcessMock } from '../src/backends/mock/in-process.ts';
import { MlflowClient } from '../src/mlflow/client.ts';
import { keepAliveTransport, TransportError, type Transport } from '../src/mlflow/transport.ts';
import { MlflowApiError, MlflowNetworkError } from '../src/mlflow/errors.ts';
import { readRun } from '../src/mlflow/readback.ts';
import type { Run, RunTag } from '../src/mlflow/wire.ts';
import { runSession } from '../src/pipeline/session.ts';
import { createReferenceHook } from '../src/tracking/builtin/reference.ts';
import { mayHaveBeenDone } from '../src/mlflow/created-run.ts';
import { readSpillFile, replayFile } from '../src/tracking/delivery/replay.ts';
import type { RunRecord } from '../src/tracking/delivery/spill.ts';
import type { Pipeline } from '../src/pipeline/types.ts';
import { pipelineOf } from './helpers/scenario.ts';
import { config, context } from './helpers/tracking.ts';

/** A client whose first child-run creation reaches the server, and whose answer is lost (as the client's timeout
 * running out on a loaded server loses it). */
class AnswerLost extends MlflowClient {
  lost = 0;

  override async createRun(...[req, attempts]: Parameters<MlflowClient['createRun']>): Promise<Run> {
    const run = await super.createRun(req, attempts);
    const child = (req.tags ?? []).some((t: RunTag) => t.key === 'mlflow.parentRunId');
    if (child && this.lost++ === 0)
      throw new MlflowNetworkError('runs/create', 'TIMEOUT', 1, 'no answer within 30000 ms');
    return run;
  }
}

async function mock(): Promise<InProcessMock> {
  const backend = await startInProcessMock();
  onTestFinished(() => backend.stop());
  return backend;
}

describe('a child run whose creation answer was lost', () => {
  it('is created once: the retry takes the run the lost request made', async () => {
    const backend = await mock();
    const p = pipelineOf({ nodes: 4, metricsPerNode: 2, work: { cpuMs: 0, sleepMs: 1 } });
    const cfg = config({ trackbench: { childRunPerNode: true } });
    const client = new AnswerLost({ trackingUri: backend.trackingUri, retry: { maxRetries: 0 } });
    const hook = createReferenceHook(cfg, context(backend), client);
    await runSession(p, { hooks: [{ name: 'reference', hooks: hook }] });
    expect(client.lost).toBeGreaterThan(0);
    const reader = new MlflowClient({ trackingUri: backend.trackingUri });
    const runs = await Promise.all(backend.mock.store.runIds().map((id) => readRun(reader, id)));
    reader.close();
    const children = runs.filter((r) => r.run.data.tags?.some((t) => t.key === 'mlflow.parentRunId'));
    // one child run per node, each holding its node's values
    expect(children.map((r) => r.run.info.run_name).sort()).toEqual(p.nodes.map((n) => n.name).sort());
    for (const c of children) expect(Object.keys(c.metricHistory)).toHaveLength(2);
    expect(hook.stats().delivered).toEqual(hook.stats().generated);
  });

  it('is looked for only after failures that may have gone through', () => {
    const net = (code: string): MlflowNetworkError => new MlflowNetworkError('runs/create', code, 1, '');
    const api = (status: number): MlflowApiError => new MlflowApiError('runs/create', status, `HTTP_${status}`, '', 1);
    expect([net('TIMEOUT'), net('ECONNRESET'), api(500), api(502), api(504)].map(mayHaveBeenDone)).toEqual([
      true,
      true,
      true,
      true,
      true,
    ]);
    expect([net('ECONNREFUSED'), api(503), api(429), api(400)].map(mayHaveBeenDone)).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});

describe("a run creation whose answer was lost, retried by the client's own policy (synchronous delivery)", () => {
  it('makes one run: the retry finds the run the lost request made', async () => {
    const backend = await mock();
    const http = keepAliveTransport();
    onTestFinished(() => http.close());
    let lost = 0;
    // The first runs/create reaches the server; its answer is lost on the way back.
    const lossy: Transport = async (req) => {
      const res = await http(req);
      if (req.url.pathname.endsWith('/runs/create') && lost++ === 0)
        throw new TransportError('TIMEOUT', 'no answer within 30000 ms');
      return res;
    };
    const retry = { maxRetries: 2, backoffFactor: 0.001, backoffJitter: 0 };
    const client = new MlflowClient({ trackingUri: backend.trackingUri, transport: lossy, retry });
    const experiment = await client.getOrCreateExperiment('lost-answer');
    const run = await client.createRun({ experiment_id: experiment, run_name: 'once', start_time: 1_700_000_000_000 });
    // one runs/create only: the retry found the run before sending another
    expect(lost).toBe(1);
    const runs = await client.searchAllRuns({ experiment_ids: [experiment] });
    expect(runs.map((r) => r.info.run_id)).toEqual([run.info.run_id]);
    client.close();
  });
});

/** A transport to `backend` that loses the answer to the first runs/create (when `loseAnswer`) or refuses it, and
 * refuses everything from then on: the server is down for the rest of the run. */
function downFromRunCreate(loseAnswer: boolean): Transport {
  const http = keepAliveTransport();
  onTestFinished(() => http.close());
  let down = false;
  return async (req) => {
    if (down) throw new TransportError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1');
    if (!req.url.pathname.endsWith('/runs/create')) return http(req);
    down = true;
    if (!loseAnswer) throw new TransportError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1');
    await http(req);
    throw new TransportError('TIMEOUT', 'no answer within 30000 ms');
  };
}

/** The reference hook through `transport` on `p`, with `delivery` settings: its stats and its spilled run record. */
async function spilledRun(backend: InProcessMock, transport: Transport, p: Pipeline, delivery = {}) {
  const retry = { maxRetries: 1, backoffFactor: 0.001, backoffJitter: 0 };
  const client = new MlflowClient({ trackingUri: backend.trackingUri, transport, retry });
  onTestFinished(() => client.close());
  const hook = createReferenceHook(config({ trackbench: delivery }), context(backend), client);
  await runSession(p, { hooks: [{ name: 'reference', hooks: hook }] });
  const stats = hook.stats();
  const records = readSpillFile(stats.spillFile!).map((l) => l.record);
  const runRecords = records.filter((r): r is RunRecord => r.type === 'run');
  return { stats, runRecord: runRecords.at(-1)!, spilledFirst: records[0]!.type === 'run' && records.length > 1 };
}

describe('a run creation whose answer was lost, then the server went down for the rest of the run', () => {
  const cases = [
    { name: 'values queued behind the creation', nodes: 3, metricsPerNode: 2, delivery: {} },
    // The queue overflows while the run waits: values are spilled (with the run's record) before its creation fails.
    { name: 'values spilled before the creation failed', nodes: 6, metricsPerNode: 4, delivery: { queueBound: 2 } },
  ];
  for (const c of cases)
    it(`${c.name}: spilled as a run that may exist; replay takes the run the lost request made`, async () => {
      const backend = await mock();
      const p = pipelineOf({ nodes: c.nodes, metricsPerNode: c.metricsPerNode, work: { cpuMs: 0, sleepMs: 20 } });
      const { stats, runRecord } = await spilledRun(backend, downFromRunCreate(true), p, c.delivery);
      // The client's last attempt was refused: only the first one's lost answer says the run may exist.
      expect(runRecord).toMatchObject({ type: 'run', runId: null });
      const [made] = backend.mock.store.runIds();
      expect(backend.mock.store.runIds()).toHaveLength(1);

      const healthy = new MlflowClient({ trackingUri: backend.trackingUri });
      onTestFinished(() => healthy.close());
      expect(runRecord.maybeCreatedAt).toBe((await healthy.getRun(made!)).info.start_time);
      const replayed = await replayFile(stats.spillFile!, healthy);
      expect(replayed.runsCreated).toBe(0);
      expect(replayed.records.find((r) => r.outcome === 'run resolved')?.detail).toMatch(/made by a creation whose/);
      const [only, ...twins] = await Promise.all(backend.mock.store.runIds().map((id) => readRun(healthy, id)));
      expect(twins).toEqual([]);
      expect(Object.keys(only!.metricHistory)).toHaveLength(c.nodes * c.metricsPerNode);
      expect(replayed.tags).toBe(stats.spilled.tags);
    });

  it('a creation refused every time is spilled as a run to make (no lost answer, nothing to look for)', async () => {
    const backend = await mock();
    const p = pipelineOf({ nodes: 3, metricsPerNode: 2, work: { cpuMs: 0, sleepMs: 1 } });
    const { runRecord } = await spilledRun(backend, downFromRunCreate(false), p);
    expect(runRecord).toMatchObject({ type: 'run', runId: null });
    expect(runRecord).not.toHaveProperty('maybeCreatedAt');
    expect(backend.mock.store.runIds()).toEqual([]);
  });
});
