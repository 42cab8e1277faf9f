// What one log-batch request costs the process that sends it, by transport: node:http's client with a
// keep-alive agent (keepAliveTransport) and the client's own HTTP/1.1 on sockets (socketTransport). Each
// is measured in fresh processes, as a trial's hook is, against a bare server in another process (it
// answers at once, so its own cost is not in the figures): the CPU of the first request (code compiled on
// first use, the connection opened) and the median of the rest. 12 KB bodies: 100 params, 50 metrics.
// `npx tsx scripts/transport-cost.ts [--requests 500] [--processes 5]`
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { socketTransport } from '../src/mlflow/socket-transport.ts';
import { keepAliveTransport, type Transport } from '../src/mlflow/transport.ts';
import { median } from '../src/stats/basic.ts';
import { serveBare, startServerProcess } from './mock-process.ts';

const { values } = parseArgs({
  options: {
    requests: { type: 'string', default: '500' },
    processes: { type: 'string', default: '5' },
    serve: { type: 'boolean', default: false },
    measure: { type: 'string' },
    uri: { type: 'string' },
  },
});

/** `--measure <transport>`: in this fresh process, the CPU ms of each request; prints them as JSON. */
async function measure(which: string, uri: string): Promise<void> {
  const transport: Transport & { close(): void } = which === 'socket' ? socketTransport() : keepAliveTransport();
  const params = Array.from({ length: 100 }, (_, i) => ({ key: `ns.node_${i % 10}.param_${i}`, value: `${i * 1.25}` }));
  const metrics = Array.from({ length: 50 }, (_, i) => ({ key: `m_${i}`, value: i / 2, timestamp: 1e12, step: 0 }));
  const url = new URL('/api/2.0/mlflow/runs/log-batch', uri);
  const cpu: number[] = [];
  for (let i = 0; i < Number(values.requests); i++) {
    const c0 = process.cpuUsage();
    const body = Buffer.from(JSON.stringify({ run_id: 'r'.repeat(32), params, metrics }));
    await transport({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body, timeoutMs: 30_000 });
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  transport.close();
  console.log(JSON.stringify(cpu));
}

async function parent(): Promise<void> {
  const script = fileURLToPath(import.meta.url);
  const server = await startServerProcess([...process.execArgv, script, '--serve']);
  try {
    const uri = server.uri;
    const rows: string[] = [];
    for (const which of ['node:http', 'socket']) {
      const first: number[] = [];
      const rest: number[] = [];
      for (let p = 0; p < Number(values.processes); p++) {
        const args = [...process.execArgv, script, '--measure', which, '--uri', uri, '--requests', values.requests];
        // the child's only output is the JSON list of its requests' CPU ms
        const cpu = JSON.parse(execFileSync(process.execPath, args, { encoding: 'utf8' })) as number[];
        first.push(cpu[0]!);
        rest.push(median(cpu.slice(1)));
      }
      rows.push(`${which.padEnd(10)} ${median(first).toFixed(2).padStart(8)} ${median(rest).toFixed(3).padStart(10)}`);
    }
    console.log(`${values.processes} fresh processes x ${values.requests} requests; CPU ms, medians`);
    console.log(`${'transport'.padEnd(10)} ${'first'.padStart(8)} ${'then each'.padStart(10)}`);
    console.log(rows.join('\n'));
  } finally {
    server.stop();
  }
}

// `--serve`: the bare server, answering `{}` to every request.
if (values.serve) serveBare(() => ({ status: 200, contentType: 'application/json', body: Buffer.from('{}') }));
else if (values.measure) await measure(values.measure, values.uri ?? '');
else await parent();
