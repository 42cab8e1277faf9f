// Throughput of the mock's loopback HTTP server: small log-batch requests from a keep-alive client
// (the project's own MlflowClient), N in flight at once. A benchmark, not a test:
// `npm run bench:mock [-- --requests 20000 --concurrency 8]`.
import { parseArgs } from 'node:util';
import { startHttpMock } from '../src/backends/mock/http-server.ts';
import { MlflowClient } from '../src/mlflow/client.ts';

const { values } = parseArgs({
  options: { requests: { type: 'string', default: '20000' }, concurrency: { type: 'string', default: '8' } },
});
const total = Number(values.requests);
const concurrency = Number(values.concurrency);

const server = await startHttpMock();
const client = new MlflowClient({ trackingUri: server.trackingUri, retry: { maxRetries: 0 } });
const exp = await client.createExperiment({ name: 'bench' });
const run = await client.createRun({ experiment_id: exp });
const body = (i: number) => ({
  run_id: run.info.run_id,
  metrics: [{ key: 'm', value: i, timestamp: 1, step: i }],
  params: [{ key: `p${i}`, value: 'v' }],
  tags: [{ key: 't', value: String(i) }],
});

// Warm-up (JIT, sockets), not counted.
for (let i = 0; i < 500; i++) await client.logBatch(body(-i - 1));
const mark = server.requestLog.mark();
let next = 0;
const started = performance.now();
await Promise.all(
  Array.from({ length: concurrency }, async () => {
    while (next < total) await client.logBatch(body(next++));
  }),
);
const seconds = (performance.now() - started) / 1000;
const answered = server.requestLog.since(mark);
const failed = answered.filter((r) => r.status !== 200).length;
console.log(
  `${answered.length} log-batch requests in ${seconds.toFixed(2)} s = ` +
    `${Math.round(answered.length / seconds)} requests/s ` +
    `(concurrency ${concurrency}, ${failed} failed, node ${process.version})`,
);
client.close();
await server.stop();
