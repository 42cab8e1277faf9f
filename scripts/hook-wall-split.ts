// Where a hook's wall-time overhead goes. Each round runs the scenario's pipeline once without and once
// with the hook (abba order), each in a fresh process as a trial does (the mock MLflow in a child process),
// and splits the run's wall time: node bodies (from the hook's beforeNodeRun returning to the runner's
// afterNodeRun call), the gaps between nodes (the runner's loads and saves, the hook's node methods,
// and whatever the hook does in the background then), the time before the first node and
// after the last (the hook's end-of-run delivery). Also the time spent inside each hook method, and the
// CPU time of the trial process and of its main thread. Prints medians of the paired differences
// (with - without). Timing only: this machine's load shows.
// The processes load the TypeScript sources through tsx (loading is before the run, outside the figures).
// `--server` says what answers the hook's requests, to split the exchange with a server apart:
// - `mock` (default): the mock MLflow in a child process, as in a trial;
// - `bare`: a bare HTTP server in a child process that answers every request at once with a canned reply
//   (no store, no checks): the client's side of the exchange (node:http, the socket) without the mock's work;
// - `none` (reference hook only): every request is answered at once in the trial's own process, with no
//   socket and no server: what the hook's own code costs.
// `--uri <url>`: a server already running (e.g. a real MLflow), left running.
// `npx tsx scripts/hook-wall-split.ts [scenario] [--hook reference] [--rounds 20] [--server mock|bare|none]`
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generatePipeline } from '../src/pipeline/generate.ts';
import { displayUri } from '../src/mlflow/auth.ts';
import { MlflowClient } from '../src/mlflow/client.ts';
import type { HttpRequest, HttpResponse } from '../src/mlflow/transport.ts';
import type { Hooks, NamedHooks } from '../src/pipeline/hooks.ts';
import { runSession } from '../src/pipeline/session.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { createReferenceHook } from '../src/tracking/builtin/reference.ts';
import { resolveHook, scenarioDir, trackingConfigFor } from '../src/tracking/registry.ts';
import { median } from '../src/stats/basic.ts';
import { serveBare, startServerProcess } from './mock-process.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    rounds: { type: 'string', default: '20' },
    hook: { type: 'string', default: 'reference' },
    child: { type: 'string' },
    uri: { type: 'string' },
    server: { type: 'string', default: 'mock' },
    'serve-bare': { type: 'boolean', default: false },
  },
});
const file = positionals[0] ?? 'scenarios/overhead-table.yaml';
const inProcess = values.server === 'none';

type Split = Record<string, number>;

/** One pipeline run in this (fresh) process; prints its split as one JSON line. */
async function child(withHook: boolean, uri: string): Promise<void> {
  const { scenario } = loadScenarioFile(file);
  const ref = scenario.hooks.find((h) => h.label === values.hook) ?? {
    name: values.hook,
    label: values.hook,
    options: {},
  };
  const pipeline = generatePipeline(scenario.pipeline);
  const marks: number[] = [];
  const mark = (): void => void marks.push(performance.now());
  const split: Split = {};
  // A node's body is between the last beforeNodeRun and the first afterNodeRun: the end is marked by a hook
  // registered before the measured one, the start by one registered after it (hooks run in that order).
  const hooks: NamedHooks[] = [{ name: 'node ends', hooks: { afterNodeRun: mark } }];
  if (withHook) {
    const { name, hooks: h } = inProcess
      ? { name: ref.label, hooks: nullServerReference(ref.options ?? {}, scenario.name, scenarioDir(scenario.source)) }
      : await resolveHook(ref, scenario, { trackingUri: uri, warn: () => {} });
    const timed: Record<string, unknown> = {};
    for (const [method, fn] of Object.entries(h)) {
      if (typeof fn !== 'function') continue;
      const add = (t0: number): void =>
        void (split[`in ${method}`] = (split[`in ${method}`] ?? 0) + performance.now() - t0);
      timed[method] = (...args: unknown[]): unknown => {
        const t0 = performance.now();
        // a hook method as registered: called with the runner's arguments
        const result: unknown = (fn as (...a: unknown[]) => unknown).apply(h, args);
        if (result instanceof Promise) return result.finally(() => add(t0));
        add(t0);
        return result;
      };
    }
    hooks.push({ name, hooks: timed });
  }
  hooks.push({ name: 'node starts', hooks: { beforeNodeRun: mark } });
  const cpu0 = process.cpuUsage();
  const main0 = mainThreadCpuMs();
  const t0 = performance.now();
  await runSession(pipeline, { hooks, runner: scenario.runner });
  const t1 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  const mainCpu = mainThreadCpuMs() - main0;
  // marks alternate: a node's start, its end (sequential runner)
  let nodes = 0;
  let gaps = 0;
  for (let i = 1; i < marks.length; i++) {
    const d = marks[i]! - marks[i - 1]!;
    if (i % 2 === 1) nodes += d;
    else gaps += d;
  }
  Object.assign(split, { run: t1 - t0, 'node bodies': nodes, gaps, 'before first node': marks[0]! - t0 });
  split['after last node'] = t1 - marks[marks.length - 1]!;
  // every thread of the trial (main, libuv's pool, V8's collector)
  split['process CPU'] = (cpu.user + cpu.system) / 1000;
  split['main thread CPU'] = mainCpu;
  console.log(JSON.stringify(split));
}

