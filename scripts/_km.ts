import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { startHttpMock } from '../src/backends/mock/http-server.ts';
import { summarizeRequests } from '../src/backends/mock/request-log.ts';
import { describePipeline } from '../src/conformance/targets.ts';
import { generatePipeline } from '../src/pipeline/generate.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
const { scenario } = loadScenarioFile('scenarios/overhead-table.yaml');
const p = generatePipeline(scenario.pipeline);
writeFileSync('/tmp/km-pipeline.json', JSON.stringify(describePipeline(p, 'overhead-table')));
const mock = await startHttpMock();
const py = process.argv[2]!;
const run = () => new Promise<number>((resolve) => {

  const c = spawn(py, ['fixtures/kedro-mlflow/run_with_kedro_mlflow.py'], { env: { ...process.env, MLFLOW_TRACKING_URI: mock.trackingUri, TRACKBENCH_PIPELINE_FILE: '/tmp/km-pipeline.json' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = ''; c.stderr.on('data', (b: Buffer) => (err += b));
  c.on('close', (code: number) => { console.log('exit', code, err.split('\n').filter((l) => /rror|Traceback|failed|WARN/i.test(l)).slice(0, 8).join('\n')); resolve(code); });
});
void spawnSync;
await run();
const first = summarizeRequests(mock.requestLog.since(0));
console.log('first run', JSON.stringify(first));
const mark = mock.requestLog.mark();
await run();
console.log('second run', JSON.stringify(summarizeRequests(mock.requestLog.since(mark))));
const errors = mock.requestLog.since(0).filter((r) => r.status >= 400).slice(0, 5).map((r) => `${r.endpoint} ${r.status} ${r.error}`);
console.log(errors.join('\n'));
await mock.stop();
