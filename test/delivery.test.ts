// Delivery that heals, values checked before sending, and replay that is safe to repeat.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished, vi } from 'vitest';
import { startInProcessMock, type InProcessMock } from '../src/backends/mock/in-process.ts';
import { main } from '../src/cli/main.ts';
import { InputError } from '../src/errors.ts';
import { MlflowClient } from '../src/mlflow/client.ts';
import { readRun, type RunState } from '../src/mlflow/readback.ts';
import { TransportError, keepAliveTransport } from '../src/mlflow/transport.ts';
import type { RunParams } from '../src/pipeline/hooks.ts';
import { runSession } from '../src/pipeline/session.ts';
import type { Pipeline } from '../src/pipeline/types.ts';
import { createKedroMlflowLikeHook } from '../src/tracking/builtin/kedro-mlflow-like.ts';
import { createNaiveHook } from '../src/tracking/builtin/naive.ts';
import { createReferenceHook } from '../src/tracking/builtin/reference.ts';
import type { DeliveryStats } from '../src/tracking/delivery/accounting.ts';
import { readSpillFile, replayFile } from '../src/tracking/delivery/replay.ts';
import { SpillWriter } from '../src/tracking/delivery/spill.ts';
import { KeyMap } from '../src/tracking/keys.ts';
import { pipelineOf } from './helpers/scenario.ts';
import { config, context, paramsOf } from './helpers/tracking.ts';

const sum = (c: Record<string, number>): number => Object.values(c).reduce((a, b) => a + b, 0);

async function mock(): Promise<InProcessMock> {
  const backend = await startInProcessMock();
  onTestFinished(() => backend.stop());
  return backend;
}

/** Every run on the server, read back; and the number of metric values and params across them. */
async function serverState(backend: InProcessMock): Promise<{ runs: RunState[]; params: number; metrics: number }> {
  const client = new MlflowClient({ trackingUri: backend.trackingUri });
  const runs: RunState[] = [];
  for (const id of backend.mock.store.runIds()) runs.push(await readRun(client, id));
  client.close();
  return {
    runs,
    params: runs.reduce((n, r) => n + (r.run.data.params ?? []).length, 0),
    metrics: runs.reduce((n, r) => n + Object.values(r.metricHistory).flat().length, 0),
  };
}

/** Runs `p` with the reference hook; `atNode(i)` is called before node i runs (to start outages). */
async function runReference(
  p: Pipeline,
  backend: InProcessMock,
  options: Record<string, unknown>,
  atNode: (i: number) => void = () => {},
): Promise<{ stats: DeliveryStats; warnings: string[] }> {
  const warnings: string[] = [];
  const hook = createReferenceHook(config({ trackbench: options }), context(backend, warnings));
  let i = 0;
  await runSession(p, {
    hooks: [
      { name: 'reference', hooks: hook },
      { name: 'clock', hooks: { beforeNodeRun: () => atNode(i++) } },
    ],
  });
  return { stats: hook.stats(), warnings };
}

const outageFor = (backend: InProcessMock, ms: number): void => {
  backend.setFaults!({ down: true });
  setTimeout(() => backend.setFaults!({}), ms).unref();
};

