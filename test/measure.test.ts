import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { measure, type Measurement } from '../src/measure/measure.ts';
import { withoutProbeTime } from '../src/measure/probes.ts';
import { schedule } from '../src/measure/schedule.ts';
import { buildReport } from '../src/measure/build-report.ts';
import { readReport } from '../src/report/read.ts';
import { reportProblems } from '../src/report/write.ts';
import type { Report } from '../src/measure/report-types.ts';
import { bootstrapPaired, median, overheadRatio, quantile } from '../src/stats/basic.ts';
import { scenarioOf } from './helpers/scenario.ts';
import { measured } from './helpers/measured.ts';

describe('schedule', () => {
  it('runs warm-up rounds first, then every variant once per round, ABBA alternating', () => {
    const s = schedule(['A', 'B'], 4, 1, 'abba', 1);
    expect(s.map((t) => `${t.warmup ? 'w' : ''}${t.variant}`)).toEqual([
      'wA',
      'wB',
      'B',
      'A',
      'A',
      'B',
      'B',
      'A',
      'A',
      'B',
    ]);
    expect(s.filter((t) => !t.warmup).map((t) => t.round)).toEqual([0, 0, 1, 1, 2, 2, 3, 3]);
  });

  it('random order: a seeded shuffle per round, each variant once per round, reproducible', () => {
    const a = schedule(['A', 'B', 'C', 'D'], 30, 0, 'random', 7);
    expect(schedule(['A', 'B', 'C', 'D'], 30, 0, 'random', 7)).toEqual(a);
    for (let r = 0; r < 30; r++)
      expect(
        a
          .filter((t) => t.round === r)
          .map((t) => t.variant)
          .sort(),
      ).toEqual(['A', 'B', 'C', 'D']);
    // Not always the same order: over 30 rounds, A leads in more than one position.
    expect(new Set(a.filter((t) => t.variant === 'A').map((t) => a.indexOf(t) % 4)).size).toBeGreaterThan(1);
  });
});

describe('statistics used by the report', () => {
  it('median and quantiles interpolate like numpy', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.1)).toBeCloseTo(1.4);
  });

  it('the bootstrap interval is seeded and covers the true ratio of clearly separated samples', () => {
    const a = [100, 101, 99, 100, 102, 98, 100, 101, 99, 100];
    const b = a.map((x) => x * 1.2);
    const ci = bootstrapPaired(a, b, overheadRatio, { seed: 3 });
    expect(ci).toEqual(bootstrapPaired(a, b, overheadRatio, { seed: 3 }));
    expect(ci[0]).toBeLessThanOrEqual(0.2 + 1e-9);
    expect(ci[1]).toBeGreaterThanOrEqual(0.2 - 1e-9);
    expect(ci[1] - ci[0]).toBeLessThan(0.05);
  });
});

