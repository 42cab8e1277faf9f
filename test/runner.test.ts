import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { HookError, type Hooks } from '../src/pipeline/hooks.ts';
import { runSession } from '../src/pipeline/session.ts';
import { InjectedNodeFailure } from '../src/pipeline/work.ts';
import { createRecorder, formatCall } from '../src/tracking/builtin/recorder.ts';
import { pipelineOf } from './helpers/scenario.ts';

const twoNodes = { nodes: 2, topology: { kind: 'chain' }, paramsPerNode: { count: 1 }, metricsPerNode: 1 };

describe('runner: Kedro hook lifecycle', () => {
  it('calls every hook in the exact order Kedro does on success', async () => {
    const rec = createRecorder();
    const result = await runSession(pipelineOf(twoNodes), { hooks: [{ name: 'rec', hooks: rec }] });
    expect(rec.calls.map(formatCall)).toEqual([
      'afterContextCreated',
      'afterCatalogCreated',
      'beforePipelineRun',
      'beforeDatasetLoaded params:load_0.learning_rate_0',
      'afterDatasetLoaded params:load_0.learning_rate_0',
      'beforeNodeRun load_0',
      'afterNodeRun load_0',
      'beforeDatasetSaved load_0.out',
      'afterDatasetSaved load_0.out',
      'beforeDatasetSaved load_0.metrics',
      'afterDatasetSaved load_0.metrics',
      'beforeDatasetLoaded load_0.out',
      'afterDatasetLoaded load_0.out',
      'beforeDatasetLoaded params:clean_1.learning_rate_0',
      'afterDatasetLoaded params:clean_1.learning_rate_0',
      'beforeNodeRun clean_1',
      'afterNodeRun clean_1',
      'beforeDatasetSaved clean_1.out',
      'afterDatasetSaved clean_1.out',
      'beforeDatasetSaved clean_1.metrics',
      'afterDatasetSaved clean_1.metrics',
      'afterPipelineRun',
    ]);
    expect(result).toEqual({ nodesRun: 2, freeOutputs: ['load_0.metrics', 'clean_1.out', 'clean_1.metrics'] });
  });

  it("on a node error calls onNodeError then onPipelineError, and rejects with that node's error", async () => {
    const rec = createRecorder();
    const run = runSession(pipelineOf({ ...twoNodes, failAt: 1 }), { hooks: [{ name: 'rec', hooks: rec }] });
    await expect(run).rejects.toBeInstanceOf(InjectedNodeFailure);
    await expect(run).rejects.toThrow(/clean_1/);
    expect(rec.calls.map(formatCall).slice(11)).toEqual([
      'beforeDatasetLoaded load_0.out',
      'afterDatasetLoaded load_0.out',
      'beforeDatasetLoaded params:clean_1.learning_rate_0',
      'afterDatasetLoaded params:clean_1.learning_rate_0',
      'beforeNodeRun clean_1',
      'onNodeError clean_1',
      'onPipelineError',
    ]);
  });

  it('passes the node outputs to afterNodeRun and metric values as declared', async () => {
    const seen: Record<string, unknown>[] = [];
    const hooks: Hooks = { afterNodeRun: (_node, _cat, _in, outputs) => void seen.push(outputs) };
    const p = pipelineOf(twoNodes);
    await runSession(p, { hooks: [{ name: 'h', hooks }] });
    expect(seen[0]!['load_0.metrics']).toEqual({
      [p.nodes[0]!.metrics[0]!.key]: [{ value: p.nodes[0]!.metrics[0]!.values[0], step: 0 }],
    });
  });

  it('awaits async hooks before going on', async () => {
    const order: string[] = [];
    const hooks: Hooks = {
      beforeNodeRun: async (node) => {
        await new Promise((r) => setTimeout(r, 5));
        order.push(`hook ${node.name}`);
      },
      afterDatasetSaved: (name) => void order.push(`saved ${name}`),
    };
    await runSession(pipelineOf({ nodes: 2, topology: { kind: 'chain' } }), { hooks: [{ name: 'slow', hooks }] });
    expect(order).toEqual(['hook load_0', 'saved load_0.out', 'hook clean_1', 'saved clean_1.out']);
  });

  it('lets beforeNodeRun override inputs', async () => {
    let seenParam: unknown;
    const hooks: Hooks = {
      beforeNodeRun: (node) => (node.index === 0 ? { 'params:load_0.learning_rate_0': 42 } : undefined),
      afterNodeRun: (node, _c, inputs) => {
        if (node.index === 0) seenParam = inputs['params:load_0.learning_rate_0'];
      },
    };
    await runSession(pipelineOf(twoNodes), { hooks: [{ name: 'o', hooks }] });
    expect(seenParam).toBe(42);
  });

  it('reports a hook that throws with the hook name and method, and still calls onPipelineError', async () => {
    const rec = createRecorder();
    const bad: Hooks = {
      afterNodeRun: (node) => {
        if (node.index === 1) throw new Error('boom');
      },
    };
    const run = runSession(pipelineOf(twoNodes), {
      hooks: [
        { name: 'rec', hooks: rec },
        { name: 'bad-hook', hooks: bad },
      ],
    });
    await expect(run).rejects.toBeInstanceOf(HookError);
    await expect(run).rejects.toThrow('hook "bad-hook" failed in afterNodeRun: boom');
    expect(rec.calls.at(-1)!.method).toBe('onPipelineError');
  });

  it('a thrown value that cannot even be shown still names the hook and method', async () => {
    const hostile = {
      [Symbol.toPrimitive]: () => {
        throw new Error('toPrimitive boom');
      },
    };
    const run = runSession(pipelineOf(twoNodes), {
      hooks: [
        {
          name: 'hostile',
          hooks: {
            beforeNodeRun: () => {
              // eslint-disable-next-line @typescript-eslint/only-throw-error -- what a hostile hook throws is the case
              throw hostile;
            },
          },
        },
      ],
    });
    await expect(run).rejects.toThrow(/^hook "hostile" failed in beforeNodeRun: a value that cannot be shown/);
  });

  it('a method getter or a Proxy that throws when the method is looked up names the hook and method', async () => {
    const getter: Hooks = {
      get afterNodeRun(): never {
        throw new Error('getter boom');
      },
    };
    const proxy = new Proxy<Hooks>(
      {},
      {
        get: (_target, key) => {
          throw new Error(`no ${String(key)} here`);
        },
      },
    );
    const run = (hooks: Hooks): Promise<unknown> =>
      runSession(pipelineOf(twoNodes), { hooks: [{ name: 'odd', hooks }] });
    await expect(run(getter)).rejects.toThrow(/^hook "odd" failed in afterNodeRun: getter boom$/);
    await expect(run(proxy)).rejects.toThrow(/^hook "odd" failed in afterContextCreated: no afterContextCreated here$/);
  });

  it('writes file datasets to real files and removes the temp dir afterwards', async () => {
    let dir = '';
    let fileExisted = false;
    const hooks: Hooks = {
      afterCatalogCreated: (catalog) => {
        dir = catalog.dir;
      },
      afterNodeRun: (_n, catalog) => {
        const info = catalog.describe('load_0.out');
        if (info.filepath) fileExisted = existsSync(info.filepath);
      },
    };
    await runSession(pipelineOf({ nodes: 3, topology: { kind: 'chain' }, work: { ioBytes: 4096 } }), {
      hooks: [{ name: 'f', hooks }],
    });
    expect(fileExisted).toBe(true);
    expect(dir).not.toBe('');
    expect(existsSync(dir)).toBe(false);
  });
});

