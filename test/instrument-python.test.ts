// The instruction-count instrument on `command:` trials (Python under Valgrind): a hook that marks
// its phases with the Python helper is counted split into set-up and run; a known extra computation
// lands in the right one, matching the same computation counted alone; a command that marks nothing
// has no count, and says why. Needs Valgrind (installed by .ci/run) and a few minutes.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from '../src/measure/build-report.ts';
import { callgrindArgs, findValgrind, readDumps } from '../src/measure/instrument.ts';
import { measure } from '../src/measure/measure.ts';
import type { Report } from '../src/measure/report-types.ts';
import { measured } from './helpers/measured.ts';
import { scenarioOf } from './helpers/scenario.ts';

const valgrind = findValgrind();
const NODES = 3;
const SETUP_SPIN = 100_000;
const PER_NODE_SPIN = 50_000;
const HELPER = resolve('python/src');
// The interpreter itself, not a pyenv shim (a shell script Valgrind would follow through its helpers).
const python = (): string =>
  execFileSync('python3', ['-c', 'import sys; print(sys.executable)'], { encoding: 'utf8' }).trim();

describe.skipIf(!('path' in valgrind))('instruction counts of a Python command hook', () => {
  let report: Report;
  let alone: { setupInstructions: number | null; instructions: number };
  beforeAll(async () => {
    const hook = `command:${python()} ${resolve('fixtures/instrument/counted_hook.py')}`;
    const scenario = scenarioOf(
      { nodes: NODES, topology: { kind: 'chain' }, paramsPerNode: { count: 1 }, metricsPerNode: 1 },
      {
        hooks: [
          { name: hook, label: 'base', env: { TRACKBENCH_FIXTURE_SETUP_SPIN: String(SETUP_SPIN) } },
          {
            name: hook,
            label: 'spin',
            env: {
              TRACKBENCH_FIXTURE_SETUP_SPIN: String(SETUP_SPIN),
              TRACKBENCH_FIXTURE_SPIN: String(PER_NODE_SPIN),
            },
          },
          { name: `command:echo '{"wallMs": 1, "cpuMs": 1, "peakRssBytes": 1}' > "$TRACKBENCH_PROBES_FILE"` },
        ],
        trials: { repetitions: 1, warmup: 0, quickRepetitions: 1, timeoutMs: 60_000 },
      },
    );
    report = buildReport(scenario, await measure(scenario, { instrument: 'cpu-sim' }), false);
    // The same loops, between the same marks, counted alone.
    const dir = mkdtempSync(join(tmpdir(), 'tb-cg-py-'));
    const script = join(dir, 'alone.py');
    writeFileSync(
      script,
      `import sys
sys.path.insert(0, ${JSON.stringify(HELPER)})
from trackbench_kedro.probes import mark
from trackbench_kedro.work import spin
mark()
spin(${SETUP_SPIN})
mark()
for _ in range(${NODES}):
    spin(${PER_NODE_SPIN})
mark()
`,
    );
    const valgrindPath = 'path' in valgrind ? valgrind.path : '';
    execFileSync(valgrindPath, [...callgrindArgs(dir), python(), script], {
      stdio: 'ignore',
      env: { ...process.env, TRACKBENCH_INSTRUMENT: 'cpu-sim', PYTHONHASHSEED: '0' },
    });
    const counted = readDumps(dir);
    if ('unavailable' in counted) throw new Error(counted.unavailable);
    alone = counted;
  }, 1_800_000);

  it('counts set-up and run apart, and the set-up cost lands in set-up', () => {
    const setup = measured(report.results.base!.metrics.setupInstructions);
    const run = measured(report.results.base!.metrics.instructions);
    // Counted, both of them, in both variants: never a zero standing in for "not counted".
    for (const m of [setup, run]) expect(Math.min(m.without.median, m.with.median)).toBeGreaterThan(0);
    // Tracking on adds the set-up loop to set-up (as counted alone, within 5%), next to nothing to the run.
    expect(Math.abs(setup.overhead.absolute - alone.setupInstructions!) / alone.setupInstructions!).toBeLessThan(0.05);
    expect(Math.abs(run.overhead.absolute)).toBeLessThan(0.01 * alone.setupInstructions!);
  });

  it('a fixed extra computation per node shows up in the run count, not in set-up', () => {
    const diff = (m: 'instructions' | 'setupInstructions'): number =>
      measured(report.results.spin!.metrics[m]).with.median - measured(report.results.base!.metrics[m]).with.median;
    expect(Math.abs(diff('instructions') - alone.instructions) / alone.instructions).toBeLessThan(0.05);
    expect(Math.abs(diff('setupInstructions'))).toBeLessThan(0.01 * alone.instructions);
  });

  it('a command that marks no phases gets no count, and the report says why', () => {
    const metrics = Object.values(report.results).find((r) => r !== report.results.base && r !== report.results.spin)!;
    for (const m of [metrics.metrics.instructions, metrics.metrics.setupInstructions]) {
      expect(m.available).toBe(false);
      expect(!m.available && m.reason).toMatch(/^no process of the trial marked its phases/);
    }
  });
});