describe('calibration: the harness recovers a known injected cost', () => {
  const NODES = 20;
  // Large against the trial's own peak-RSS spread (about 84-91 MiB without a hook, seen across
  // rounds), so a median difference cannot lose a sizeable share of it to noise.
  const ALLOC = 128 * 1024 * 1024;
  let m: Measurement;
  let report: Report;
  beforeAll(async () => {
    const scenario = scenarioOf(
      { nodes: NODES, topology: { kind: 'chain' }, work: { ioBytes: 4096 } },
      {
        hooks: [
          { name: 'calibration', label: 'disk', options: { diskBytesPerNode: 50_000 } },
          { name: 'calibration', label: 'cpu', options: { cpuMsPerNode: 20 } },
          { name: 'calibration', label: 'mem-requests', options: { allocBytesPerNode: ALLOC, requestsPerNode: 2 } },
        ],
        trials: { repetitions: 3, warmup: 1 },
      },
    );
    m = await measure(scenario);
    report = buildReport(scenario, m, false);
  }, 120_000);

  it('runs one fresh process per trial: warm-up discarded, 3 paired rounds per variant', () => {
    expect(m.trials).toHaveLength(4 * 4);
    expect(m.trials.filter((t) => t.warmup)).toHaveLength(4);
    expect(measured(report.results.disk!.metrics.wallMs).with.samples).toHaveLength(3);
  });

  // wchar counts every write system call. Besides the data, libuv writes 8 bytes to an eventfd to
  // wake the event loop when an async fs operation completes (about 140 in this pipeline, seen
  // with strace), so "exact" here means exact up to those 8-byte wake-ups: a 2 KiB margin.
  const WAKEUPS = 2048;

  it('probes a trial that writes a known number of bytes: each node writes its 4096-byte output once', () => {
    for (const t of m.trials.filter((x) => x.hook === null)) {
      expect(t.probes.writeBytes).toBeGreaterThanOrEqual(NODES * 4096);
      expect(t.probes.writeBytes).toBeLessThan(NODES * 4096 + WAKEUPS);
    }
  });

  it("recovers injected bytes written exactly (up to the event loop's 8-byte wake-ups)", () => {
    const w = measured(report.results.disk!.metrics.writeBytes);
    expect(Math.abs(w.overhead.absolute - NODES * 50_000)).toBeLessThan(WAKEUPS);
    expect(Math.abs(w.overhead.perNode - 50_000)).toBeLessThan(WAKEUPS / NODES);
    // Storage accounting (write_bytes) follows dirtied pages and writeback, so it is only close.
    const disk = measured(report.results.disk!.metrics.diskWriteBytes).overhead.absolute;
    expect(disk).toBeGreaterThan(NODES * 50_000 * 0.5);
    expect(disk).toBeLessThan(NODES * 50_000 * 1.5);
  });

  it('recovers injected requests exactly', () => {
    const calls = measured(report.results['mem-requests']!.metrics.apiCalls);
    expect(calls.without.samples).toEqual([0, 0, 0]);
    expect(calls.with.samples).toEqual([NODES * 2, NODES * 2, NODES * 2]);
    expect(calls.overhead.perNode).toBe(2);
    expect(measured(report.results.disk!.metrics.apiCalls).with.median).toBe(0);
  });

  it('recovers injected CPU time within 10%', () => {
    const cpu = measured(report.results.cpu!.metrics.cpuMs).overhead.absolute;
    // 20 ms x 20 nodes of busy computation, measured as this process's CPU time.
    expect(cpu).toBeGreaterThan(400 * 0.9);
    expect(cpu).toBeLessThan(400 * 1.1);
  });

  it("sees a 128 MiB allocation in the trial process's own peak RSS", () => {
    // One block is live at a time, so the peak rises by about the block: 126-131 MiB seen in 12
    // rounds. The peak without the hook moves by up to 8 MiB between processes (GC timing), and a
    // 32 MiB block once read as 25.6 MB in CI; 20% either side of 128 MiB is three times that spread.
    const rise = measured(report.results['mem-requests']!.metrics.peakRssBytes).overhead.absolute;
    expect(rise).toBeGreaterThan(0.8 * ALLOC);
    expect(rise).toBeLessThan(1.2 * ALLOC);
  });

  it('builds a report that validates against its JSON Schema, with every documented field', () => {
    const json = JSON.parse(JSON.stringify(report)) as Report;
    expect(reportProblems(json)).toEqual([]);
    for (const metric of [
      'wallMs',
      'cpuMs',
      'peakRssBytes',
      'diskWriteBytes',
      'writeBytes',
      'apiCalls',
      'requestBytes',
    ] as const) {
      const r = measured(json.results.disk!.metrics[metric]);
      expect(Object.keys(r.without)).toEqual(['median', 'samples']);
      expect(Object.keys(r.overhead)).toEqual(expect.arrayContaining(['ratio', 'ci95', 'perNode']));
    }
    expect(json.environment.node).toBe(process.version);
    expect(json.environment.cores).toBeGreaterThan(0);
    expect(reportProblems({ ...json, results: { x: { metrics: {} } } }).length).toBeGreaterThan(0);
  });
});

describe('trackbench run (end to end)', () => {
  it('prints the table and writes whole JSON and Markdown reports', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tb-out-'));
    const dir = mkdtempSync(join(tmpdir(), 'tb-sc-'));
    const file = join(dir, 'tiny.yaml');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(
      file,
      'name: tiny\npipeline: {nodes: 10, paramsPerNode: {count: 3}, metricsPerNode: 2}\nhooks: ' +
        '[reference]\ntrials: {repetitions: 2, warmup: 0, quickRepetitions: 1}\n',
    );
    let stdout = '';
    const code = await main(['run', file, '--quick', '--out', out], {
      out: (t) => void (stdout += `${t}\n`),
      err: () => {},
      isTTY: false,
    });
    expect(code).toBe(0);
    expect(stdout).toContain('Pipeline execution time (s)');
    expect(stdout).toContain('MLflow API calls');
    expect(stdout).toContain('Medians of 1 paired trial(s)');
    expect(stdout).not.toContain('\u001b['); // no colour codes when not on a TTY
    const files = readdirSync(out).sort();
    expect(files.map((f) => f.replace(/-\d{4}-.*Z/, ''))).toEqual(['tiny.json', 'tiny.md']);
    expect(files.some((f) => f.endsWith('.tmp'))).toBe(false);
    const report = readReport(join(out, files[0]!));
    expect(measured(report.results.reference!.metrics.apiCalls).with.median).toBeGreaterThan(0);
    expect(readFileSync(join(out, files[1]!), 'utf8')).toContain('| MLflow API calls |');
  }, 60_000);

  it('an unusable --out fails at once, naming the flag', async () => {
    const { writeFileSync } = await import('node:fs');
    const file = join(mkdtempSync(join(tmpdir(), 'tb-out-')), 'a-file');
    writeFileSync(file, 'not a folder');
    let err = '';
    expect(
      await main(['run', 'scenarios/overhead-table.yaml', '--out', join(file, 'reports')], {
        out: () => {},
        err: (t) => void (err += t),
        isTTY: false,
      }),
    ).toBe(2);
    expect(err).toContain(`--out cannot write reports to ${join(file, 'reports')}: ${file} is not a folder`);
  });

  it('bad input writes nothing and exits 2', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tb-out-'));
    expect(
      await main(['run', 'scenarios/overhead-table.yaml', '--hook', 'refrence', '--out', out], {
        out: () => {},
        err: () => {},
        isTTY: false,
      }),
    ).toBe(2);
    expect(readdirSync(out)).toEqual([]);
  });
});

