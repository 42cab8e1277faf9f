import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { measure } from '../src/measure/measure.ts';
import { buildReport } from '../src/measure/build-report.ts';
import { gateJunit } from '../src/report/gate.ts';
import type { Report } from '../src/measure/report-types.ts';
import { compareSamples } from '../src/stats/compare.ts';
import { checkBudgets, checkRegressions, gate, type GateCheck } from '../src/gate/gate.ts';
import { mannWhitney, normalCdf } from '../src/stats/mann-whitney.ts';
import { tukey } from '../src/stats/outliers.ts';
import { scenarioOf } from './helpers/scenario.ts';
import { measured } from './helpers/measured.ts';

describe('statistics', () => {
  it('normal CDF and Mann-Whitney U agree with hand-computed values', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.96)).toBeCloseTo(0.975, 3);
    // n1 = n2 = 5, complete separation: U = 0, z = (12.5 - 0.5) / sqrt(25 * 11 / 12) = 2.5067, p = 0.0122.
    const r = mannWhitney([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]);
    expect(r.u).toBe(0);
    expect(r.z).toBeCloseTo(2.5067, 3);
    expect(r.p).toBeCloseTo(0.0122, 3);
    expect(mannWhitney([1, 2, 3], [1, 2, 3]).p).toBeCloseTo(1, 6);
  });

  it('flags outliers with Tukey fences and never drops them', () => {
    const xs = [10, 11, 10, 12, 11, 10, 30, 200];
    const o = tukey(xs);
    // Quartiles (type 7): q1 = 10, q3 = 16.5, IQR = 6.5: mild beyond 26.25, severe beyond 36.
    expect(o.mild).toEqual([30]);
    expect(o.severe).toEqual([200]);
    expect(o.indices).toEqual([6, 7]);
    expect(xs).toHaveLength(8);
  });

  it('calls a change only when significant and beyond the noise band', () => {
    const base = [100, 101, 99, 100, 102, 98, 100, 101, 99, 100];
    expect(
      compareSamples(
        base,
        base.map((x) => x + 0.5),
      ).verdict,
    ).toBe('unchanged'); // inside the 2% band
    const slower = compareSamples(
      base,
      base.map((x) => x * 1.2),
    );
    expect(slower.verdict).toBe('regressed');
    expect(slower.p).toBeLessThan(0.05);
    expect(slower.ci95[0]).toBeGreaterThan(0.02);
    expect(
      compareSamples(
        base,
        base.map((x) => x * 0.8),
      ).verdict,
    ).toBe('improved');
    // Three samples each cannot reach significance: the gate says so instead of guessing.
    expect(compareSamples([100, 101, 99], [130, 131, 129]).minimumDetectable).toBeGreaterThan(0.02);
  });
});

