import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { startInProcessMock, type InProcessMock } from '../src/backends/mock/in-process.ts';
import { main } from '../src/cli/main.ts';
import { trace } from '../src/measure/trace.ts';
import { MlflowClient } from '../src/mlflow/client.ts';
import { readRun, type RunState } from '../src/mlflow/readback.ts';
import { HookError, type Hooks } from '../src/pipeline/hooks.ts';
import type { Pipeline } from '../src/pipeline/types.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { createKedroMlflowLikeHook } from '../src/tracking/builtin/kedro-mlflow-like.ts';
import { createNaiveHook } from '../src/tracking/builtin/naive.ts';
import { createReferenceHook } from '../src/tracking/builtin/reference.ts';
import { readSpillFile, replayFile } from '../src/tracking/delivery/replay.ts';
import { config, context, paramsOf, runTracked, tagsOf } from './helpers/tracking.ts';
import { pipelineOf } from './helpers/scenario.ts';

const overhead = loadScenarioFile('scenarios/overhead-table.yaml').scenario;
const ref = (name: string, options: Record<string, unknown> = {}) => ({ name, label: name, options });

describe("trace: request patterns of the three designs on the article's 50 x 10 x 5 pipeline (exact counts)", () => {
  it('reference: at most 10 calls, everything delivered', async () => {
    const r = await trace(overhead, ref('reference'));
    expect(r.apiCalls).toBeLessThanOrEqual(10);
    expect(r.generated).toMatchObject({ params: 500, metrics: 250 });
    expect(r.delivered).toEqual(r.generated);
    expect(r.byEndpoint['runs/log-batch']).toBe(6);
  });

  it('reference with a child run per node: at most 3 calls per node + 3', async () => {
    const r = await trace(overhead, ref('reference', { mlflow: { trackbench: { childRunPerNode: true } } }));
    expect(r.runs).toBe(51);
    expect(r.apiCalls).toBeLessThanOrEqual(3 * 50 + 3);
    expect(r.delivered).toEqual(r.generated);
  });

  it('naive: one call per value (params + metric values + tags) plus experiment, run create and end', async () => {
    const r = await trace(overhead, ref('naive'));
    expect(r.byEndpoint).toEqual({
      'runs/log-parameter': 500,
      'runs/log-metric': 250,
      'runs/set-tag': 56,
      'experiments/get-by-name': 1,
      'runs/create': 1,
      'runs/update': 1,
    });
    expect(r.apiCalls).toBe(500 + 250 + 56 + 3);
    expect(r.delivered).toEqual(r.generated);
  });

  it('kedro-mlflow-like sends what the real kedro-mlflow 2.0.3 sent, endpoint by endpoint (fixture)', async () => {
    const recorded = JSON.parse(readFileSync('fixtures/kedro-mlflow/requests-2.0.3.json', 'utf8')) as {
      apiCalls: number;
      byEndpoint: Record<string, number>;
    };
    const r = await trace(overhead, ref('kedro-mlflow-like'));
    expect(r.byEndpoint).toEqual(recorded.byEndpoint);
    expect(r.apiCalls).toBe(recorded.apiCalls);
    expect(r.delivered).toMatchObject({ params: 500, metrics: 250 });
  });

  it('cold: the first run also creates the experiment', async () => {
    const r = await trace(overhead, ref('reference'), { cold: true });
    expect(r.byEndpoint['experiments/create']).toBe(1);
    expect(r.apiCalls).toBe((await trace(overhead, ref('reference'))).apiCalls + 1);
  });

  it('prints JSON with the documented keys', async () => {
    let out = '';
    const code = await main(['trace', 'scenarios/overhead-table.yaml', '--hook', 'reference', '--format', 'json'], {
      out: (t) => void (out += t),
      err: () => {},
      isTTY: false,
    });
    expect(code).toBe(0);
    const j = JSON.parse(out) as Record<string, unknown>;
    expect(Object.keys(j)).toEqual(
      expect.arrayContaining(['apiCalls', 'byEndpoint', 'requestBytes', 'generated', 'delivered', 'lost']),
    );
    expect(j.lost).toEqual({ params: 0, metrics: 0, tags: 0, artifacts: 0, models: 0 });
  });
});