describe('adaptive repetitions', () => {
  const hooks = [{ name: 'calibration', label: 'c', options: { cpuMsPerNode: 2 } }];
  it('stops as soon as the interval is narrower than the target', async () => {
    const s = scenarioOf(
      { nodes: 5 },
      { hooks, trials: { repetitions: 2, warmup: 0, adaptive: { targetCiWidth: 100, maxSeconds: 60 } } },
    );
    const m = await measure(s);
    expect(m.repetitions).toBe(2);
    expect(m.adaptive).toMatch(/^interval width .* <= target 100 after 2 rounds$/);
  }, 60_000);

  it('adds interleaved rounds until the time budget is spent', async () => {
    const s = scenarioOf(
      { nodes: 5 },
      { hooks, trials: { repetitions: 2, warmup: 0, adaptive: { targetCiWidth: 1e-9, maxSeconds: 12 } } },
    );
    // The first 2 rounds (4 trial processes) take 3-6 s on a quiet 2-core machine: a 12 s budget
    // leaves room for more rounds even when other test files load the machine.
    const m = await measure(s);
    expect(m.repetitions).toBeGreaterThan(2);
    expect(m.adaptive).toContain('time budget of 12 s spent');
    // Every round has both variants, so pairs stay complete.
    for (let r = 0; r < m.repetitions; r++) expect(m.trials.filter((t) => t.round === r && !t.warmup)).toHaveLength(2);
    expect(buildReport(s, m, false).notes.join(' ')).toContain('adaptive repetitions stopped');
  }, 60_000);
});

describe('sharded runs', () => {
  it('split scenarios across jobs with --shard, and merge joins their reports', async () => {
    const { writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'tb-shard-'));
    const files = ['one', 'two'].map((name) => {
      const f = join(dir, `${name}.yaml`);
      writeFileSync(
        f,
        `name: ${name}\npipeline: {nodes: 3}\nhooks: [noop]\ntrials: {repetitions: 1, warmup: 0, quickRepetitions: ` +
          `1}\n`,
      );
      return f;
    });
    const io = { out: () => {}, err: () => {}, isTTY: false };
    const outA = join(dir, 'a');
    const outB = join(dir, 'b');
    expect(await main(['run', ...files, '--quick', '--shard', '1/2', '--out', outA], io)).toBe(0);
    expect(await main(['run', ...files, '--quick', '--shard', '2/2', '--out', outB], io)).toBe(0);
    const a = readdirSync(outA).filter((f) => f.endsWith('.json'));
    const b = readdirSync(outB).filter((f) => f.endsWith('.json'));
    expect([a.length, b.length]).toEqual([1, 1]);
    expect(a[0]).toMatch(/^one-/);
    let said = '';
    expect(
      await main(['merge', join(outA, a[0]!), join(outB, b[0]!), '--out', dir], {
        ...io,
        out: (t) => void (said += t),
      }),
    ).toBe(0);
    expect(said).toContain('merged 2 run reports (one, two)');
    expect(await main(['run', ...files, '--baseline', join(outA, a[0]!)], io)).toBe(2);
  }, 60_000);
});

describe("a trial's figures without its own memory probe", () => {
  it("leave the probe's full collections out of the run's wall and CPU time, and nothing else", () => {
    const probes = { wallMs: 500, cpuMs: 300, peakRssBytes: 9e7, diskWriteBytes: 4096, writeBytes: 5000 };
    expect(withoutProbeTime(probes, { wallMs: 60, cpuMs: 45 })).toEqual({ ...probes, wallMs: 440, cpuMs: 255 });
    // not measured stays not measured
    const none = { ...probes, wallMs: null, cpuMs: null };
    expect(withoutProbeTime(none, { wallMs: 60, cpuMs: 45 })).toEqual(none);
  });
});
