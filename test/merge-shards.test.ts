// `merge` joins shards of one sweep (sharded by size) or of one run (sharded by scenario) and nothing else:
// shards of another pipeline, other hooks or hook options, other trial settings, the same shard twice or
// reports of different kinds are bad input naming both files and the field; environments only warn.
// And the report schemas refuse figures that cannot be (negative counts and times, a date that is none).
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { isDateTime } from '../src/common/validate-yaml.ts';
import { buildReport } from '../src/measure/build-report.ts';
import { measure } from '../src/measure/measure.ts';
import type { Report } from '../src/measure/report-types.ts';
import { firstDifference } from '../src/common/json-difference.ts';
import { withGrowth } from '../src/measure/sweep.ts';
import { readReport } from '../src/report/read.ts';
import { cli } from './helpers/io.ts';
import { inputErrorLines } from './helpers/errors.ts';
import { scenarioOf } from './helpers/scenario.ts';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
type Edit = (doc: Report) => void;

let run: Report;
beforeAll(async () => {
  const scenario = scenarioOf(
    { nodes: 5, topology: { kind: 'chain' }, work: { cpuMs: 0 } },
    { hooks: ['reference'], trials: { repetitions: 2, warmup: 0 } },
  );
  run = buildReport(scenario, await measure(scenario), true);
}, 120_000);

/** A fresh copy of the run report, as a file holds it, at `nodes` nodes. */
function runAt(nodes: number, edit: Edit = () => {}): Report {
  const r = structuredClone(run);
  r.nodes = nodes;
  r.scenario.pipeline.nodes = nodes;
  edit(r);
  return r;
}

/** A sweep shard of `sizes`, each point's report edited by `edit`. */
const sweepOf = (sizes: number[], edit: Edit = () => {}): Json =>
  JSON.parse(
    JSON.stringify(
      withGrowth(
        'test',
        sizes.map((nodes) => ({ nodes, report: runAt(nodes, edit) })),
      ),
    ),
  ) as Json;

function files(docs: Record<string, unknown>): { dir: string; out: string; paths: string[] } {
  const dir = mkdtempSync(join(tmpdir(), 'tb-merge-shards-'));
  const paths = Object.entries(docs).map(([name, doc]) => {
    const path = join(dir, `${name}.json`);
    writeFileSync(path, `${JSON.stringify(doc, null, 2)}\n`);
    return path;
  });
  return { dir, out: join(dir, 'out'), paths };
}

/** Merges the documents; the exit code, what was said and what was written. */
async function merge(docs: Record<string, unknown>) {
  const f = files(docs);
  const names = Object.keys(docs);
  const r = await cli(['merge', ...f.paths, '--out', f.out]);
  const written = existsSync(f.out) ? readdirSync(f.out) : [];
  return { ...r, written, path: (name: string) => f.paths[names.indexOf(name)]! };
}