describe('the gate on measured runs', () => {
  const hooks = [
    { name: 'calibration', label: 'same-a', options: {} },
    { name: 'calibration', label: 'same-b', options: {} },
    { name: 'calibration', label: 'extra-request', options: { requestsPerNode: 1 } },
    { name: 'calibration', label: 'slow', options: { cpuMsPerNode: 15 } },
  ];
  const spec = (labelled: typeof hooks) =>
    scenarioOf(
      { nodes: 10, topology: { kind: 'chain' }, work: { cpuMs: 1 } },
      { hooks: labelled, trials: { repetitions: 6, warmup: 1 } },
    );
  let first: Report;
  let second: Report;
  beforeAll(async () => {
    const s = spec(hooks);
    first = buildReport(s, await measure(s), false);
    second = buildReport(s, await measure(s), false);
  }, 240_000);

  it('an A/A comparison (the same hook on both sides, across two runs) does not fire', () => {
    // A 10-node pipeline runs in ~20 ms, where run-to-run noise is tens of percent; a 25% band keeps
    // this unit test from flaking. The gate's real false-positive rate at the default 2% band is
    // measured by scripts/aa-benchmark.ts (see README), not asserted here.
    const checks = checkRegressions(first, second, { alpha: 0.05, noise: 0.25 }).filter((c) =>
      c.hook.startsWith('same'),
    );
    expect(checks.length).toBeGreaterThan(0);
    expect(checks.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.found}`)).toEqual([]);
  });

  it('one extra request per node breaks an API-call budget of zero, exactly, and nothing else', () => {
    const checks = checkBudgets(second, { apiCalls: { max: 0 } });
    expect(checks.filter((c) => c.status === 'fail').map((c) => c.hook)).toEqual(['extra-request']);
    expect(checks.find((c) => c.hook === 'extra-request')!.found).toBe('10');
  });

  it('an exact regression against the baseline: more API calls than the baseline fails', () => {
    const base = structuredClone(first);
    measured(base.results['extra-request']!.metrics.apiCalls).with.median = 9;
    const c = checkRegressions(base, second, { alpha: 0.05, noise: 0.02 }).find(
      (x) => x.id === 'regression extra-request apiCalls',
    )!;
    expect(c.status).toBe('fail');
    expect(gate([c]).verdict).toBe('fail');
  });

  it('a figure that is 0 without the hook is compared in units: 0 -> 0 unchanged, 0 -> 64 KiB regressed', () => {
    const base = structuredClone(first);
    const cur = structuredClone(second);
    const set = (r: Report, withBytes: number): void => {
      const m = measured(r.results['extra-request']!.metrics.writeBytes);
      m.without.samples = m.without.samples.map(() => 0);
      m.with.samples = m.with.samples.map(() => withBytes);
    };
    const check = (): GateCheck =>
      checkRegressions(base, cur, { alpha: 0.05, noise: 0.02, failInconclusive: true }).find(
        (x) => x.id === 'regression extra-request writeBytes',
      )!;
    set(base, 0);
    set(cur, 0);
    expect(check().found).not.toMatch(/NaN|Infinity/);
    expect([check().status, check().found]).toEqual(['pass', '0.00 -> 0.00 per run, p=1.000: unchanged']);
    set(cur, 65_536);
    expect(check().status).toBe('fail');
    expect(check().found).toMatch(/^0\.00 -> 65,536 per run, p=0\.\d+: regressed$/);
  });

  it('CPU time injected well above a 5% budget fires the time gate; no-op hooks do not', () => {
    const checks = checkBudgets(second, { cpuMs: { overhead: 0.05 } });
    expect(checks.find((c) => c.hook === 'slow')!.status).toBe('fail');
    expect(checks.find((c) => c.hook === 'slow')!.minimumDetectable).toMatch(/^±/);
    // The slow hook adds 15 ms of CPU to each 1 ms node (+1500%). A no-op hook's CPU in a 10-node run
    // moves by more than 5% when the machine is loaded (CI failed it so, beside other work): held to a
    // 25% budget, as the A/A test above holds the same hooks to a 25% band.
    const noOp = checkBudgets(second, { cpuMs: { overhead: 0.25 } }).filter((c) => c.hook.startsWith('same'));
    expect(noOp.length).toBeGreaterThan(0);
    expect(noOp.filter((c) => c.status === 'fail').map((c) => `${c.id}: ${c.found}`)).toEqual([]);
  });

  it('compare prints the verdict, writes valid JUnit, and exits 1 on a broken budget', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-gate-'));
    const withBudget = structuredClone(second);
    withBudget.scenario.budgets = { apiCalls: { max: 0 } };
    writeFileSync(join(dir, 'base.json'), JSON.stringify(first));
    writeFileSync(join(dir, 'cur.json'), JSON.stringify(withBudget));
    let out = '';
    const code = await main(
      ['compare', join(dir, 'base.json'), join(dir, 'cur.json'), '--junit', join(dir, 'gate.xml')],
      { out: (t) => void (out += t), err: () => {}, isTTY: false },
    );
    expect(code).toBe(1);
    // The budgets differ (the current's apply): said before the verdict.
    expect(out).toMatch(/^warning: the two reports were not measured alike;.*\n(.*\n)* {2}budgets\.apiCalls differs /);
    // At least the budget: timing regressions between two short runs may fail too on a loaded machine.
    expect(out).toMatch(new RegExp(`FAIL: trackbench gate for ${second.scenario.name}: \\d+ of \\d+ checks failed`));
    const junit = readFileSync(join(dir, 'gate.xml'), 'utf8');
    expect(XMLValidator.validate(junit)).toBe(true);
    expect(junit).toContain('name="budget extra-request apiCalls max"><failure');
  });

  it('compare warns of reports made by different trackbench versions, saying both', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-gate-'));
    const older = structuredClone(first);
    older.trackbenchVersion = '0.0.1';
    writeFileSync(join(dir, 'a.json'), JSON.stringify(older));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(second));
    const said: string[] = [];
    const io = { out: (t: string) => void said.push(t), err: () => {}, isTTY: false };
    expect(await main(['compare', join(dir, 'a.json'), join(dir, 'b.json')], io)).toBeLessThan(2);
    expect(said[0]).toBe(
      "warning: the two reports measured different environments; differences may be the environment's:\n" +
        `  trackbench: 0.0.1 vs ${second.trackbenchVersion}`,
    );
  });

  it('compare refuses reports of different scenarios with exit 2', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-gate-'));
    const other = structuredClone(second);
    other.scenario.name = 'another';
    writeFileSync(join(dir, 'a.json'), JSON.stringify(first));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(other));
    let err = '';
    expect(
      await main(['compare', join(dir, 'a.json'), join(dir, 'b.json')], {
        out: () => {},
        err: (t) => void (err += t),
        isTTY: false,
      }),
    ).toBe(2);
    expect(err).toContain('different scenarios: "test" vs "another"');
  });

  it('compare refuses reports measured under different instruments (times under Valgrind are not times)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-gate-'));
    const plain = structuredClone(first);
    plain.trials.instrument = null;
    const instrumented = structuredClone(second);
    instrumented.trials.instrument = 'cpu-sim';
    writeFileSync(join(dir, 'a.json'), JSON.stringify(plain));
    writeFileSync(join(dir, 'b.json'), JSON.stringify(instrumented));
    let err = '';
    const io = { out: () => {}, err: (t: string) => void (err += t), isTTY: false };
    expect(await main(['compare', join(dir, 'a.json'), join(dir, 'b.json')], io)).toBe(2);
    expect(err).toContain('measured under different instruments: none vs cpu-sim');
    // a report of an earlier trackbench (instrument not recorded) is not refused for it
    delete plain.trials.instrument;
    writeFileSync(join(dir, 'a.json'), JSON.stringify(plain));
    err = '';
    expect(await main(['compare', join(dir, 'a.json'), join(dir, 'b.json')], io)).toBeLessThan(2);
    expect(err).not.toContain('instruments');
  });

  it('JUnit from the gate is well-formed even with characters that need escaping', () => {
    const xml = gateJunit(
      gate([
        {
          id: 'budget <a&b> "x"',
          hook: 'h',
          metric: 'wallMs',
          kind: 'budget',
          limit: '<= 1',
          found: '2 & more',
          status: 'fail',
        },
      ]),
      'scen<ario>',
    );
    expect(XMLValidator.validate(xml)).toBe(true);
  });
});
