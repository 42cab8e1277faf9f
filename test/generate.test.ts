import { describe, expect, it } from 'vitest';
import { summarize } from '../src/pipeline/generate.ts';
import { resolveParam } from '../src/pipeline/params.ts';
import { pipelineOf } from './helpers/scenario.ts';

const KEDRO_NAME = /^[\w.-]+$/;

/** Kahn's algorithm, independent of how the generator orders nodes. */
function isAcyclic(n: number, edges: [number, number][]): boolean {
  const indegree = new Array<number>(n).fill(0);
  const out: number[][] = Array.from({ length: n }, () => []);
  for (const [a, b] of edges) {
    indegree[b]!++;
    out[a]!.push(b);
  }
  const queue = indegree.flatMap((d, i) => (d === 0 ? [i] : []));
  let seen = 0;
  while (queue.length) {
    const i = queue.pop()!;
    seen++;
    for (const j of out[i]!) if (--indegree[j]! === 0) queue.push(j);
  }
  return seen === n;
}

const shape = {
  paramsPerNode: { count: 10 },
  metricsPerNode: 5,
  artifactsPerNode: { count: 1 },
  modelNodes: { count: 3, modelsPerNode: 2 },
};

describe('generator', () => {
  it('is deterministic: the same scenario gives the same pipeline byte for byte', () => {
    const spec = {
      nodes: 300,
      seed: 7,
      topology: { kind: 'random', edgeProbability: 0.02 },
      namespaces: { count: 4, depth: 2 },
      paramsPerNode: { count: 5, kinds: { number: 1, string: 1, dict: 1 } },
    };
    expect(JSON.stringify(pipelineOf(spec))).toBe(JSON.stringify(pipelineOf(spec)));
  });

  it('gives another graph and other values for another seed', () => {
    const a = pipelineOf({ nodes: 300, seed: 1, topology: { kind: 'random' }, paramsPerNode: { count: 2 } });
    const b = pipelineOf({ nodes: 300, seed: 2, topology: { kind: 'random' }, paramsPerNode: { count: 2 } });
    expect(JSON.stringify(a.edges)).not.toBe(JSON.stringify(b.edges));
    expect(JSON.stringify(a.parameters)).not.toBe(JSON.stringify(b.parameters));
  });

  it('keeps edges fixed when only parameter kinds change (separate random streams)', () => {
    const a = pipelineOf({
      nodes: 100,
      seed: 3,
      topology: { kind: 'layered', width: 7, fanIn: 3 },
      paramsPerNode: { count: 3 },
    });
    const b = pipelineOf({
      nodes: 100,
      seed: 3,
      topology: { kind: 'layered', width: 7, fanIn: 3 },
      paramsPerNode: { count: 3, kinds: { string: 1 } },
    });
    expect(b.edges).toEqual(a.edges);
  });

  for (const n of [50, 5000]) {
    describe(`${n} nodes`, () => {
      const expectCommon = (p: ReturnType<typeof pipelineOf>): void => {
        const s = summarize(p);
        expect(s.nodes).toBe(n);
        expect(s.params).toBe(n * 10);
        expect(s.metrics).toBe(n * 5);
        expect(s.artifacts).toBe(n);
        expect(s.models).toBe(6);
        expect(isAcyclic(n, p.edges)).toBe(true);
        expect(new Set(p.nodes.map((x) => x.name)).size).toBe(n);
        for (const node of p.nodes) expect(node.name).toMatch(KEDRO_NAME);
      };

      it('chain: n-1 edges, depth n', () => {
        const p = pipelineOf({ nodes: n, topology: { kind: 'chain' }, ...shape });
        expectCommon(p);
        expect(summarize(p)).toMatchObject({ edges: n - 1, depth: n });
      });

      it('fan: 2w edges and 2 levels per full fan-out/fan-in block', () => {
        const w = 8;
        const p = pipelineOf({ nodes: n, topology: { kind: 'fan', width: w }, ...shape });
        expectCommon(p);
        const full = Math.floor((n - 1) / (w + 1));
        const rem = n - 1 - full * (w + 1);
        expect(summarize(p)).toMatchObject({ edges: full * 2 * w + rem, depth: 1 + 2 * full + (rem > 0 ? 1 : 0) });
      });

      it('layered: (n - width) * fanIn edges, depth = number of layers', () => {
        const p = pipelineOf({ nodes: n, topology: { kind: 'layered', width: 5, fanIn: 2 }, ...shape });
        expectCommon(p);
        expect(summarize(p)).toMatchObject({ edges: (n - 5) * 2, depth: Math.ceil(n / 5) });
      });

      it('random: edge count within 5 sigma of p*n(n-1)/2', () => {
        const prob = n > 1000 ? 0.001 : 0.1;
        const p = pipelineOf({ nodes: n, topology: { kind: 'random', edgeProbability: prob }, ...shape });
        expectCommon(p);
        const pairs = (n * (n - 1)) / 2;
        const mean = prob * pairs;
        const sigma = Math.sqrt(pairs * prob * (1 - prob));
        expect(Math.abs(p.edges.length - mean)).toBeLessThan(5 * sigma);
        for (const [a, b] of p.edges) expect(a).toBeLessThan(b);
      });
    });
  }

  it('random with p = 1 is the complete DAG and p = 0 has no edges', () => {
    expect(pipelineOf({ nodes: 20, topology: { kind: 'random', edgeProbability: 1 } }).edges).toHaveLength(190);
    expect(pipelineOf({ nodes: 20, topology: { kind: 'random', edgeProbability: 0 } }).edges).toHaveLength(0);
  });

  it('names nodes <namespace>.<name> and nests namespaces', () => {
    const p = pipelineOf({ nodes: 40, namespaces: { count: 4, depth: 2 } });
    expect(summarize(p).namespaces).toBe(4);
    expect(p.nodes[0]!.name).toBe('stage_0.module_0.load_00');
    expect(p.nodes[39]!.namespace).toBe('stage_1.module_3');
    for (const node of p.nodes) expect(node.name.startsWith(`${node.namespace}.`)).toBe(true);
    const explicit = pipelineOf({ nodes: 4, namespaces: { names: ['ingest', 'train.model_a'] } });
    expect(explicit.nodes.map((x) => x.name)).toEqual([
      'ingest.load_0',
      'ingest.clean_1',
      'train.model_a.join_2',
      'train.model_a.featurize_3',
    ]);
  });

  it('takes parameters as params:<namespace>.<key> inputs that resolve into the parameters tree', () => {
    const p = pipelineOf({
      nodes: 12,
      namespaces: { count: 3, depth: 2 },
      paramsPerNode: { count: 4, kinds: { number: 1, string: 1, dict: 1 } },
    });
    for (const node of p.nodes) {
      const params = node.inputs.filter((i) => i.startsWith('params:'));
      expect(params).toHaveLength(4);
      for (const input of params) {
        expect(input.startsWith(`params:${node.namespace}.`)).toBe(true);
        const value = resolveParam(p.parameters, input);
        expect(value).toBeDefined();
        // The same value reached by walking the tree one namespace level at a time.
        const path = input.slice('params:'.length).split('.');
        let walked: unknown = p.parameters;
        for (const part of path) walked = (walked as Record<string, unknown>)[part];
        expect(walked).toEqual(value);
      }
    }
    expect(resolveParam(p.parameters, 'parameters')).toBe(p.parameters);
    expect(resolveParam(p.parameters, 'params:no.such.key')).toBeUndefined();
  });

  it('makes string parameters of the requested length and dicts of the requested shape', () => {
    const s = pipelineOf({ nodes: 3, paramsPerNode: { count: 2, kinds: { string: 1 }, stringLength: 37 } });
    for (const input of s.nodes[0]!.inputs) expect(resolveParam(s.parameters, input)).toMatch(/^[A-Za-z0-9]{37}$/);
    const d = pipelineOf({ nodes: 1, paramsPerNode: { count: 1, kinds: { dict: 1 }, dictKeys: 2, dictDepth: 3 } });
    const v = resolveParam(d.parameters, d.nodes[0]!.inputs[0]!) as Record<
      string,
      Record<string, Record<string, number>>
    >;
    expect(Object.keys(v)).toEqual(['k0', 'k1']);
    expect(typeof v.k1!.k0!.k1).toBe('number');
  });

  it('spreads model nodes evenly or takes explicit indices, and marks the failing node', () => {
    const p = pipelineOf({ nodes: 10, modelNodes: { count: 2, modelsPerNode: 3 }, failAt: 4 });
    expect(p.nodes.filter((n) => n.outputs.some((o) => o.includes('.model_'))).map((n) => n.index)).toEqual([2, 7]);
    expect(p.nodes.filter((n) => n.fails).map((n) => n.index)).toEqual([4]);
    const q = pipelineOf({ nodes: 10, modelNodes: { indices: [0, 9] }, failAt: 'clean_1' });
    expect(summarize(q).models).toBe(2);
    expect(q.nodes.filter((n) => n.fails).map((n) => n.name)).toEqual(['clean_1']);
  });
});
