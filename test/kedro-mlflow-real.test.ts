// The real kedro-mlflow plugin (2.0.3, on Kedro 1.7.0 and MLflow 3.17.2), run as a process on the
// seed article's 50 x 10 x 5 pipeline against the mock: its request pattern pinned down exactly.
// Needs `npm run setup:kedro-mlflow` (CI runs it; locally the test is skipped without it).
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHttpMock } from '../src/backends/mock/http-server.ts';
import { summarizeRequests } from '../src/backends/mock/request-log.ts';
import { describePipeline } from '../src/pipeline/describe.ts';
import { measure } from '../src/measure/measure.ts';
import { generatePipeline } from '../src/pipeline/generate.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { provisionKedro } from '../src/tracking/kedro/environment.ts';

async function kedroPython(): Promise<string | undefined> {
  // The environment scenarios/kedro-mlflow.yaml measures; checked, not installed, here.
  const hook = loadScenarioFile('scenarios/kedro-mlflow.yaml').scenario.hooks[0]!;
  try {
    return (await provisionKedro(hook.kedro!, 'scenarios', hook.label, { checkOnly: true })).python;
  } catch {
    return undefined;
  }
}

const python = await kedroPython();
describe.runIf(python || process.env.CI === 'true')('the real kedro-mlflow plugin', () => {
  it("sends 910 requests for the article's pipeline: one per value, a run re-entry per node", async () => {
    const { scenario } = loadScenarioFile('scenarios/overhead-table.yaml');
    const file = join(mkdtempSync(join(tmpdir(), 'tb-km-')), 'pipeline.json');
    writeFileSync(file, JSON.stringify(describePipeline(generatePipeline(scenario.pipeline), 'overhead-table')));
    const mock = await startHttpMock();
    const run = () =>
      new Promise<number>((resolve) => {
        const child = spawn(python!, ['-m', 'trackbench_kedro', 'run'], {
          env: { ...process.env, MLFLOW_TRACKING_URI: mock.trackingUri, TRACKBENCH_PIPELINE_FILE: file },
          stdio: 'ignore',
        });
        child.on('close', (code) => resolve(code ?? 1));
      });
    try {
      expect(await run()).toBe(0); // first run creates the experiment
      const mark = mock.requestLog.mark();
      expect(await run()).toBe(0);
      const s = summarizeRequests(mock.requestLog.since(mark));
      // The recorded fixture the kedro-mlflow-like model is checked against (scripts/record-kedro-mlflow.ts).
      const recorded = JSON.parse(readFileSync('fixtures/kedro-mlflow/requests-2.0.3.json', 'utf8')) as {
        byEndpoint: Record<string, number>;
      };
      expect(s.byEndpoint).toEqual(recorded.byEndpoint);
      expect(s.byEndpoint).toMatchObject({
        'runs/log-batch': 1, // run_params as tags
        'runs/set-tag': 1, // kedro_command
        'runs/get': 2 * 50 + 2,
        'runs/update': 50 + 2,
        'runs/log-parameter': 500,
        'runs/log-metric': 250,
      });
      expect(s.apiCalls).toBe(910);
      expect(s.errors).toBe(0);
    } finally {
      await mock.stop();
    }
  }, 180_000);

  it(
    'is measured with and without its hooks (scenarios/kedro-mlflow.yaml): off sends nothing, on sends its ' + '910',
    async () => {
      const { scenario } = loadScenarioFile('scenarios/kedro-mlflow.yaml');
      const m = await measure({ ...scenario, trials: { ...scenario.trials, repetitions: 2, warmup: 1 } });
      const measured = m.trials.filter((t) => !t.warmup);
      // Kedro matches DISABLE_HOOKS_FOR_PLUGINS against "kedro_mlflow": if the runner named only
      // "kedro-mlflow", the plugin would stay on and "without" would send 660 requests.
      expect(measured.filter((t) => t.hook === null).map((t) => t.probes.apiCalls)).toEqual([0, 0]);
      expect(measured.filter((t) => t.hook === 'kedro-mlflow').map((t) => t.probes.apiCalls)).toEqual([910, 910]);
      for (const t of measured) {
        expect(t.pipelineError).toBeUndefined();
        expect(t.produced).toMatchObject({ params: 500, metrics: 250, nodesRun: 50 });
        // Kedro, kedro-mlflow and MLflow imported: the interpreter holds well over 50 MB.
        expect(t.probes.peakRssBytes).toBeGreaterThan(50e6);
      }
      // Its params, in Python's str() (a dict as "{'k0': 1.5}"), count as delivered by key and value.
      for (const t of m.trials.filter((x) => x.hook === 'kedro-mlflow'))
        expect(t.values).toMatchObject({ available: true, lost: { params: 0, metrics: 0 } });
    },
    300_000,
  );
});