describe('delivery that heals', () => {
  const p = pipelineOf({ nodes: 20, paramsPerNode: { count: 3 }, metricsPerNode: 2, work: { cpuMs: 0, sleepMs: 15 } });

  it('an outage in the middle of the run: delivery pauses, probes, resumes in order; nothing spilled', async () => {
    const backend = await mock();
    const { stats } = await runReference(p, backend, { flushIntervalMs: 20, outage: { drainMs: 5000 } }, (i) => {
      if (i === 5) outageFor(backend, 400);
    });
    expect(backend.requestLog.since(0).some((r) => r.status === 503)).toBe(true);
    expect(stats.outages).toBeGreaterThanOrEqual(1);
    expect(stats.delivered).toEqual(stats.generated);
    expect(sum(stats.spilled)).toBe(0);
    expect(stats.spillFile).toBeUndefined();
    const log = backend.requestLog.since(0).filter((r) => r.status === 200);
    const server = await serverState(backend);
    expect(server.params).toBe(60);
    expect(server.metrics).toBe(40);
    expect(server.runs[0]!.run.info.status).toBe('FINISHED');
    // In order: after the outage the run's end came last, after every value.
    expect(log[log.length - 1]!.endpoint).toBe('runs/update');
  });

  /** Answers after 30 ms; `most()`: the most requests in flight at once so far. */
  function slowWithCount(backend: InProcessMock): { most: () => number } {
    const faults = backend.mock.faults;
    faults.set({ latencyMs: 30 });
    const apply = faults.apply.bind(faults);
    let inFlight = 0;
    let most = 0;
    faults.apply = async () => {
      most = Math.max(most, ++inFlight);
      try {
        return await apply();
      } finally {
        inFlight--;
      }
    };
    return { most: () => most };
  }

  it('nested: child runs are delivered side by side, each whole and ended before the pipeline run', async () => {
    const backend = await mock();
    // Requests in flight at once: one chain for every run would never have more than one.
    const count = slowWithCount(backend);
    const { stats } = await runReference(p, backend, { childRunPerNode: true });
    const most = count.most();
    expect(stats.delivered).toEqual(stats.generated);
    const log = backend.requestLog.since(0);
    const server = await serverState(backend);
    expect(server.runs).toHaveLength(21);
    expect(server.params).toBe(60);
    expect(server.metrics).toBe(40);
    expect(server.runs.every((r) => r.run.info.status === 'FINISHED')).toBe(true);
    expect(log[log.length - 1]!.endpoint).toBe('runs/update');
    expect(most).toBeGreaterThan(1);
    // ... and never more than the cap (here the parent's own requests come before and after its child runs'):
    // MLflow's SQL store deadlocks its connection pool at about 15 run creations at once.
    expect(most).toBeLessThanOrEqual(config({}).trackbench.parallelRuns);
  });

  it('trackbench.parallelRuns: 1 delivers child runs one request at a time, all of them', async () => {
    const backend = await mock();
    const count = slowWithCount(backend);
    const { stats } = await runReference(p, backend, { childRunPerNode: true, parallelRuns: 1 });
    expect(stats.delivered).toEqual(stats.generated);
    expect((await serverState(backend)).runs).toHaveLength(21);
    expect(count.most()).toBe(1);
  });

  it('an outage over the end of the run: the hook drains once the server is back', async () => {
    const backend = await mock();
    const { stats } = await runReference(p, backend, { outage: { drainMs: 5000 } }, (i) => {
      if (i === 19) outageFor(backend, 500);
    });
    expect(stats.delivered).toEqual(stats.generated);
    expect(sum(stats.spilled)).toBe(0);
  });

  it('a full queue in an outage spills the overflow (counted); one replay completes, a second sends none', async () => {
    const backend = await mock();
    const { stats } = await runReference(
      p,
      backend,
      { queueBound: 10, flushIntervalMs: 10, outage: { drainMs: 5000 } },
      (i) => {
        if (i === 2) outageFor(backend, 300);
      },
    );
    expect(stats.overflowSpilled).toBeGreaterThan(0);
    for (const k of ['params', 'metrics', 'tags'] as const)
      expect(stats.delivered[k] + stats.spilled[k], k).toBe(stats.generated[k]);
    const client = new MlflowClient({ trackingUri: backend.trackingUri });
    onTestFinished(() => client.close());
    const first = await replayFile(stats.spillFile!, client);
    expect(first.params + first.metrics + first.tags).toBe(sum(stats.spilled));
    expect(first.runsCreated).toBe(0);
    const server = await serverState(backend);
    expect(server.runs).toHaveLength(1);
    expect(server.params).toBe(60);
    expect(server.metrics).toBe(40);
    const second = await replayFile(stats.spillFile!, client);
    expect(second.params + second.metrics + second.tags + second.runsCreated).toBe(0);
    expect(second.alreadyDelivered).toBe(second.records.length);
    expect((await serverState(backend)).metrics).toBe(40);
  });

  it('server down the whole run: all spilled once; replay delivers it; a second replay: nothing new', async () => {
    const backend = await mock();
    backend.setFaults!({ down: true });
    const { stats, warnings } = await runReference(p, backend, {});
    expect(sum(stats.delivered)).toBe(0);
    expect(stats.spilled).toEqual(stats.generated);
    expect(warnings.join('\n')).toMatch(/not delivered to MLflow .*trackbench replay/);
    backend.setFaults!({});
    const out: string[] = [];
    const io = { out: (s: string) => void out.push(s), err: (s: string) => void out.push(s), isTTY: false };
    expect(await main(['replay', stats.spillFile!, '--tracking-uri', backend.trackingUri], io)).toBe(0);
    expect(out[0]).toMatch(/60 params, 40 metric values, \d+ tags.* 1 run\(s\) created/);
    out.length = 0;
    expect(await main(['replay', stats.spillFile!, '--tracking-uri', backend.trackingUri], io)).toBe(0);
    expect(out[0]).toMatch(/0 params, 0 metric values, 0 tags, 0 artifacts, 0 models; 0 run\(s\) created/);
    expect(out[1]).toMatch(/nothing new to deliver/);
    const server = await serverState(backend);
    expect(server.runs).toHaveLength(1);
    expect(server.params).toBe(60);
    expect(server.metrics).toBe(40);
    expect(server.runs[0]!.run.info.status).toBe('FINISHED');
  });

  it('a spill folder under /proc or under a file: values counted lost with the reason, no hang', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tb-')), 'plain-file');
    writeFileSync(file, 'x');
    for (const spillDir of ['/proc/trackbench-test', join(file, 'sub')]) {
      const backend = await mock();
      backend.setFaults!({ down: true });
      const { stats } = await runReference(p, backend, { spillDir });
      expect(sum(stats.spilled)).toBe(0);
      expect(stats.lost).toEqual(stats.generated);
      expect(stats.warnings.join('\n')).toMatch(/spill file could not be written/);
    }
  });
});