describe('reference hook behaviour', () => {
  const shape = {
    nodes: 6,
    topology: { kind: 'chain' },
    namespaces: { count: 2 },
    paramsPerNode: { count: 3 },
    metricsPerNode: 2,
    metricSteps: 3,
  };

  it(
    'logs one run per pipeline run with the run tags, node identity, every param and full metric ' + 'history',
    async () => {
      const p = pipelineOf(shape);
      const { runs, error } = await runTracked(p, (b) => createReferenceHook(config(), context(b)));
      expect(error).toBeUndefined();
      expect(runs).toHaveLength(1);
      const run = runs[0]!;
      expect(run.run.info).toMatchObject({ status: 'FINISHED', run_name: '__default__' });
      expect(run.run.info.end_time).toBeGreaterThan(0);
      expect(tagsOf(run)).toMatchObject({
        'kedro.pipeline_name': '__default__',
        kedro_command: 'kedro run',
        'trackbench.node_count': '6',
        'trackbench.hook': 'reference',
      });
      for (const node of p.nodes) expect(tagsOf(run)[`kedro.node.${node.name}`]).toBe(node.namespace);
      expect(Object.keys(paramsOf(run))).toHaveLength(18);
      expect(paramsOf(run)[`${p.nodes[0]!.name}.learning_rate_0`]).toBeDefined();
      const series = p.nodes[2]!.metrics[1]!;
      expect(run.metricHistory[series.key]!.map((m) => [m.step, m.value])).toEqual(series.values.map((v, i) => [i, v]));
    },
  );

  it('uploads every artifact and registers every model, not only the first', async () => {
    const p = pipelineOf({
      nodes: 4,
      artifactsPerNode: { count: 2, bytes: 777 },
      modelNodes: { indices: [1, 3], modelsPerNode: 3, bytes: 2048 },
    });
    const { runs } = await runTracked(p, (b) => createReferenceHook(config(), context(b)));
    const run = runs[0]!;
    expect(run.artifacts.filter((f) => !f.path.startsWith('models/')).map((f) => f.file_size)).toEqual(
      Array(8).fill(777),
    );
    expect(run.modelVersions).toHaveLength(6);
    expect(new Set(run.modelVersions.map((v) => v.name)).size).toBe(6);
    expect(run.artifacts.filter((f) => f.path.startsWith('models/')).every((f) => f.file_size === 2048)).toBe(true);
  });

  it('ends the run FAILED with the error and the failing node recorded when a node fails', async () => {
    const p = pipelineOf({ ...shape, failAt: 3 });
    const { runs, error } = await runTracked(p, (b) => createReferenceHook(config(), context(b)));
    expect(error?.message).toContain('injected failure');
    expect(runs[0]!.run.info.status).toBe('FAILED');
    expect(tagsOf(runs[0]!)['trackbench.failed_node']).toBe(p.nodes[3]!.name);
    expect(tagsOf(runs[0]!)['trackbench.error']).toContain('injected failure');
    // What nodes 0..2 produced, and node 3's params (logged before it ran), all arrived.
    expect(Object.keys(paramsOf(runs[0]!))).toHaveLength(12);
  });

  it('ends the run FAILED on a pipeline error that is not a node error (a hook failing)', async () => {
    const p = pipelineOf({ nodes: 3, paramsPerNode: { count: 1, kinds: { string: 1 }, stringLength: 7000 } });
    const { runs, error } = await runTracked(p, (b) => createReferenceHook(config(), context(b)));
    expect(error).toBeInstanceOf(HookError);
    expect(error?.message).toContain("Parameter 'load_0.learning_rate_0' length is 7000");
    expect(runs[0]!.run.info.status).toBe('FAILED');
    expect(tagsOf(runs[0]!)['trackbench.failed_node']).toBeUndefined();
  });

  it(
    'with a child run per node: one nested child per node linked by mlflow.parentRunId, FAILED where the node ' +
      'failed',
    async () => {
      const p = pipelineOf({ ...shape, failAt: 4 });
      const { runs } = await runTracked(p, (b) =>
        createReferenceHook(config({ trackbench: { childRunPerNode: true } }), context(b)),
      );
      const parent = runs.find((r) => !tagsOf(r)['mlflow.parentRunId'])!;
      const children = runs.filter((r) => tagsOf(r)['mlflow.parentRunId'] === parent.run.info.run_id);
      expect(children.map((c) => c.run.info.run_name)).toEqual(
        expect.arrayContaining(p.nodes.slice(0, 5).map((n) => n.name)),
      );
      expect(children).toHaveLength(5);
      expect(children.find((c) => c.run.info.run_name === p.nodes[4]!.name)!.run.info.status).toBe('FAILED');
      expect(children.filter((c) => c.run.info.status === 'FINISHED')).toHaveLength(4);
      expect(parent.run.info.status).toBe('FAILED');
      expect(Object.keys(paramsOf(children[0]!))).toHaveLength(3);
    },
  );

  it('works with the parallel runner', async () => {
    const p = pipelineOf({
      nodes: 40,
      topology: { kind: 'layered', width: 8 },
      paramsPerNode: { count: 5 },
      metricsPerNode: 2,
      work: { sleepMs: 1 },
    });
    const { runs } = await runTracked(p, (b) => createReferenceHook(config(), context(b)), {
      runner: { kind: 'parallel', concurrency: 4 },
    });
    expect(Object.keys(paramsOf(runs[0]!))).toHaveLength(200);
    expect(Object.values(runs[0]!.metricHistory).flat()).toHaveLength(80);
  });
});

