// The memory-held figure of a Python hook measured in real Kedro: the trial's live allocations after a
// collection (pymalloc + malloc in use, python/src/trackbench_kedro/memory.py), taken as the pipeline ends and
// before the hook's own after_pipeline_run can let go. The fixture hook holds 25 MiB until then. Runs where the
// environment is provisioned (CI: npm run setup:kedro-mlflow provisions the one it shares with the Python
// reference hook of scenarios/kedro-mlflow-versions.yaml).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildReport } from '../src/measure/build-report.ts';
import { measure } from '../src/measure/measure.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { provisionKedro } from '../src/tracking/kedro/environment.ts';
import { measured } from './helpers/measured.ts';

const HELD = 25 * 1024 * 1024;
const dir = mkdtempSync(join(tmpdir(), 'tb-kedro-memory-'));
const file = join(dir, 'scenario.yaml');
writeFileSync(
  file,
  [
    'name: kedro-memory-held',
    'pipeline: { nodes: 6, paramsPerNode: { count: 2 }, metricsPerNode: 1, work: { cpuMs: 1, ioBytes: 1024 } }',
    'hooks:',
    '  - kind: kedro',
    '    hook: memory_hooks:HoldUntilPipelineEnd',
    '    kedro: 1.7.0',
    // the Python reference hook's environment in scenarios/kedro-mlflow-versions.yaml (provisioned in CI)
    '    packages: [kedro-mlflow==2.0.3, mlflow==3.17.2, kedro-datasets==9.6.0]',
    `    env: { PYTHONPATH: ${JSON.stringify(resolve('fixtures/kedro-hooks'))} }`,
    '    label: holds 25 MiB',
    'trials: { repetitions: 2, warmup: 1 }',
    '',
  ].join('\n'),
);
const { scenario } = loadScenarioFile(file);

async function provisioned(): Promise<boolean> {
  try {
    await provisionKedro(scenario.hooks[0]!.kedro!, dir, 'holds 25 MiB', { checkOnly: true });
    return true;
  } catch {
    return false;
  }
}

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.runIf((await provisioned()) || process.env.CI === 'true')('memory held by a Python hook in Kedro', () => {
  it('reads the 25 MiB it holds until after_pipeline_run, within 10%', async () => {
    const report = buildReport(scenario, await measure(scenario), false);
    const held = measured(report.results['holds 25 MiB']!.metrics.retainedBytes);
    // A Python interpreter with Kedro loaded holds tens of MB: zero would be a figure not read.
    expect(Math.min(...held.without.samples)).toBeGreaterThan(10 * 1024 * 1024);
    expect(held.overhead.absolute).toBeGreaterThan(HELD * 0.9);
    expect(held.overhead.absolute).toBeLessThan(HELD * 1.1);
  }, 600_000);
});