describe('merge refuses shards that are not of one sweep', () => {
  it('joins the shards of one sweep (sizes differ), and only warns about environments', async () => {
    const r = await merge({
      a: sweepOf([5, 20]),
      b: sweepOf([10], (d) => {
        d.environment.node = 'v99.0.0';
        d.environment.cpuModel = 'another CPU';
        d.trackbenchVersion = '9.9.9';
      }),
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(
      `warning: ${r.path('a')} and ${r.path('b')} measured different environments; differences may be the ` +
        `environment's:\n  trackbench: ${run.trackbenchVersion} vs 9.9.9\n  node: ${run.environment.node} vs ` +
        `v99.0.0\n  cpuModel: ${run.environment.cpuModel} vs another CPU\n`,
    );
    expect(r.written).toHaveLength(1);
  });

  const refused: [string, Edit, string, string][] = [
    ['another pipeline (seed)', (d) => void (d.scenario.pipeline.seed = 99), 'scenario.pipeline.seed', '99 here, '],
    [
      'another pipeline (settings)',
      (d) => void (d.scenario.pipeline.metricsPerNode += 1),
      'scenario.pipeline.metricsPerNode',
      ' here, ',
    ],
    [
      'other hooks',
      (d) => void (d.scenario.hooks[0]!.name = 'naive'),
      'scenario.hooks[0].name',
      '"naive" here, "reference" in ',
    ],
    [
      'other hook options',
      (d) => void (d.scenario.hooks[0]!.options = { batchSize: 7 }),
      'scenario.hooks[0].options.batchSize',
      '7 here, absent in ',
    ],
    [
      'other trial settings',
      (d) => void (d.scenario.trials.repetitions = 9),
      'scenario.trials.repetitions',
      '9 here, 2 in ',
    ],
    ['a full run with a quick one', (d) => void (d.trials.quick = false), 'trials.quick', 'false here, true in '],
    // the options a run's shards must share (shards.ts RUN_OPTIONS), which a sweep's must share too
    ['--instrument in one', (d) => void (d.trials.instrument = 'cpu-sim'), 'trials.instrument', '"cpu-sim" here, null'],
    [
      '--allow-failures in one',
      (d) => void (d.trials.allowFailures = true),
      'trials.allowFailures',
      'true here, false',
    ],
    [
      '--hook in one',
      (d) => void (d.trials.selectedHooks = ['reference']),
      'trials.selectedHooks',
      'a list here, null',
    ],
    ['an earlier trackbench', (d) => void delete d.trials.instrument, 'trials.instrument', 'absent here, null in '],
  ];
  it.each(refused)('%s: exit 2 naming both files and the field, nothing written', async (_, edit, field, what) => {
    const r = await merge({ a: sweepOf([5, 20]), b: sweepOf([10, 40], edit) });
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n');
    // once per file and field, though both of b's points differ
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      new RegExp(`^${r.path('b')}:\\d+:\\d+ points\\[0\\]\\.report\\.${field.replace(/[.[\]]/g, '\\$&')}: `),
    );
    expect(lines[0]).toContain(what);
    expect(lines[0]).toContain(`in ${r.path('a')} points[0].report; the shards of one sweep must measure the same`);
    expect(lines[0]).toContain('run alike (the same --quick, --instrument, --allow-failures, --hook)');
    expect(r.written).toEqual([]);
  });

  it('shards of an earlier trackbench (no options recorded but --quick) are merged', async () => {
    const earlier: Edit = (d) => {
      delete d.trials.instrument;
      delete d.trials.allowFailures;
      delete d.trials.selectedHooks;
    };
    const r = await merge({ a: sweepOf([5], earlier), b: sweepOf([10], earlier) });
    expect(r.code, r.err).toBe(0);
    expect(r.written).toHaveLength(1);
  });

  it('the same shard twice, and a point whose report measured another size', async () => {
    const shard = sweepOf([5, 20]);
    const twice = await merge({ a: shard, b: shard });
    expect(twice.code).toBe(2);
    expect(twice.err).toMatch(
      new RegExp(`^${twice.path('b')}:\\d+:\\d+ points\\[0\\]\\.nodes: the same size was measured twice: 5, 20 nodes`),
    );
    expect(twice.err).toContain(`(in ${twice.path('a')} and ${twice.path('b')})`);
    const odd = sweepOf([10]) as { points: { nodes: number }[] };
    odd.points[0]!.nodes = 11;
    const r = await merge({ a: shard, b: odd });
    expect(r.code).toBe(2);
    expect(r.err).toContain('points[0].report.nodes: the point is at 11 nodes; its report measured 10');
    expect(r.written).toEqual([]);
  });

  it('reports of different kinds', async () => {
    const r = await merge({ a: sweepOf([5]), b: runAt(5) });
    expect(r.code).toBe(2);
    expect(r.err.trim()).toMatch(
      new RegExp(
        `^${r.path('b')}:\\d+:\\d+ kind: cannot merge different kinds of report: "trackbench-run" here, ` +
          `"trackbench-sweep" in ${r.path('a')}$`,
      ),
    );
    expect(r.written).toEqual([]);
  });
});

describe('merge refuses run reports that are not shards of one run', () => {
  const named = (name: string, edit: Edit = () => {}): Report =>
    runAt(5, (d) => {
      d.scenario.name = name;
      edit(d);
    });

  it('joins different scenarios (their pipelines, hooks and trials may differ)', async () => {
    const r = await merge({
      a: named('one'),
      b: named('two', (d) => {
        d.scenario.pipeline.seed = 3;
        d.scenario.trials.repetitions = 7;
        d.environment.cores = 64;
      }),
    });
    expect(r.code, r.err).toBe(0);
    expect(r.out).toContain(`cores: ${run.environment.cores} vs 64`);
    expect(r.written).toHaveLength(2);
  });

  it('the same scenario twice, or --quick in one shard only', async () => {
    const twice = await merge({ a: named('one'), b: named('one') });
    expect(twice.code).toBe(2);
    expect(twice.err.trim()).toMatch(
      new RegExp(
        `^${twice.path('b')}:\\d+:\\d+ scenario.name: scenario measured twice: "one" \\(in ${twice.path('a')} and ` +
          `${twice.path('b')}\\)$`,
      ),
    );
    const quick = await merge({ a: named('one'), b: named('two', (d) => void (d.trials.quick = false)) });
    expect(quick.code).toBe(2);
    expect(quick.err.trim()).toMatch(
      new RegExp(`^${quick.path('b')}:\\d+:\\d+ trials.quick: false here, true in ${quick.path('a')}; `),
    );
    expect([twice.written, quick.written]).toEqual([[], []]);
  });

  it('records the options of the run that change its figures', () => {
    expect(run.trials).toMatchObject({ quick: true, instrument: null, allowFailures: false, selectedHooks: null });
  });

  const hooks =
    (...names: string[]): Edit =>
    (d) =>
      void (d.trials.selectedHooks = names);
  it.each<[string, Edit, Edit, string, string]>([
    ['--instrument', () => {}, (d) => void (d.trials.instrument = 'cpu-sim'), 'instrument', '"cpu-sim" here, null'],
    ['--allow-failures', () => {}, (d) => void (d.trials.allowFailures = true), 'allowFailures', 'true here, false'],
    ['--hook', () => {}, hooks('reference'), 'selectedHooks', 'a list here, null'],
    ['--hook', hooks('reference'), hooks('naive'), 'selectedHooks[0]', '"naive" here, "reference"'],
  ])('%s unlike in another shard: exit 2 naming both files, the field and the option', async (...test) => {
    const [flag, editA, editB, field, what] = test;
    const r = await merge({ a: named('one', editA), b: named('two', editB) });
    expect(r.code).toBe(2);
    const lines = r.err.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(new RegExp(`^${r.path('b')}:\\d+:\\d+ trials\\.${field.replace(/[[\]]/g, '\\$&')}: `));
    expect(lines[0]).toContain(`${what} in ${r.path('a')}; the shards of one run must be run alike (the same ${flag})`);
    expect(r.written).toEqual([]);
  });

  it('reports of an earlier trackbench (no options recorded but --quick) are read and merged', async () => {
    const earlier: Edit = (d) => {
      delete d.trials.instrument;
      delete d.trials.allowFailures;
      delete d.trials.selectedHooks;
    };
    const r = await merge({ a: named('one', earlier), b: named('two', earlier) });
    expect(r.code, r.err).toBe(0);
    expect(r.written).toHaveLength(2);
    // beside a report that records them, each option it lacks is named
    const mixed = await merge({ a: named('one'), b: named('two', earlier) });
    expect(mixed.code).toBe(2);
    expect(
      mixed.err
        .trim()
        .split('\n')
        .map((l) => l.replace(/^\S+ /, '')),
    ).toEqual(
      [
        ['instrument', 'null', '--instrument'],
        ['allowFailures', 'false', '--allow-failures'],
        ['selectedHooks', 'null', '--hook'],
      ].map(
        ([field, value, flag]) =>
          `trials.${field}: absent here, ${value} in ${mixed.path('a')}; ` +
          `the shards of one run must be run alike (the same ${flag})`,
      ),
    );
  });
});

describe('firstDifference', () => {
  it('finds the first differing path, or null', () => {
    expect(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 2 }] })).toBeNull();
    expect(firstDifference({ a: [1, { b: 2 }] }, { a: [1, { b: 3 }] })).toEqual(['a', 1, 'b']);
    expect(firstDifference({ a: [1] }, { a: [1, 2] })).toEqual(['a', 1]);
    expect(firstDifference({ a: {} }, { a: [] })).toEqual(['a']);
    expect(firstDifference({}, { x: null })).toEqual(['x']);
  });
});