/** CPU time of this process's main thread (its task has the process's id), in ms (Linux, 10 ms ticks). */
function mainThreadCpuMs(): number {
  const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
  // fields after the command's closing parenthesis: utime and stime are the 12th and 13th
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** What the bare and the in-process servers answer: enough for the reference hook to go on. */
function cannedReply(path: string): HttpResponse {
  let body: unknown = {};
  if (path.endsWith('experiments/get-by-name')) body = { experiment: { experiment_id: '1' } };
  else if (path.endsWith('runs/create'))
    body = { run: { info: { run_id: 'r', artifact_uri: 'mlflow-artifacts:/1/r/artifacts' }, data: {} } };
  return { status: 200, contentType: 'application/json', body: Buffer.from(JSON.stringify(body)) };
}

/** The reference hook with a client whose requests are answered at once, in this process, by canned replies. */
function nullServerReference(options: Record<string, unknown>, scenarioName: string, dir: string): Hooks {
  const ctx = { scenarioName, scenarioDir: dir, trackingUri: 'http://null', warn: () => {} };
  const transport = (req: HttpRequest): Promise<HttpResponse> => Promise.resolve(cannedReply(req.url.pathname));
  const client = new MlflowClient({ trackingUri: ctx.trackingUri, transport, retry: { maxRetries: 0 } });
  return createReferenceHook(trackingConfigFor(options, ctx), ctx, client);
}

async function parent(): Promise<void> {
  const rounds = Number(values.rounds);
  // No server to start when every request is answered in the trial's own process.
  const given = inProcess ? 'http://null' : values.uri;
  const mock = given
    ? { uri: given, stop: () => {} }
    : await startServerProcess(
        values.server === 'bare' ? [...process.execArgv, fileURLToPath(import.meta.url), '--serve-bare'] : undefined,
      );
  try {
    const uri = mock.uri;
    const script = fileURLToPath(import.meta.url);
    const once1 = (variant: 'with' | 'without'): Split => {
      const args = [...process.execArgv, script, file, '--hook', values.hook, '--child', variant, '--uri', uri];
      args.push('--server', values.server);
      const out = execFileSync(process.execPath, args, { encoding: 'utf8' });
      // the child's last line is the JSON of its split (child() above)
      return JSON.parse(out.trim().split('\n').pop()!) as Split;
    };
    const pairs: [Split, Split][] = [];
    // round 0 warms the machine's caches and is discarded, as a trial's warm-up round is
    for (let i = 0; i <= rounds; i++) {
      const [a, b] = i % 2 ? (['with', 'without'] as const) : (['without', 'with'] as const);
      const first = once1(a);
      const second = once1(b);
      if (i > 0) pairs.push(a === 'without' ? [first, second] : [second, first]);
      process.stderr.write(`\rround ${i}/${rounds}`);
    }
    process.stderr.write('\n');
    const keys = [...new Set(pairs.flatMap(([w, h]) => [...Object.keys(w), ...Object.keys(h)]))];
    const server = values.uri
      ? displayUri(values.uri)
      : ({ none: 'no server (--server none)', bare: 'a bare HTTP server in a child process' }[values.server] ??
        'the mock in a child process');
    console.log(`${file}, hook ${values.hook}, ${server}, ${rounds} rounds; ms, medians`);
    console.log(`${'part'.padEnd(28)}${'without'.padStart(10)}${'with'.padStart(10)}${'with - without'.padStart(16)}`);
    for (const k of keys) {
      const w = pairs.map(([x]) => x[k] ?? 0);
      const h = pairs.map(([, x]) => x[k] ?? 0);
      const d = pairs.map(([x, y]) => (y[k] ?? 0) - (x[k] ?? 0));
      const f = (x: number): string => x.toFixed(1);
      console.log(
        `${k.padEnd(28)}${f(median(w)).padStart(10)}${f(median(h)).padStart(10)}${f(median(d)).padStart(16)}`,
      );
    }
  } finally {
    mock.stop();
  }
}

if (!['mock', 'bare', 'none'].includes(values.server)) {
  process.stderr.write(`--server must be mock, bare or none; got ${values.server}\n`);
  process.exit(2);
}
if (inProcess && !/^(builtin:)?reference$/.test(values.hook)) {
  process.stderr.write(`--server none builds the reference hook itself: --hook ${values.hook} is not it\n`);
  process.exit(2);
}
if (values['serve-bare']) serveBare(cannedReply);
else if (values.child) await child(values.child === 'with', values.uri ?? '');
else await parent();
