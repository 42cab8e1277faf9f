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
import { pipelineOf } from './helpers/scenario.ts';
import { config, context } from './helpers/tracking.ts';

/** A client whose first child-run creation reaches the server, and whose answer is lost (as the client's timeout
 * running out on a loaded server loses it). */
class AnswerLost extends MlflowClient {
  lost = 0;

  override async createRun(req: Parameters<MlflowClient['createRun']>[0]): Promise<Run> {
    const run = await super.createRun(req);
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

describe('a run creation whose answer was lost, then the server went down for the rest of the run', () => {
  it("is spilled as a run that may exist (the client's lost answer known to the breaker); replay finds it", async () => {
    const backend = await mock();
    const http = keepAliveTransport();
    onTestFinished(() => http.close());
    let down = false;
    // The runs/create reaches the server and its answer is lost; from then on nothing reaches it.
    const lossy: Transport = async (req) => {
      if (down) throw new TransportError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1');
      const res = await http(req);
      if (!req.url.pathname.endsWith('/runs/create')) return res;
      down = true;
      throw new TransportError('TIMEOUT', 'no answer within 30000 ms');
    };
    const p = pipelineOf({ nodes: 3, metricsPerNode: 2, work: { cpuMs: 0, sleepMs: 1 } });
    const retry = { maxRetries: 1, backoffFactor: 0.001, backoffJitter: 0 };
    const client = new MlflowClient({ trackingUri: backend.trackingUri, transport: lossy, retry });
    onTestFinished(() => client.close());
    const hook = createReferenceHook(config(), context(backend), client);
    await runSession(p, { hooks: [{ name: 'reference', hooks: hook }] });
    const stats = hook.stats();
    // The client's last attempt was refused: only the first one's lost answer says the run may exist.
    const runRecord = readSpillFile(stats.spillFile!).find((l) => l.record.type === 'run')!.record;
    expect(runRecord).toMatchObject({ type: 'run', runId: null });
    expect(runRecord.type === 'run' && runRecord.maybeCreatedAt).toBeGreaterThan(0);
    expect(backend.mock.store.runIds()).toHaveLength(1);

    const healthy = new MlflowClient({ trackingUri: backend.trackingUri });
    onTestFinished(() => healthy.close());
    const replayed = await replayFile(stats.spillFile!, healthy);
    expect(replayed.runsCreated).toBe(0);
    expect(replayed.records.find((r) => r.outcome === 'run resolved')?.detail).toMatch(/made by a creation whose/);
    const [only, ...twins] = await Promise.all(backend.mock.store.runIds().map((id) => readRun(healthy, id)));
    expect(twins).toEqual([]);
    expect(Object.keys(only!.metricHistory)).toHaveLength(6);
    expect(replayed.tags).toBe(stats.spilled.tags);
  });
});
