// Known costs a Python hook pays are recovered by `run`'s figures: a Kedro hook in real Kedro (`kind: kedro`) and
// a `command:` runner (fixtures/known-cost/), each writing 128 KiB to a file, sending 3 requests and keeping
// 1.25 MiB alive after each of 20 nodes: 60 requests exactly, 2.5 MiB written within 5% and 25 MiB held within 10%.
// Timing is not asserted (scripts/recovery-benchmark-python.ts measures it, with the load beside it). Runs where the
// Python reference's environment is provisioned (CI: npm run setup:kedro-mlflow).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { buildReport } from '../src/measure/build-report.ts';
import { measure } from '../src/measure/measure.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { kedroEnvironment } from './helpers/kedro-hook-target.ts';
import { measured } from './helpers/measured.ts';

const NODES = 20;
// Whole large pages: a file's tail is accounted toward the disk as a whole folio (100 kB a node read +3 to +5%).
const DISK = 128 * 1024;
const HELD = 25 * 1024 * 1024;
const FIXTURES = resolve('fixtures/known-cost');
const env = {
  PYTHONPATH: FIXTURES,
  TRACKBENCH_COST_DISK_BYTES: String(DISK),
  TRACKBENCH_COST_REQUESTS: '3',
  TRACKBENCH_COST_RETAIN_BYTES: String(HELD / NODES),
};
const dir = mkdtempSync(join(tmpdir(), 'tb-known-cost-'));
const file = join(dir, 'scenario.yaml');
writeFileSync(
  file,
  stringify({
    name: 'python-known-cost',
    pipeline: { nodes: NODES, topology: { kind: 'chain' }, paramsPerNode: { count: 0 }, metricsPerNode: 0 },
    hooks: [
      {
        kind: 'kedro',
        hook: 'known_cost_hooks:KnownCostHook',
        kedro: '1.7.0',
        // the Python reference's environment in scenarios/kedro-mlflow-versions.yaml (provisioned in CI)
        packages: ['kedro-mlflow==2.0.3', 'mlflow==3.17.2', 'kedro-datasets==9.6.0'],
        env,
        label: 'kedro',
      },
      { name: `command:python3 ${join(FIXTURES, 'known_cost_command.py')}`, env, label: 'command' },
    ],
    trials: { repetitions: 2, warmup: 1 },
  }),
);
const { scenario } = loadScenarioFile(file);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf((await kedroEnvironment()) !== undefined || process.env.CI === 'true')(
  'known costs of Python hooks',
  () => {
    it('recovers requests exactly, bytes written within 5% and memory held within 10%', async () => {
      const report = buildReport(scenario, await measure(scenario), false);
      for (const label of ['kedro', 'command']) {
        const { metrics } = report.results[label]!;
        const calls = measured(metrics.apiCalls);
        expect(calls.without.samples, label).toEqual([0, 0]);
        expect(calls.with.samples, label).toEqual([3 * NODES, 3 * NODES]);
        const disk = measured(metrics.diskWriteBytes).overhead.absolute / (DISK * NODES);
        expect(Math.abs(disk - 1), `${label}: disk written ${disk}x`).toBeLessThan(0.05);
        const held = measured(metrics.retainedBytes).overhead.absolute / HELD;
        expect(Math.abs(held - 1), `${label}: memory held ${held}x`).toBeLessThan(0.1);
      }
    }, 600_000);
  },
);