describe('cost by design', () => {
  it("packs log-batch requests to MLflow's limits: 1000 params -> 10 requests of 100", async () => {
    const p = pipelineOf({ nodes: 100, paramsPerNode: { count: 10 } });
    const { backend, runs } = await runTracked(p, (b) => createReferenceHook(config(), context(b)), {
      keepBackend: true,
    });
    onTestFinished(() => backend.stop());
    const batches = backend.requestLog.since(0).filter((r) => r.endpoint === 'runs/log-batch');
    expect(batches.every((r) => r.status === 200)).toBe(true);
    // 1000 params / 100 per batch; the 100 node tags ride along (<= 100 tags per batch).
    expect(batches).toHaveLength(10);
    expect(Object.keys(paramsOf(runs[0]!))).toHaveLength(1000);
  });

  it('packs metrics up to 1000 per request', async () => {
    const p = pipelineOf({ nodes: 10, metricsPerNode: 10, metricSteps: 50 });
    const { backend, runs } = await runTracked(p, (b) => createReferenceHook(config(), context(b)), {
      keepBackend: true,
    });
    onTestFinished(() => backend.stop());
    // 5000 metric values + 10 node tags = 5010 items, at most 1000 per request.
    expect(backend.requestLog.since(0).filter((r) => r.endpoint === 'runs/log-batch')).toHaveLength(6);
    expect(Object.values(runs[0]!.metricHistory).flat()).toHaveLength(5000);
  });

  it('keeps the queue within its bound, making the producer wait', async () => {
    const p = pipelineOf({ nodes: 10, paramsPerNode: { count: 20 }, metricsPerNode: 5 });
    const backend = await startInProcessMock({ latencyMs: 5 });
    onTestFinished(() => backend.stop());
    const hook = createReferenceHook(config({ trackbench: { queueBound: 50, batching: false } }), context(backend));
    const { runSession } = await import('../src/pipeline/session.ts');
    await runSession(p, { hooks: [{ name: 'h', hooks: hook }] });
    expect(hook.maxQueued).toBeLessThanOrEqual(50);
    expect(hook.maxQueued).toBeGreaterThan(10);
    expect(hook.stats().delivered).toMatchObject({ params: 200, metrics: 50 });
  });

  it(
    'when the server is down: retries, completes the pipeline, warns with the count and spills to a file that ' +
      'replay delivers',
    async () => {
      const p = pipelineOf({ nodes: 5, paramsPerNode: { count: 4 }, metricsPerNode: 2, modelNodes: { count: 1 } });
      const backend = await startInProcessMock();
      onTestFinished(() => backend.stop());
      const warnings: string[] = [];
      // Synchronous mode, so the run is created before the outage starts (deterministically).
      const hook = createReferenceHook(config({ trackbench: { async: false } }), context(backend, warnings));
      const { runSession } = await import('../src/pipeline/session.ts');
      // The experiment exists and the run starts; then the server goes away.
      let calls = 0;
      await runSession(p, {
        hooks: [
          { name: 'h', hooks: hook },
          {
            name: 'outage',
            hooks: { beforeNodeRun: () => void (++calls === 1 && backend.setFaults!({ down: true })) },
          },
        ],
      });
      const stats = hook.stats();
      expect(stats.lost.params + stats.delivered.params).toBe(20);
      expect(stats.lost.params).toBe(20);
      expect(stats.lost.metrics).toBe(10);
      expect(stats.lost.models).toBe(1);
      // Retried: more than one attempt hit the outage.
      expect(backend.requestLog.since(0).filter((r) => r.status === 503).length).toBeGreaterThan(1);
      expect(warnings.join('\n')).toMatch(/\d+ value\(s\) were not delivered to MLflow .* trackbench replay .*\.jsonl/);
      backend.setFaults!({});
      const client = new MlflowClient({ trackingUri: backend.trackingUri });
      const result = await replayFile(stats.spillFile!, client);
      expect(result).toMatchObject({ params: 20, metrics: 10, models: 1, runsCreated: 0 });
      const run = await readRun(client, backend.mock.store.runIds()[0]!);
      expect(run.run.data.params).toHaveLength(20);
      expect(run.run.info.status).toBe('FINISHED');
      expect(run.modelVersions).toHaveLength(1);
      client.close();
    },
  );

  it('when the server is down from the start: the run itself is recreated by replay', async () => {
    const p = pipelineOf({ nodes: 3, paramsPerNode: { count: 2 } });
    const backend = await startInProcessMock({ down: true });
    onTestFinished(() => backend.stop());
    const hook = createReferenceHook(config(), context(backend));
    const { runSession } = await import('../src/pipeline/session.ts');
    await runSession(p, { hooks: [{ name: 'h', hooks: hook }] });
    backend.setFaults!({});
    const client = new MlflowClient({ trackingUri: backend.trackingUri });
    const result = await replayFile(hook.stats().spillFile!, client);
    expect(result).toMatchObject({ runsCreated: 1, params: 6 });
    const run = await readRun(client, backend.mock.store.runIds()[0]!);
    expect(run.run.info.status).toBe('FINISHED');
    expect(tagsOf(run)['trackbench.hook']).toBe('reference');
    client.close();
  });

  // Kedro serves every session of a process with the same hook object: each pipeline run is a run of its own.
  for (const childRunPerNode of [false, true])
    it(`two runs of one hook, server down, replay as two runs (childRunPerNode=${childRunPerNode})`, async () => {
      const p = pipelineOf({ nodes: 3, paramsPerNode: { count: 2 } });
      const backend = await startInProcessMock({ down: true });
      onTestFinished(() => backend.stop());
      const hook = createReferenceHook(config({ trackbench: { childRunPerNode } }), context(backend));
      for (const name of ['first', 'second']) await runNamed(p, name, hook);
      backend.setFaults!({});
      const client = new MlflowClient({ trackingUri: backend.trackingUri });
      onTestFinished(() => client.close());
      const result = await replayFile(hook.stats().spillFile!, client);
      const runs = await serverRuns(backend);
      const top = runs.filter((r) => !tagsOf(r)['mlflow.parentRunId']);
      expect(result.runsCreated).toBe(childRunPerNode ? 8 : 2);
      expect(top.map((r) => tagsOf(r)['kedro.pipeline_name']).sort()).toEqual(['first', 'second']);
      // Each run holds its own 6 params once (one per node's child run with childRunPerNode), and ended once.
      for (const r of runs) expect(r.run.info.status).toBe('FINISHED');
      expect(runs.map((r) => r.run.data.params?.length ?? 0).reduce((a, b) => a + b, 0)).toBe(12);
      for (const r of top)
        expect(runs.filter((c) => tagsOf(c)['mlflow.parentRunId'] === r.run.info.run_id)).toHaveLength(
          childRunPerNode ? 3 : 0,
        );
    });

  it('a run never ended (a later hook raised in beforePipelineRun) ends FAILED as the next starts', async () => {
    const p = pipelineOf({ nodes: 2, paramsPerNode: { count: 1 } });
    const backend = await startInProcessMock();
    onTestFinished(() => backend.stop());
    const hook = createReferenceHook(config(), context(backend));
    const raising = { beforePipelineRun: () => Promise.reject(new Error('another plugin failed')) };
    await expect(runNamed(p, 'a', hook, raising)).rejects.toThrow('another plugin failed');
    await runNamed(p, 'b', hook);
    const runs = await serverRuns(backend);
    expect(runs.map((r) => `${tagsOf(r)['kedro.pipeline_name']} ${r.run.info.status}`).sort()).toEqual([
      'a FAILED',
      'b FINISHED',
    ]);
  });

  it("a failed run's failed node is not carried to the next run of the same hook", async () => {
    const backend = await startInProcessMock();
    onTestFinished(() => backend.stop());
    const hook = createReferenceHook(config(), context(backend));
    const failing = pipelineOf({ nodes: 3, paramsPerNode: { count: 1 }, failAt: 1 });
    await expect(runNamed(failing, 'a', hook)).rejects.toThrow();
    // The second run fails too, but in a hook before any node ran: no node failed.
    const raising = { beforeNodeRun: () => Promise.reject(new Error('another plugin failed')) };
    const healthy = pipelineOf({ nodes: 3, paramsPerNode: { count: 1 } });
    await expect(runNamed(healthy, 'b', hook, raising)).rejects.toThrow('another plugin failed');
    const failedNodes = new Map(
      (await serverRuns(backend)).map((r) => [tagsOf(r)['kedro.pipeline_name'], tagsOf(r)['trackbench.failed_node']]),
    );
    expect(failedNodes.get('a')).toBeDefined();
    expect(failedNodes.has('b')).toBe(true);
    expect(failedNodes.get('b')).toBeUndefined();
  });

  it('replay refuses a file that is not a spill file, naming the line', () => {
    const f = join(mkdtempSync(join(tmpdir(), 'tb-')), 'x.jsonl');
    writeFileSync(f, '{"type":"run","run":"p","experimentName":"e","runName":"r","runId":null,"tags":[]}\nnot json\n');
    expect(() => readSpillFile(f)).toThrow(`${f}:2:1 not a trackbench spill record: not JSON`);
  });
});