describe('report schemas refuse figures that cannot be', () => {
  const read = (edit: Edit): string[] => {
    const f = files({ r: runAt(5, edit) });
    return inputErrorLines(() => readReport(f.paths[0]!));
  };
  const reference = (d: Report) => d.results.reference!.metrics;
  const samples = (m: Report['results'][string]['metrics']['wallMs']): { with: { samples: number[] } } => {
    if (!m.available) throw new Error('expected a measured figure');
    return m;
  };

  it.each<[string, Edit, RegExp]>([
    ['nodes: -5', (d) => void (d.nodes = -5), /:\d+:\d+ nodes: must be >= 1; got -5/],
    ['nodes: 2.5', (d) => void (d.nodes = 2.5), /:\d+:\d+ nodes: must be integer; got 2.5/],
    [
      'a negative wall time',
      (d) => void (samples(reference(d).wallMs).with.samples[0] = -1),
      /:\d+:\d+ results\.reference\.metrics\.wallMs\.with\.samples\[0\]: must be >= 0; got -1/,
    ],
    [
      'a negative CPU time',
      (d) => void (samples(reference(d).cpuMs).with.samples[1] = -0.5),
      /results\.reference\.metrics\.cpuMs\.with\.samples\[1\]: must be >= 0/,
    ],
    [
      'negative API calls',
      (d) => void (samples(reference(d).apiCalls).with.samples[0] = -3),
      /results\.reference\.metrics\.apiCalls\.with\.samples\[0\]: must be >= 0/,
    ],
    [
      'negative bytes',
      (d) => void (samples(reference(d).requestBytes).with.samples[0] = -3),
      /results\.reference\.metrics\.requestBytes\.with\.samples\[0\]: must be >= 0/,
    ],
    [
      'a negative value count',
      (d) => void (d.results.reference!.values.produced.params = -1),
      /results\.reference\.values\.produced\.params: must be >= 0/,
    ],
    [
      'a createdAt that is not a date-time',
      (d) => void (d.createdAt = 'yesterday'),
      /:\d+:\d+ createdAt: must match format "date-time"; got "yesterday"/,
    ],
    [
      'a createdAt of a day that is none',
      (d) => void (d.createdAt = '2026-02-30T10:00:00Z'),
      /createdAt: must match format "date-time"/,
    ],
  ])('%s is bad input, located', (_, edit, message) => {
    const lines = read(edit);
    expect(lines[0]).toMatch(message);
    for (const line of lines) expect(line).toMatch(/^\S+\.json:\d+:\d+ /);
  });

  it('what can be negative or is a date-time is read', () => {
    const f = files({
      r: runAt(5, (d) => {
        // disk writes net of cancelled ones, and every overhead, can be below zero
        samples(reference(d).diskWriteBytes).with.samples[0] = -4096;
        const wall = reference(d).wallMs;
        if (wall.available) wall.overhead = { ...wall.overhead, ratio: -0.2, absolute: -3, perNode: -0.6 };
        d.createdAt = '2026-12-06T23:59:60.5+01:00';
      }),
    });
    expect(readReport(f.paths[0]!).createdAt).toBe('2026-12-06T23:59:60.5+01:00');
  });

  it('isDateTime', () => {
    for (const ok of ['2026-12-06T22:17:45.335Z', '2024-02-29t00:00:00z', '0004-02-29T00:00:00-05:30'])
      expect(isDateTime(ok), ok).toBe(true);
    for (const bad of ['2026-12-06', '2025-02-29T00:00:00Z', '2026-13-01T00:00:00Z', '2026-12-06T24:00:00Z', ''])
      expect(isDateTime(bad), bad).toBe(false);
  });
});

describe('the merged file name', () => {
  it("a sweep's scenario with `/` and `..` in it names a file inside --out, not one beside it", async () => {
    const escaping = (sizes: number[]): Json => ({ ...(sweepOf(sizes) as { [k: string]: Json }), scenario: '../../x' });
    const r = await merge({ a: escaping([5]), b: escaping([10]) });
    expect(r.code, r.err).toBe(0);
    expect(r.written).toHaveLength(1);
    expect(r.written[0]).toMatch(/^\.\._\.\._x-sweep-merged-.*\.json$/);
    expect(readdirSync(join(r.path('a'), '..')).sort()).toEqual(['a.json', 'b.json', 'out']);
  });
});
