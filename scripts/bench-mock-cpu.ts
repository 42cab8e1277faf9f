// The mock's own CPU per log-batch request: the mock's HTTP server in this process, the client in a child
// process (so its CPU is not counted), sending batches like the reference hook's (params, metrics and a few
// tags, fresh keys per batch), one at a time. A benchmark, not a test:
// `npm run bench:mock-cpu [-- --requests 2000 --params 100 --metrics 50 --tags 3]`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { PerformanceObserver } from 'node:perf_hooks';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startHttpMock } from '../src/backends/mock/http-server.ts';
import { MlflowClient } from '../src/mlflow/client.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '2000' },
    warmup: { type: 'string', default: '300' },
    params: { type: 'string', default: '100' },
    metrics: { type: 'string', default: '50' },
    tags: { type: 'string', default: '3' },
    // internal: the child's side
    client: { type: 'string' },
    run: { type: 'string' },
  },
});
const shape = { params: Number(values.params), metrics: Number(values.metrics), tags: Number(values.tags) };

if (values.client) await client(values.client, values.run ?? '');
else await server();

/** Batch `i`: fresh param and metric keys, values as a hook sends them (text, and doubles with ms timestamps). */
function batch(runId: string, i: number) {
  const t = 1_700_000_000_000 + i;
  return {
    run_id: runId,
    params: Array.from({ length: shape.params }, (_, j) => ({ key: `node_${i}.param_${j}`, value: `value-${i}-${j}` })),
    metrics: Array.from({ length: shape.metrics }, (_, j) => ({
      key: `node_${i}.metric_${j}`,
      value: (i * 7919 + j) / 977,
      timestamp: t,
      step: 0,
    })),
    tags: Array.from({ length: shape.tags }, (_, j) => ({ key: `tag_${j}`, value: `t${i}` })),
  };
}

async function client(uri: string, runId: string): Promise<void> {
  const c = new MlflowClient({ trackingUri: uri, retry: { maxRetries: 0 } });
  const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
  // Warm-up (JIT, sockets), then wait for the server's go, then the measured requests.
  for (let i = 0; i < Number(values.warmup); i++) await c.logBatch(batch(runId, -i - 1));
  process.stdout.write('ready\n');
  await lines.next();
  for (let i = 0; i < Number(values.requests); i++) await c.logBatch(batch(runId, i));
  process.stdout.write('done\n');
  c.close();
  process.exit(0);
}

async function server(): Promise<void> {
  const mock = await startHttpMock();
  const exp = mock.mock.store.createExperiment('bench');
  const run = mock.mock.store.createRun(exp, 'bench', 0, []).info.run_id;
  const child = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1]!, ...process.argv.slice(2), '--client', mock.trackingUri, '--run', run],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  if ((await lines.next()).value !== 'ready') throw new Error('the client did not start');
  let gcMs = 0;
  const gc = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMs += e.duration;
  });
  gc.observe({ entryTypes: ['gc'] });
  const mark = mock.requestLog.mark();
  const cpu = process.cpuUsage();
  const started = performance.now();
  child.stdin.write('go\n');
  if ((await lines.next()).value !== 'done') throw new Error('the client did not finish');
  const used = process.cpuUsage(cpu);
  const wall = performance.now() - started;
  gc.disconnect();
  const answered = mock.requestLog.since(mark);
  const failed = answered.filter((r) => r.status !== 200).length;
  // loadavg() has three entries, the first the last minute's
  const perRequest = (micros: number): string => (micros / 1000 / answered.length).toFixed(3);
  console.log(
    `${answered.length} log-batch requests (${shape.params} params, ${shape.metrics} metrics, ${shape.tags} tags ` +
      `each; ${failed} failed): mock CPU ${perRequest(used.user + used.system)} ms/request ` +
      `(user ${perRequest(used.user)}, system ${perRequest(used.system)}), GC ${gcMs.toFixed(0)} ms in all, ` +
      `wall ${(wall / 1000).toFixed(2)} s; load average ${loadavg()[0]!.toFixed(2)}, node ${process.version}`,
  );
  await once(child, 'exit');
  await mock.stop();
}