describe('one bad value does not sink the batch', () => {
  const runParams = { runner: 'SequentialRunner' } as unknown as RunParams; // only `runner` is read

  it('an invalid key is refused alone, with the reason; the rest of the batch is delivered', async () => {
    const backend = await mock();
    const hook = createReferenceHook(config(), context(backend));
    const p = pipelineOf({ nodes: 1 });
    const node = p.nodes[0]!;
    await hook.beforePipelineRun!(runParams, p, undefined as never); // the catalog is unused here
    await hook.beforeNodeRun!(
      node,
      undefined as never,
      { 'params:a//b': 1, 'params:ok': 2, 'params:x/../y': 3 },
      false,
      'r',
    );
    await hook.afterPipelineRun!(runParams, {} as never, p, undefined as never); // result and catalog unused
    const stats = hook.stats();
    expect(stats.delivered.params).toBe(1);
    expect(stats.rejected.params).toBe(2);
    expect(stats.rejections.map((r) => r.key).sort()).toEqual(['a//b', 'x/../y']);
    expect(stats.rejections[0]!.reason).toMatch(/resolves to another name/);
    expect(stats.lost.params).toBe(2);
    expect(sum(stats.spilled)).toBe(0);
    const { runs } = await serverState(backend);
    expect(paramsOf(runs[0]!)).toEqual({ ok: '2' });
  });

  it('logs params as they were before the node ran, noted with no promise; `fail` fails the node first', async () => {
    const backend = await mock();
    const hook = createReferenceHook(config(), context(backend));
    const p = pipelineOf({ nodes: 1 });
    const node = p.nodes[0]!;
    await hook.beforePipelineRun!(runParams, p, undefined as never); // the catalog is unused here
    const dict = { a: 1 };
    const inputs = { 'params:d': dict, 'params:n': 2.5, 'params:s': 'x', data: [1, 2] };
    // nothing to wait for: the params are only noted
    expect(hook.beforeNodeRun!(node, undefined as never, inputs, false, 'r')).toBeUndefined();
    dict.a = 2; // the node changes its input: the logged value is the one it was given
    await hook.afterNodeRun!(node, { kindOf: () => 'memory' } as never, inputs, {}, false, 'r'); // kindOf alone
    await hook.afterPipelineRun!(runParams, {} as never, p, undefined as never); // result and catalog unused
    expect(hook.stats().delivered.params).toBe(3);
    const { runs } = await serverState(backend);
    expect(paramsOf(runs[0]!)).toEqual({ d: '{"a":1}', n: '2.5', s: 'x' });

    const failing = createReferenceHook(
      config({ tracking: { params: { long_params_strategy: 'fail' } } }),
      context(backend),
    );
    await failing.beforePipelineRun!(runParams, p, undefined as never);
    expect(() =>
      failing.beforeNodeRun!(node, undefined as never, { 'params:ok': 1, 'params:long': 'x'.repeat(6001) }, false, 'r'),
    ).toThrow(/Parameter 'long' length is 6001/);
    await failing.onPipelineError!(new Error('stop'), runParams, p, undefined as never); // catalog unused
    expect(failing.stats().generated.params).toBe(0);
  });

  it('unicode keys: letters of any script kept (as MLflow takes them), symbols sanitised, never merged', () => {
    const keys = new KeyMap();
    expect(keys.sent('ok.key')).toBe('ok.key');
    // MLflow's \w is Python's: letters and numbers of every script (checked against mlflow server 3.17.2)
    expect(keys.sent('taux_é.参数²')).toBe('taux_é.参数²');
    // an emoji is one code point, so one '_', as Python's re.sub makes it
    const a = keys.sent('lr_😀');
    const b = keys.sent('lr_😺');
    expect(a).toBe('lr__');
    expect(b).toMatch(/^lr___[0-9a-f]{8}$/);
    expect(keys.sent('lr_😺')).toBe(b);
    expect(keys.renames).toEqual([
      { original: 'lr_😀', sent: a },
      { original: 'lr_😺', sent: b },
    ]);
  });

  it.each([
    ['reference', createReferenceHook],
    ['naive', createNaiveHook],
    ['kedro-mlflow-like', createKedroMlflowLikeHook],
  ])('%s: two unicode keys that sanitise alike are both delivered, under different keys', async (_n, make) => {
    const backend = await mock();
    const hook = make(config(), context(backend));
    const p = pipelineOf({ nodes: 2 });
    await hook.afterContextCreated?.(undefined as never); // the context is unused by these hooks
    await hook.beforePipelineRun!(runParams, p, undefined as never);
    await hook.beforeNodeRun!(p.nodes[0]!, undefined as never, { 'params:taux_😀': 1, 'params:é': 3 }, false, 'r');
    await hook.beforeNodeRun!(p.nodes[1]!, undefined as never, { 'params:taux_😺': 2 }, false, 'r');
    await hook.afterPipelineRun!(runParams, {} as never, p, undefined as never); // result and catalog unused
    const { runs } = await serverState(backend);
    const params = paramsOf(runs[0]!);
    expect(params['taux__']).toBe('1');
    expect(Object.entries(params).filter(([k]) => k.startsWith('taux___'))).toEqual([[expect.any(String), '2']]);
    // a letter MLflow takes is sent as it is, and the mock takes it as MLflow does
    expect(params['é']).toBe('3');
    expect(hook.stats().renamedKeys).toHaveLength(2);
  });
});

