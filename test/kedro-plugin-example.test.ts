// A plugin author's whole set-up: one scenario file next to their plugin's pyproject.toml
// (fixtures/kedro-plugin-example/, a small third-party-style plugin in Python). trackbench
// provisions Kedro with the plugin folder installed, generates the project and measures it with the
// plugin on and off. Runs where the environment is provisioned (CI provisions it:
// `npx tsx scripts/provision-kedro.ts fixtures/kedro-plugin-example/scenario.yaml`).
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { provisionKedro } from '../src/tracking/kedro/environment.ts';
import type { Report } from '../src/measure/report-types.ts';
import type { TraceResult } from '../src/measure/trace.ts';
import { measured } from './helpers/measured.ts';

const SCENARIO = 'fixtures/kedro-plugin-example/scenario.yaml';

async function provisioned(): Promise<boolean> {
  const hook = loadScenarioFile(SCENARIO).scenario.hooks[0]!;
  try {
    await provisionKedro(hook.kedro!, 'fixtures/kedro-plugin-example', hook.label, { checkOnly: true });
    return true;
  } catch {
    return false;
  }
}

describe.runIf((await provisioned()) || process.env.CI === 'true')('a Kedro plugin from its folder', () => {
  it('is measured from an 8-line scenario: plugin off sends nothing, on a batch per node; versions kept', async () => {
    expect(readFileSync(SCENARIO, 'utf8').trim().split('\n').length).toBeLessThan(20);
    const out = mkdtempSync(join(tmpdir(), 'tb-plugin-'));
    let printed = '';
    const code = await main(['run', SCENARIO, '--quick', '--out', out], {
      out: (t) => void (printed += t),
      err: () => {},
      isTTY: false,
    });
    expect(code).toBe(0);
    const file = readdirSync(out).find((f) => f.endsWith('.json'))!;
    const report = JSON.parse(readFileSync(join(out, file), 'utf8')) as Report;
    const r = report.results['example-tracker']!;
    expect(r.ownBaseline).toBe(true);
    expect(r.versions).toMatchObject({ kedro: '1.7.0', 'kedro-example-tracker': '0.1.0' });
    expect(measured(r.metrics.apiCalls).without.samples.every((n) => n === 0)).toBe(true);
    // After the warm-up created the experiment: create (refused: exists), get-by-name, runs/create,
    // one log-batch per node (20), runs/update.
    expect(measured(r.metrics.apiCalls).with.samples.every((n) => n === 24)).toBe(true);
    expect(r.pipelineErrors).toBe(0);
    expect(printed).toContain('example-tracker: kedro 1.7.0');
    const tableLines = printed.split('\n').filter((l) => /[│─]/.test(l));
    expect(tableLines.length).toBeGreaterThan(0);
    for (const line of tableLines) expect(line.length).toBeLessThanOrEqual(120);
  }, 900_000);

  it('is traced in real Kedro: what each request sent and every param read back from the mock', async () => {
    let out = '';
    const io = { out: (t: string) => void (out += t), err: () => {}, isTTY: false };
    expect(await main(['trace', SCENARIO, '--format', 'json'], io)).toBe(0);
    const r = JSON.parse(out) as TraceResult;
    // Steady state: create (refused: exists), get-by-name, runs/create, a log-batch a node (20), runs/update.
    expect(r).toMatchObject({ hook: 'example-tracker', external: true, apiCalls: 24, runs: 1 });
    expect(r.byEndpoint['runs/log-batch']).toBe(20);
    expect(r.generated.params).toBe(100);
    expect(r.delivered.params).toBe(100);
  }, 300_000);
});