describe('parallel runner', () => {
  it('starts a node only after every node it depends on has finished, within the concurrency bound', async () => {
    const p = pipelineOf({
      nodes: 60,
      seed: 5,
      topology: { kind: 'random', edgeProbability: 0.08 },
      work: { sleepMs: 2 },
    });
    const events: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const hooks: Hooks = {
      beforeNodeRun: (node) => {
        events.push(`start ${node.index}`);
        maxInFlight = Math.max(maxInFlight, ++inFlight);
      },
      afterNodeRun: (node) => {
        inFlight--;
        events.push(`end ${node.index}`);
      },
    };
    const result = await runSession(p, {
      hooks: [{ name: 'order', hooks }],
      runner: { kind: 'parallel', concurrency: 4 },
    });
    expect(result.nodesRun).toBe(60);
    for (const [from, to] of p.edges) expect(events.indexOf(`end ${from}`)).toBeLessThan(events.indexOf(`start ${to}`));
    expect(maxInFlight).toBeLessThanOrEqual(4);
    // Sleeping nodes with independent roots: the runner must have overlapped some of them.
    expect(maxInFlight).toBeGreaterThan(1);
  });

  it("stops starting nodes after a failure and rejects with the failing node's error", async () => {
    const p = pipelineOf({ nodes: 30, topology: { kind: 'chain' }, failAt: 10 });
    const started: number[] = [];
    const rec = createRecorder();
    const hooks: Hooks = { beforeNodeRun: (node) => void started.push(node.index) };
    const run = runSession(p, {
      hooks: [
        { name: 'h', hooks },
        { name: 'rec', hooks: rec },
      ],
      runner: { kind: 'parallel', concurrency: 3 },
    });
    await expect(run).rejects.toThrow('injected failure in node load_10');
    expect(Math.max(...started)).toBe(10);
    expect(rec.calls.slice(-2).map(formatCall)).toEqual(['onNodeError load_10', 'onPipelineError']);
  });
});
