// Honest verdicts: a change is regressed/improved only when significant and beyond the noise band,
// unchanged only when the whole interval lies inside the band, and inconclusive otherwise.
import { describe, expect, it } from 'vitest';
import { compareSamples } from '../src/stats/compare.ts';
import type { MeasuredMetric, Report } from '../src/measure/report-types.ts';
import { rowsOf } from '../src/report/format.ts';
import { checkRegressions } from '../src/gate/gate.ts';
import { growthExponent } from '../src/stats/growth.ts';

const around = (center: number, spread: number, n = 10): number[] =>
  Array.from({ length: n }, (_, i) => center * (1 + (spread * ((i % 5) - 2)) / 2));

describe('verdicts', () => {
  it('tight samples with the same centre: unchanged', () => {
    expect(compareSamples(around(1, 0.002), around(1, 0.002), { noise: 0.02 }).verdict).toBe('unchanged');
  });

  it('a clear, tight shift beyond the band: regressed, and the reverse improved', () => {
    expect(compareSamples(around(1, 0.002), around(1.1, 0.002), { noise: 0.02 }).verdict).toBe('regressed');
    expect(compareSamples(around(1.1, 0.002), around(1, 0.002), { noise: 0.02 }).verdict).toBe('improved');
  });

  it('samples too wide to tell (+41% with an interval crossing the band): inconclusive, not unchanged', () => {
    const base = [1, 1.6, 0.7, 1.3, 0.9];
    const cur = [1.5, 1.0, 2.2, 1.2, 1.9];
    const c = compareSamples(base, cur, { noise: 0.02 });
    expect(c.p).toBeGreaterThan(0.05);
    expect(c.verdict).toBe('inconclusive');
  });
});

describe('growth exponent', () => {
  it('is not given for two sizes (a line through two points always fits, r2 = 1)', () => {
    expect(growthExponent([50, 500], [1, 10])).toBeNull();
    expect(growthExponent([50, 500, 5000], [1, 10, 100])?.r2).toBeCloseTo(1, 10);
  });
});

describe('instruction counts against a baseline', () => {
  const counted = (without: number, withHook: number): MeasuredMetric => ({
    unit: 'instructions',
    available: true,
    without: { median: without, samples: [without] },
    with: { median: withHook, samples: [withHook] },
    overhead: { ratio: withHook / without - 1, ci95: null, perNode: 0, absolute: withHook - without },
    outliers: { without: [], with: [] },
  });
  // Only the fields checkRegressions reads: the hook's metrics, the scenario's seed, the baseline's failures.
  const reportWith = (m: MeasuredMetric): Report =>
    ({
      results: { h: { metrics: { instructions: m } } },
      scenario: { trials: { seed: 1 } },
      failures: [],
    }) as unknown as Report;
  const check = (now: number) =>
    checkRegressions(reportWith(counted(1e9, 1e9 + 1e8)), reportWith(counted(1e9, 1e9 + now)), {
      alpha: 0.05,
      noise: 0.02,
      instructionNoise: 0.005,
    })[0]!;

  it('a hook 1% more expensive is regressed; 0.1% is unchanged; 1% cheaper is improved', () => {
    const verdictOf = (now: number): string => `${check(now).status} ${check(now).found.split(': ').pop()}`;
    expect(verdictOf(1.01e8)).toBe('fail regressed');
    expect(verdictOf(1.001e8)).toBe('pass unchanged');
    expect(verdictOf(0.99e8)).toBe('pass improved');
  });

  it('set-up instructions get a wide band (A/A runs read up to 23% apart): +25% passes, doubling fails', () => {
    // Only the fields checkRegressions reads, as above.
    const setupReport = (m: MeasuredMetric): Report =>
      ({
        results: { h: { metrics: { setupInstructions: m } } },
        scenario: { trials: { seed: 1 } },
        failures: [],
      }) as unknown as Report;
    const setup = (now: number) =>
      checkRegressions(setupReport(counted(1e7, 2e7)), setupReport(counted(1e7, now)), {
        alpha: 0.05,
        noise: 0.02,
        instructionNoise: 0.005,
      })[0]!;
    expect(setup(1e7 + 1.25e7).status).toBe('pass');
    expect(setup(1e7 + 2e7).status).toBe('fail');
    expect(setup(1e7 + 2e7).minimumDetectable).toBe('±50.00%');
  });

  // Only the fields checkRegressions reads, as above, for a report of the run counted in two parts.
  const splitReport = (run: MeasuredMetric, allocator?: MeasuredMetric): Report =>
    ({
      results: { h: { metrics: { instructions: run, ...(allocator ? { allocatorInstructions: allocator } : {}) } } },
      scenario: { trials: { seed: 1 } },
      failures: [],
    }) as unknown as Report;
  const options = { alpha: 0.05, noise: 0.02, instructionNoise: 0.005 };

  it("the allocator's share gets a band of its own (heap layout moved it 9%): +20% passes, +40% fails", () => {
    const run = counted(1e9, 1e9 + 1e8);
    const allocator = (was: number, now: number) =>
      checkRegressions(
        splitReport(run, counted(1e6, 1e6 + was)),
        splitReport(run, counted(1e6, 1e6 + now)),
        options,
      ).find((c) => c.metric === 'allocatorInstructions')!;
    expect(allocator(3e6, 3.6e6).status).toBe('pass');
    expect(allocator(3e6, 4.2e6).status).toBe('fail');
    expect(allocator(3e6, 4.2e6).minimumDetectable).toBe('±750,000 instructions');
    // A hook that allocates little: identical trials' 130k apart in the allocator stay inside the floor.
    expect(allocator(1e5, 2.3e5).status).toBe('pass');
    expect(allocator(1e5, 4e5).status).toBe('fail');
    // A hook that saved allocations in the baseline (negative): spending more is still a regression.
    expect(allocator(-1e6, -0.5e6).status).toBe('fail');
    expect(allocator(-1e6, -1.5e6).found).toMatch(/improved$/);
  });

  it("a report of an earlier trackbench labels its run's count as the allocator included", () => {
    const label = (r: Report) => rowsOf(r).find((row) => row.metric === 'instructions')!.label;
    expect(label(splitReport(counted(1e9, 1.1e9)))).toBe('Instructions, pipeline run, malloc included (M)');
    expect(label(splitReport(counted(1e9, 1.1e9), counted(1e6, 2e6)))).toBe(
      'Instructions, pipeline run, outside malloc (M)',
    );
  });

  it('a baseline that counted the allocator in the run is not compared with one that did not', () => {
    const old = splitReport(counted(1e9, 1e9 + 1e8));
    const split = splitReport(counted(0.97e9, 0.97e9 + 0.97e8), counted(3e7, 3e7 + 3e6));
    for (const [baseline, current] of [
      [old, split],
      [split, old],
    ] as const) {
      const run = checkRegressions(baseline, current, options).find((c) => c.metric === 'instructions')!;
      expect(run.status).toBe('fail');
      expect(run.found).toMatch(/not comparable; measure the baseline again/);
    }
  });
});