describe('replay: safe to repeat', () => {
  const dir = (): string => mkdtempSync(join(tmpdir(), 'tb-replay-'));
  const run = (runId: string | null, id = 'r1') =>
    JSON.stringify({ type: 'run', id, run: 'pipeline', experimentName: 'e', runName: 'p', runId, tags: [] });
  const params = (id: string, keys: string[]) =>
    JSON.stringify({
      type: 'params',
      id,
      run: 'pipeline',
      items: keys.map((k) => ({ key: k, value: 'v' })),
      reason: 'x',
    });

  it('a run gone from the server is replaced by a new run tagged with its id', async () => {
    const backend = await mock();
    const f = join(dir(), 'spill.jsonl');
    writeFileSync(f, [run('0123456789abcdef0123456789abcdef'), params('v1', ['a', 'b'])].join('\n') + '\n');
    const client = new MlflowClient({ trackingUri: backend.trackingUri });
    onTestFinished(() => client.close());
    const r = await replayFile(f, client);
    expect(r).toMatchObject({ runsCreated: 1, runsReplaced: 1, params: 2 });
    const { runs } = await serverState(backend);
    expect(runs[0]!.run.data.tags).toContainEqual({
      key: 'trackbench.replaces_run_id',
      value: '0123456789abcdef0123456789abcdef',
    });
    expect(r.records.map((x) => x.outcome)).toEqual(['run resolved', 'delivered']);
  });

  it('resumes after a replay cut short, and never sends a record twice', async () => {
    const backend = await mock();
    const f = join(dir(), 'spill.jsonl');
    writeFileSync(f, [run(null), params('v1', ['a']), params('v2', ['b']), params('v3', ['c'])].join('\n') + '\n');
    // A transport that loses the server after the second log-batch.
    const inner = keepAliveTransport();
    let batches = 0;
    const flaky = new MlflowClient({
      trackingUri: backend.trackingUri,
      retry: { maxRetries: 0 },
      transport: async (req) => {
        if (req.url.pathname.endsWith('runs/log-batch') && ++batches > 2)
          throw new TransportError('ECONNREFUSED', 'gone');
        return inner(req);
      },
    });
    onTestFinished(() => inner.close());
    await expect(replayFile(f, flaky)).rejects.toThrow(/unreachable/);
    const client = new MlflowClient({ trackingUri: backend.trackingUri });
    onTestFinished(() => client.close());
    const second = await replayFile(f, client);
    expect(second).toMatchObject({ runsCreated: 0, params: 1, alreadyDelivered: 3 });
    const third = await replayFile(f, client);
    expect(third).toMatchObject({ runsCreated: 0, params: 0, alreadyDelivered: 4 });
    const { runs } = await serverState(backend);
    expect(runs).toHaveLength(1);
    expect(Object.keys(paramsOf(runs[0]!)).sort()).toEqual(['a', 'b', 'c']);
  });

  it('two spill writers of one process in the same millisecond write files of their own', () => {
    // Two hook objects in one process both number their first pipeline run pipeline-1: one file would merge them.
    vi.useFakeTimers({ now: new Date('2026-12-07T12:00:00.123Z'), toFake: ['Date'] });
    onTestFinished(() => void vi.useRealTimers());
    const d = dir();
    const writers = [new SpillWriter(d), new SpillWriter(d)];
    const runRecord = {
      type: 'run' as const,
      run: 'pipeline-1',
      experimentName: 'e',
      runName: 'p',
      runId: null,
      tags: [],
    };
    const items = [{ key: 'a', value: '1' }];
    for (const w of writers)
      expect(w.write({ type: 'params', run: 'pipeline-1', items, reason: 'x' }, runRecord)).toBe(true);
    expect(new Set(writers.map((w) => w.path)).size).toBe(2);
    expect(readdirSync(d)).toHaveLength(2);
  });

  it('NaN and infinite metric values survive a spill file and its replay (JSON would make them null)', async () => {
    const backend = await mock();
    const writer = new SpillWriter(dir());
    const items = [NaN, Infinity, -Infinity].map((value, step) => ({ key: 'loss', value, timestamp: 1, step }));
    const runRecord = {
      type: 'run' as const,
      run: 'pipeline',
      experimentName: 'e',
      runName: 'p',
      runId: null,
      tags: [],
    };
    expect(writer.write({ type: 'metrics', run: 'pipeline', items, reason: 'x' }, runRecord)).toBe(true);
    expect(readFileSync(writer.path!, 'utf8')).toContain('"value":"NaN"');
    const read = readSpillFile(writer.path!)[1]!.record;
    expect(read.type === 'metrics' && read.items.map((m) => m.value)).toEqual([NaN, Infinity, -Infinity]);
    const client = new MlflowClient({ trackingUri: backend.trackingUri });
    onTestFinished(() => client.close());
    expect(await replayFile(writer.path!, client)).toMatchObject({ metrics: 3, refused: 0 });
    const { runs } = await serverState(backend);
    expect(runs[0]!.metricHistory.loss!.map((m) => m.value)).toEqual([NaN, Number.MAX_VALUE, -Number.MAX_VALUE]);
  });

  it('an invalid value in a spilled batch is refused alone; the others are delivered', async () => {
    const backend = await mock();
    const f = join(dir(), 'spill.jsonl');
    writeFileSync(f, [run(null), params('v1', ['good', 'a//b'])].join('\n') + '\n');
    const client = new MlflowClient({ trackingUri: backend.trackingUri });
    onTestFinished(() => client.close());
    const r = await replayFile(f, client);
    expect(r).toMatchObject({ params: 1, refused: 1 });
    expect(r.records[1]).toMatchObject({ outcome: 'partly refused' });
    expect((await replayFile(f, client)).records[1]).toMatchObject({ outcome: 'already refused' });
  });

  it('malformed records and unknown types are input errors with file:line (exit 2)', async () => {
    const d = dir();
    const cases: [string, RegExp][] = [
      [`${run(null)}\n{"type":"params","run":"pipeline"}`, /:2:1 not a trackbench spill record: "items" must be/],
      [`${run(null)}\n{"type":"delete-everything","run":"pipeline"}`, /:2:1 .*unknown record type "delete-everything"/],
      [`${params('v1', ['a'])}`, /:1:1 values for run "pipeline" come before any record of that run/],
      [`${run(null)}\n[1,2]`, /:2:1 not a trackbench spill record: not a JSON object/],
    ];
    for (const [text, message] of cases) {
      const f = join(d, `case-${cases.findIndex((c) => c[0] === text)}.jsonl`);
      writeFileSync(f, text);
      expect(() => readSpillFile(f)).toThrow(InputError);
      expect(() => readSpillFile(f)).toThrow(message);
      const err: string[] = [];
      const io = { out: () => {}, err: (s: string) => void err.push(s), isTTY: false };
      expect(await main(['replay', f, '--tracking-uri', 'http://127.0.0.1:9'], io)).toBe(2);
      expect(err.join('\n')).toMatch(message);
      expect(err.join('\n')).not.toMatch(/unexpected error|at .*\.ts:\d+/);
    }
    expect(readFileSync(join(d, 'case-0.jsonl'), 'utf8')).toContain('pipeline');
  });
});
