import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { benchHooks } from '../src/measure/bench.ts';
import { mergeSweeps, shard, sweep, type SweepReport } from '../src/measure/sweep.ts';
import { growthExponent } from '../src/stats/growth.ts';
import { scenarioOf } from './helpers/scenario.ts';

describe('growth exponent', () => {
  it('is 1 for a constant cost per node, 2 for a quadratic cost, and flags above 1.1', () => {
    expect(growthExponent([50, 500, 5000], [5, 50, 500])!.slope).toBeCloseTo(1, 10);
    const q = growthExponent([10, 100, 1000], [1, 100, 10000])!;
    expect(q.slope).toBeCloseTo(2, 10);
    expect(q.superlinear).toBe(true);
    expect(growthExponent([10], [1])).toBeNull();
  });
});

describe('shard', () => {
  it('splits round-robin and refuses nonsense', () => {
    expect(shard([50, 500, 5000, 10], '1/2')).toEqual([50, 5000]);
    expect(shard([50, 500, 5000, 10], '2/2')).toEqual([500, 10]);
    expect(() => shard([1], '3/2')).toThrow('--shard expected i/n');
  });
});

describe('sweep', () => {
  const scenario = scenarioOf(
    { nodes: 10, topology: { kind: 'chain' } },
    {
      hooks: [{ name: 'calibration', label: 'one-call-per-node', options: { requestsPerNode: 1 } }],
      trials: { repetitions: 2, warmup: 0 },
    },
  );

  it(
    'reports overhead per node at each size and a growth exponent of exactly 1 for a cost of one call per ' + 'node',
    async () => {
      const s = await sweep(scenario, [5, 20, 40]);
      expect(s.points.map((p) => p.nodes)).toEqual([5, 20, 40]);
      for (const p of s.points)
        expect(p.report.results['one-call-per-node']!.metrics.apiCalls.overhead.perNode).toBe(1);
      expect(s.growth['one-call-per-node']!.apiCalls!.slope).toBeCloseTo(1, 10);
      expect(s.growth['one-call-per-node']!.apiCalls!.superlinear).toBe(false);
    },
    120_000,
  );

  it('sharded sweeps merge into the same result', async () => {
    const a = await sweep(scenario, shard([5, 20, 40], '1/2'));
    const b = await sweep(scenario, shard([5, 20, 40], '2/2'));
    const merged = mergeSweeps([b, a], ['b', 'a']);
    expect(merged.points.map((p) => p.nodes)).toEqual([5, 20, 40]);
    expect(merged.growth['one-call-per-node']!.apiCalls!.slope).toBeCloseTo(1, 10);
    expect(() => mergeSweeps([a, a], ['a', 'a'])).toThrow('the same size was measured twice: 5, 40 nodes');
  }, 120_000);

  it('the CLI writes a sweep report and merge reads it back', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-sweep-'));
    const file = join(dir, 's.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      file,
      'name: s\npipeline: {nodes: 3}\nhooks: [{name: calibration, options: {requestsPerNode: 2}}]\ntrials: ' +
        '{repetitions: 1, warmup: 0, quickRepetitions: 1}\n',
    );
    let out = '';
    const io = { out: (t: string) => void (out += `${t}\n`), err: () => {}, isTTY: false };
    expect(await main(['sweep', file, '--nodes', '3,6', '--quick', '--out', dir], io)).toBe(0);
    expect(out).toContain('Growth of hook cost');
    const report = readdirSync(dir).find((f) => f.includes('-sweep-'))!;
    expect((JSON.parse(readFileSync(join(dir, report), 'utf8')) as SweepReport).points).toHaveLength(2);
    expect(await main(['merge', join(dir, report), '--out', dir], io)).toBe(0);
    expect(await main(['sweep', file, '--nodes', '3,zero'], io)).toBe(2);
  }, 120_000);
});

describe('bench', () => {
  it('measures every hook method each tracking hook implements, with tinybench statistics', async () => {
    const rows = await benchHooks(
      scenarioOf({ nodes: 5, paramsPerNode: { count: 2 }, metricsPerNode: 1 }),
      ['reference', 'naive'],
      50,
    );
    expect(rows.map((r) => `${r.hook} ${r.method}`)).toEqual([
      'reference beforeNodeRun',
      'reference afterNodeRun',
      'naive beforeNodeRun',
      'naive afterNodeRun',
    ]);
    for (const r of rows) {
      expect(r.samples).toBeGreaterThan(0);
      expect(r.meanUs).toBeGreaterThan(0);
      expect(r.p99Us).toBeGreaterThan(0);
    }
  }, 60_000);
});
