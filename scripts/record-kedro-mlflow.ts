// Records the real kedro-mlflow's request pattern into fixtures/kedro-mlflow/requests-<version>.json:
// the plugin of scenarios/kedro-mlflow.yaml (provisioned if needed) runs scenarios/overhead-table.yaml's
// pipeline twice against the mock; the second run (experiment already there) is what is kept.
// The kedro-mlflow-like model is checked against this file (test/tracking-hooks.test.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpMock } from '../src/backends/mock/http-server.ts';
import { summarizeRequests } from '../src/backends/mock/request-log.ts';
import { describePipeline } from '../src/pipeline/describe.ts';
import { generatePipeline } from '../src/pipeline/generate.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { kedroRunEnv, provisionKedro } from '../src/tracking/kedro/environment.ts';

const hook = loadScenarioFile('scenarios/kedro-mlflow.yaml').scenario.hooks[0]!;
const env = await provisionKedro(hook.kedro!, 'scenarios', hook.label);
const { scenario } = loadScenarioFile('scenarios/overhead-table.yaml');
const dir = mkdtempSync(join(tmpdir(), 'tb-record-'));
const file = join(dir, 'pipeline.json');
writeFileSync(file, JSON.stringify(describePipeline(generatePipeline(scenario.pipeline), 'overhead-table')));
const mock = await startHttpMock();
const run = (): Promise<number> =>
  new Promise((resolve) => {
    const child = spawn(env.python, ['-m', 'trackbench_kedro', 'run'], {
      env: {
        ...process.env,
        ...kedroRunEnv(hook.kedro!),
        MLFLOW_TRACKING_URI: mock.trackingUri,
        TRACKBENCH_PIPELINE_FILE: file,
      },
      stdio: 'ignore',
    });
    child.on('close', (code) => resolve(code ?? 1));
  });
try {
  if ((await run()) !== 0) throw new Error('the first run failed');
  const mark = mock.requestLog.mark();
  if ((await run()) !== 0) throw new Error('the second run failed');
  const s = summarizeRequests(mock.requestLog.since(mark));
  if (s.errors) throw new Error(`${s.errors} requests were refused`);
  const versions = {
    kedro: env.versions.kedro,
    'kedro-mlflow': env.versions['kedro-mlflow'],
    mlflow: env.versions.mlflow,
  };
  const out = `fixtures/kedro-mlflow/requests-${versions['kedro-mlflow']}.json`;
  const byEndpoint = Object.fromEntries(Object.entries(s.byEndpoint).sort(([a], [b]) => a.localeCompare(b)));
  const fixture = {
    what:
      "Requests the real kedro-mlflow sent for one run of scenarios/overhead-table.yaml's pipeline " +
      '(50 nodes x 10 params x 5 metric values, 5 namespaces), its experiment already there, against the mock',
    recordedWith: 'npx tsx scripts/record-kedro-mlflow.ts',
    versions,
    apiCalls: s.apiCalls,
    byEndpoint,
  };
  writeFileSync(out, `${JSON.stringify(fixture, null, 2)}\n`);
  process.stdout.write(`${out}: ${s.apiCalls} requests\n`);
} finally {
  await mock.stop();
  rmSync(dir, { recursive: true, force: true });
}