describe('secrets', () => {
  const TOKEN = 'tb-secret-token-0123456789';
  afterEach(() => {
    delete process.env.MLFLOW_TRACKING_TOKEN;
  });

  it('never puts a token from the environment into a param, tag, artifact, trace or message', async () => {
    process.env.MLFLOW_TRACKING_TOKEN = TOKEN;
    const p = pipelineOf({ nodes: 4, paramsPerNode: { count: 2 }, artifactsPerNode: { count: 1 }, failAt: 2 });
    // The failing node's error message carries the token, as a careless exception might.
    const failing = { ...p, nodes: p.nodes.map((n) => (n.index === 2 ? { ...n, name: n.name } : n)) };
    const warnings: string[] = [];
    const { runs, error } = await runTracked(failing, (b) => {
      const hook = createReferenceHook(config(), context(b, warnings));
      const original = hook.onPipelineError!.bind(hook);
      hook.onPipelineError = (e, ...rest) => original(new Error(`${e.message} (auth ${TOKEN})`), ...rest);
      return hook;
    });
    expect(error).toBeDefined();
    const everything = JSON.stringify(runs) + warnings.join('\n');
    expect(everything).toContain('auth ***');
    expect(everything).not.toContain(TOKEN);
    const t = await trace(overhead, ref('reference'));
    expect(JSON.stringify(t)).not.toContain(TOKEN);
  });
});

describe('the comparison designs', () => {
  it('naive and kedro-mlflow-like deliver the same values as the reference hook', async () => {
    const p = pipelineOf({ nodes: 5, paramsPerNode: { count: 3 }, metricsPerNode: 2, modelNodes: { count: 1 } });
    for (const make of [createNaiveHook, createKedroMlflowLikeHook]) {
      const { runs, error } = await runTracked(p, (b) => make(config(), context(b)));
      expect(error).toBeUndefined();
      expect(runs[0]!.run.info.status).toBe('FINISHED');
      expect(runs[0]!.run.data.params).toHaveLength(15);
      expect(Object.values(runs[0]!.metricHistory).flat()).toHaveLength(10);
      expect(runs[0]!.modelVersions).toHaveLength(1);
    }
  });

  it('naive and kedro-mlflow-like end FAILED on a node error', async () => {
    const p = pipelineOf({ nodes: 3, failAt: 1 });
    for (const make of [createNaiveHook, createKedroMlflowLikeHook]) {
      const { runs } = await runTracked(p, (b) => make(config(), context(b)));
      expect(runs[0]!.run.info.status).toBe('FAILED');
    }
  });
});

/** One pipeline run of `p`, named `name`, with `hook` and, after it, an `extra` hook. */
async function runNamed(p: Pipeline, name: string, hook: Hooks, extra?: Hooks): Promise<void> {
  const { runSession } = await import('../src/pipeline/session.ts');
  const hooks = [{ name: 'h', hooks: hook }, ...(extra ? [{ name: 'x', hooks: extra }] : [])];
  await runSession({ ...p, name }, { hooks });
}

/** Every run on the mock, read whole. */
async function serverRuns(backend: InProcessMock): Promise<RunState[]> {
  const client = new MlflowClient({ trackingUri: backend.trackingUri });
  try {
    return await Promise.all(backend.mock.store.runIds().map((id) => readRun(client, id)));
  } finally {
    client.close();
  }
}
