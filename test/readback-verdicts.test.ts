// Verdicts rest on what the tracking server holds, read back through its REST API: a hook's duplicates do not
// stand in for values it never sent, and a server that paginates wrongly neither counts a run twice nor hangs
// the read-back.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startHttpMock, type HttpMock } from '../src/backends/mock/http-server.ts';
import { artifactsFound, metricValuesFound, READ_BACK_RETRY } from '../src/measure/server-values.ts';
import { MlflowClient } from '../src/mlflow/client.ts';
import type { RunState } from '../src/mlflow/readback.ts';
import type { FileInfo, Metric } from '../src/mlflow/wire.ts';
import type { HookRef } from '../src/scenario/types.ts';
import { metricKeysKnown } from '../src/tracking/registry.ts';
import { cli } from './helpers/io.ts';

const dirs: string[] = [];
const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-readback-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const PIPELINE =
  'pipeline: {nodes: 4, paramsPerNode: {count: 1}, metricsPerNode: 1, artifactsPerNode: {count: 2, bytes: 64}, ' +
  'work: {cpuMs: 1, ioBytes: 0}}';
const TRIALS = 'trials: {repetitions: 1, warmup: 0, quickRepetitions: 1}';

/**
 * A module hook logging every param and metric value of a node (when `values`, awaited in its factory, holds),
 * `artifacts(list)` of its artifact outputs (each a [name, bytes] pair) and `models(node, list)` of its model
 * outputs, each registered.
 */
function hook(artifacts: string, models = '() => []', values = 'true'): string {
  return `import { MlflowClient } from ${JSON.stringify(join(process.cwd(), 'dist/index.js'))};
export default async (options, ctx) => {
  const client = new MlflowClient({ trackingUri: ctx.trackingUri });
  const values = ${values};
  let run;
  return {
    async beforePipelineRun() {
      const exp = await client.getOrCreateExperiment(ctx.scenarioName);
      run = (await client.createRun({ experiment_id: exp, start_time: Date.now() })).info;
    },
    async afterNodeRun(node, catalog, inputs, outputs) {
      const params = Object.entries(inputs).filter(([k]) => k.startsWith('params:'))
        .map(([k, v]) => ({ key: k.slice(7), value: String(v) }));
      const metrics = [];
      const files = [];
      const held = [];
      for (const [name, value] of Object.entries(outputs)) {
        if (catalog.kindOf(name) === 'metrics')
          for (const [key, series] of Object.entries(value))
            series.forEach((v, step) => metrics.push({ key, value: Number(v.value ?? v), timestamp: 1, step }));
        if (catalog.kindOf(name) === 'artifact') files.push([name, Buffer.from(value)]);
        if (catalog.kindOf(name) === 'model') held.push([name, Buffer.from(value)]);
      }
      if (values) await client.logBatch({ run_id: run.run_id, params, metrics });
      const sent = (${artifacts})(files);
      for (const [i, [name, bytes]] of sent.entries())
        await client.uploadArtifact(run.artifact_uri, node.name + '/' + i + '-' + name, bytes);
      for (const [name, bytes] of (${models})(node, held)) {
        await client.uploadArtifact(run.artifact_uri, 'models/' + name, bytes);
        const model = name.replace(/\\W/g, '_');
        await client.createRegisteredModel({ name: model }).catch(() => {}); // registered before
        const source = run.artifact_uri + '/models/' + name;
        await client.createModelVersion({ name: model, source, run_id: run.run_id });
      }
    },
    async afterPipelineRun() {
      await client.updateRun({ run_id: run.run_id, status: 'FINISHED', end_time: Date.now() });
      client.close();
    },
  };
};
`;
}

// Delivers all in the first trial it runs in (no experiment yet), nothing after.
const ONCE = `import { BUILTIN_HOOKS } from ${JSON.stringify(join(process.cwd(), 'dist/index.js'))};
export default async (options, ctx) => {
  const url = new URL('/api/2.0/mlflow/experiments/get-by-name', ctx.trackingUri);
  url.searchParams.set('experiment_name', ctx.scenarioName);
  if ((await fetch(url)).status === 200) return {};
  return BUILTIN_HOOKS.reference.factory({}, ctx);
};
`;

/** The reference hook, every trial. */
const HEALTHY = `import { BUILTIN_HOOKS } from ${JSON.stringify(join(process.cwd(), 'dist/index.js'))};
export default (options, ctx) => BUILTIN_HOOKS.reference.factory({}, ctx);
`;

/**
 * A scenario of `hookModule` in a folder of its own (`pipeline`, `trials`, the remote server `uri` when given):
 * `trackbench run --quick` of it, as often as called, gives its exit code and all it printed, spaces collapsed.
 */
function scenario(
  name: string,
  hookModule: string,
  o: { pipeline?: string; trials?: string; uri?: string; hooks?: string } = {},
): () => Promise<{ code: number; text: string }> {
  const backend = o.uri ? `backend: {kind: remote, uri: "${o.uri}"}\n` : '\n';
  const dir = project({
    'hook.mjs': hookModule,
    's.yaml': [
      `name: ${name}`,
      o.pipeline ?? PIPELINE,
      `hooks: ${o.hooks ?? '["module:./hook.mjs"]'}`,
      o.trials ?? TRIALS,
      backend,
    ].join('\n'),
  });
  return async () => {
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, 'reports')]);
    return { code: r.code, text: `${r.out}${r.err}`.replace(/\s+/g, ' ') };
  };
}

const WARMUP = 'trials: {repetitions: 1, warmup: 1, quickRepetitions: 1}';

describe('values delivered are what the server holds, each counted once', () => {
  it("a hook that logs each node's first artifact twice and never its second: artifacts lost", async () => {
    const r = await scenario('dupart', hook('(files) => [files[0], files[0]]'))();
    expect(r.code, r.text).toBe(1);
    expect(r.text).toMatch(/lost 4 of 8 artifacts/);
  }, 60_000);

  it('a server whose runs/search repeats its page token forever: the read-back fails, named, not a hang', async () => {
    const uri = await searchProxy('endless');
    const r = await scenario('endless', hook('(files) => files'), { uri })();
    expect(r.code, r.text).toBe(1);
    expect(r.text).toMatch(
      /unverifiable: the tracking server could not be read back: runs\/search handed back the page token "more" again/,
    );
    expect(r.text).not.toMatch(/PASS|improved/);
  }, 60_000);

  it('a server whose runs/search lists each run on two pages: the run counts once', async () => {
    const uri = await searchProxy('twice');
    // Every artifact; the model of every other node only.
    const pipeline = PIPELINE.replace('work:', 'modelNodes: {count: 4, modelsPerNode: 1, bytes: 32}, work:');
    const halfModels = hook('(files) => files', '(node, models) => (node.index % 2 ? [] : models)');
    const r = await scenario('twice', halfModels, { uri, pipeline })();
    expect(r.code, r.text).toBe(1);
    expect(r.text).toMatch(/lost 2 of 4 models/);
    expect(r.text).toMatch(/models produced \/ delivered \/ lost │ 4 \/ 2 \/ 2 /);
  }, 60_000);

  it('a hook that registers every other model twice and the rest never: models lost', async () => {
    const pipeline = PIPELINE.replace('work:', 'modelNodes: {count: 4, modelsPerNode: 1, bytes: 32}, work:');
    const twice = hook('(files) => files', '(node, models) => (node.index % 2 ? [] : [...models, ...models])');
    const r = await scenario('twicemodels', twice, { pipeline })();
    expect(r.code, r.text).toBe(1);
    expect(r.text).toMatch(/models produced \/ delivered \/ lost │ 4 \/ 2 \/ 2 /);
  }, 60_000);

  it.each([
    // trace counts the same way (the real CLI: the hook's client and trace's in-process mock are both dist/'s)
    { what: 'run', call: 'deleteRun(run.run_id)', cold: [] },
    // Its run restored: live in a deleted experiment (as a file store leaves runs). --cold: a warm-up run would
    // leave the experiment deleted for the traced one.
    {
      what: 'experiment',
      call: 'deleteExperiment(run.experiment_id);\n      await client.restoreRun(run.run_id)',
      cold: ['--cold'],
    },
  ])(
    'a hook that deletes its $what once it logged everything: all lost (run and trace)',
    async ({ call, cold }) => {
      const deleting = hook('(files) => files').replace(
        "status: 'FINISHED', end_time: Date.now() });",
        `status: 'FINISHED', end_time: Date.now() });\n      await client.${call};`,
      );
      const r = await scenario('deleting', deleting)();
      expect(r.code, r.text).toBe(1);
      expect(r.text).toMatch(/lost 4 of 4 params, 4 of 4 metrics, 8 of 8 artifacts/);
      const yaml = join(dirs[dirs.length - 1]!, 's.yaml');
      const t = spawnSync(process.execPath, ['bin/trackbench.js', 'trace', yaml, ...cold, '--format', 'json'], {
        encoding: 'utf8',
      });
      expect(t.status, t.stderr).toBe(1);
      const lost = (JSON.parse(t.stdout) as { lost: { params: number; metrics: number; artifacts: number } }).lost;
      expect(lost).toMatchObject({ params: 4, metrics: 4, artifacts: 8 });
    },
    60_000,
  );

  it('a read-back that fails in the warm-up trial: unverifiable, never "all delivered"', async () => {
    const uri = await searchProxy('fail-look');
    const r = await scenario('once', ONCE, { uri, trials: WARMUP })();
    expect(r.code, r.text).toBe(1);
    expect(r.text).toMatch(/unverifiable: the tracking server could not be read back/);
    expect(r.text).not.toMatch(/PASS|all delivered/);
  }, 60_000);

  it('a read-back failing before the first trial: runs already on the server are not taken for its', async () => {
    // The first run leaves a run with every value on the server; the second's look before its trials fails.
    const uri = await searchProxy('fail-look', 3);
    const run = scenario('before', ONCE, { uri });
    const first = await run();
    expect(first.code, first.text).toBe(0);
    const r = await run();
    expect(r.code, r.text).toBe(1);
    expect(r.text).toMatch(
      /unverifiable: the tracking server could not be read back before this trial \(.*500.*\): its runs are not told/,
    );
    expect(r.text).not.toMatch(/PASS|all delivered/);
  }, 60_000);

  it('one failed read-back request is tried again: a healthy run is not failed for it', async () => {
    const uri = await searchProxy('fail-one');
    const r = await scenario('one', HEALTHY, { uri, trials: WARMUP })();
    expect(r.code, r.text).toBe(0);
    expect(r.text).not.toMatch(/unverifiable/);
  }, 60_000);

  it('a warm-up trial whose files cannot be read back: unverifiable, though it lost its params', async () => {
    // In its first trial (no experiment yet) it logs files only, then everything.
    const firstFilesOnly = hook(
      '(files) => files',
      '() => []',
      `(await fetch(new URL('/api/2.0/mlflow/experiments/get-by-name?experiment_name=' + ctx.scenarioName, ` +
        `ctx.trackingUri))).status === 200`,
    );
    const uri = await searchProxy('fail-download');
    const r = await scenario('files', firstFilesOnly, { uri, trials: WARMUP })();
    expect(r.code, r.text).toBe(1);
    expect(r.text).toMatch(/unverifiable: the tracking server's artifacts could not be read/);
    expect(r.text).not.toMatch(/PASS|all delivered/);
  }, 60_000);
});

/** A live run with the artifact root `artifactUri` and `files`, no values. */
const state = (artifactUri: string, files: FileInfo[]): RunState => ({
  run: {
    info: {
      run_id: 'r',
      run_uuid: 'r',
      run_name: 'r',
      experiment_id: '1',
      user_id: '',
      status: 'FINISHED',
      start_time: 1,
      artifact_uri: artifactUri,
      lifecycle_stage: 'active',
    },
    data: {},
  },
  metricHistory: {},
  artifacts: files,
  modelVersions: [],
  loggedModels: [],
  logModelHistory: [],
});

describe('metric values are matched by key and step where the keys are known', () => {
  it('a built-in whose values reach the server all under one key: every metric lost, params delivered', async () => {
    const uri = await searchProxy('one-key');
    for (const h of ['reference', 'kedro-mlflow-like']) {
      const r = await scenario(`onekey-${h}`, HEALTHY, { uri, hooks: `[${h}]` })();
      expect(r.code, r.text).toBe(1);
      expect(r.text).toMatch(/lost 4 of 4 metrics/);
      expect(r.text).not.toMatch(/of 4 params/);
    }
  }, 60_000);

  it('the keys are known for the tracking built-ins and kedro-mlflow, not for a module, a command or a plugin', () => {
    const ref = (name: string, plugin?: string): HookRef => ({
      name,
      label: name,
      options: {},
      ...(plugin ? { kedro: { plugin, kedro: '1.7.0', packages: [] } } : {}),
    });
    for (const name of ['reference', 'naive', 'kedro-mlflow-like']) expect(metricKeysKnown(ref(name))).toBe(true);
    for (const plugin of ['kedro-mlflow==2.0.3', 'kedro_mlflow>=0.14', 'kedro-mlflow'])
      expect(metricKeysKnown(ref(`kedro:${plugin}`, plugin)), plugin).toBe(true);
    for (const name of ['recorder', 'module:./hook.mjs', 'command:python run.py'])
      expect(metricKeysKnown(ref(name))).toBe(false);
    for (const plugin of ['kedro-mlflow-fork==1.0', '.', 'kedro-example-tracker'])
      expect(metricKeysKnown(ref(`kedro:${plugin}`, plugin)), plugin).toBe(false);
    // kedro-mlflow installed but its plugins turned off by the hook's env: only the hook's own keys are logged
    const off = { ...ref('kedro:kedro-mlflow', 'kedro-mlflow==2.0.3'), env: { TRACKBENCH_KEDRO_PLUGINS: 'off' } };
    expect(metricKeysKnown(off)).toBe(false);
  });

  const m = (key: string, value: number, step = 0): Metric => ({ key, value, step, timestamp: 1 });
  const withMetrics = (metrics: Metric[]): RunState => {
    const history: Record<string, Metric[]> = {};
    for (const m of metrics) (history[m.key] ??= []).push(m);
    return { ...state('mlflow-artifacts:/1/r/artifacts', []), metricHistory: history };
  };
  const produced = [
    { key: 'a.loss_0', step: 0, value: 0.5 },
    { key: 'a.loss_0', step: 1, value: 0.25 },
    { key: 'b.loss_0', step: 0, value: 0.75 },
  ];

  it.each([
    {
      what: 'as produced',
      stored: [m('a.loss_0', 0.5), m('a.loss_0', 0.25, 1), m('b.loss_0', 0.75)],
      byKey: 3,
      byValue: 3,
    },
    { what: 'all under one key', stored: [m('m', 0.5), m('m', 0.25, 1), m('m', 0.75)], byKey: 0, byValue: 3 },
    {
      what: 'keys swapped between nodes',
      stored: [m('b.loss_0', 0.5), m('b.loss_0', 0.25, 1), m('a.loss_0', 0.75)],
      byKey: 0,
      byValue: 3,
    },
    {
      what: 'steps swapped',
      stored: [m('a.loss_0', 0.5, 1), m('a.loss_0', 0.25), m('b.loss_0', 0.75)],
      byKey: 1,
      byValue: 3,
    },
    {
      what: 'one value twice, one never',
      stored: [m('a.loss_0', 0.5), m('a.loss_0', 0.5), m('b.loss_0', 0.75)],
      byKey: 2,
      byValue: 2,
    },
  ])(
    '$what: $byKey found by key, $byValue by value alone (a hook whose keys are not known)',
    ({ stored, byKey, byValue }) => {
      expect(metricValuesFound(produced, [withMetrics(stored)], true)).toBe(byKey);
      expect(metricValuesFound(produced, [withMetrics(stored)], false)).toBe(byValue);
    },
  );
});

describe('artifact files in a store the server does not proxy', () => {
  // Nothing answers there: a download would fail the count.
  const client = new MlflowClient({ trackingUri: 'http://127.0.0.1:1', retry: { maxRetries: 0 } });
  const produced = [
    { bytes: 300, fill: 7 },
    { bytes: 300, fill: 9 },
    { bytes: 50, fill: 1 },
  ];
  const file = (path: string, size: number): FileInfo => ({ path, is_dir: false, file_size: size });

  it('are matched by size, each once, not downloaded (a healthy plugin writing to s3:// is not failed)', async () => {
    const s3 = state('s3://bucket/1/r/artifacts', [file('a/x', 300), file('b/y', 300), file('c/z', 50)]);
    expect(await artifactsFound(client, produced, [s3])).toBe(3);
    // a file of no produced size, and one more of a size already matched, count for nothing
    const extra = state('file:///srv/mlruns/1/r/artifacts', [file('a/x', 300), file('a/x2', 300), file('a/x3', 300)]);
    expect(await artifactsFound(client, produced, [extra])).toBe(2);
    expect(await artifactsFound(client, produced, [state('s3://b/r', [file('conf.yml', 123)])])).toBe(0);
  });
});

/** A log-batch or log-metric request's body with every metric key made `all`; any other request's as it is. */
function allUnderOneKey(url: string, body: Buffer): Buffer {
  if (!/\/runs\/log-(batch|metric)$/.test(url)) return body;
  const sent = JSON.parse(body.toString()) as { key?: string; metrics?: { key: string }[] };
  if (sent.key !== undefined) sent.key = 'all';
  for (const m of sent.metrics ?? []) m.key = 'all';
  return Buffer.from(JSON.stringify(sent));
}

/** A failed look: the read-back's request and its retries (server-values.ts) all answered with a 500. */
const LOOK_ATTEMPTS = READ_BACK_RETRY.maxRetries + 1;

/**
 * The mock MLflow behind a proxy that answers runs/search wrongly: `endless` answers every page with a next page
 * token; `twice` answers the first page with a token and the second page with the same runs again; `fail-look`
 * answers search number `failing` and its retries with a 500 (the 2nd: the first trial's read-back, after the one
 * before the trials), `fail-one` only search number `failing`; `fail-download` answers the first artifact download
 * and its retries with a 500; `one-key` passes every metric value on under the key `all` (allUnderOneKey).
 */
async function searchProxy(
  mode: 'endless' | 'twice' | 'fail-look' | 'fail-one' | 'fail-download' | 'one-key',
  failing = 2,
): Promise<string> {
  const mock: HttpMock = await startHttpMock();
  let searches = 0;
  let downloads = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const search = req.url?.includes('/runs/search');
      const attempts = mode === 'fail-one' ? 1 : LOOK_ATTEMPTS;
      const failsLooks = mode === 'fail-look' || mode === 'fail-one';
      if (search && failsLooks && ++searches >= failing && searches < failing + attempts) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error_code": "INTERNAL_ERROR"}');
        return;
      }
      const download = req.method === 'GET' && req.url?.includes('/mlflow-artifacts/artifacts/');
      if (download && mode === 'fail-download' && ++downloads <= LOOK_ATTEMPTS) {
        res.writeHead(500, { 'content-type': 'application/json' }).end('{"error_code": "INTERNAL_ERROR"}');
        return;
      }
      const token = search ? (JSON.parse(body.toString() || '{}') as { page_token?: string }).page_token : undefined;
      const forward =
        search && token
          ? Buffer.from(JSON.stringify({ ...JSON.parse(body.toString()), page_token: undefined }))
          : mode === 'one-key'
            ? allUnderOneKey(req.url ?? '', body)
            : body;
      const up = request(
        `${mock.trackingUri}${req.url ?? '/'}`,
        { method: req.method, headers: { ...req.headers, 'content-length': String(forward.length) } },
        (answer) => {
          const got: Buffer[] = [];
          answer.on('data', (c: Buffer) => got.push(c));
          answer.on('end', () => {
            let out = Buffer.concat(got);
            if (search && answer.statusCode === 200) {
              const page = JSON.parse(out.toString() || '{}') as Record<string, unknown>;
              if (mode.startsWith('fail-'))
                return void res.writeHead(answer.statusCode ?? 502, answer.headers).end(out);
              if (mode === 'endless' || !token) page.next_page_token = 'more';
              else delete page.next_page_token;
              out = Buffer.from(JSON.stringify(page));
            }
            const headers = { ...answer.headers, 'content-length': String(out.length) };
            res.writeHead(answer.statusCode ?? 502, headers).end(out);
          });
        },
      );
      up.on('error', () => res.writeHead(502).end());
      up.end(forward);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  stops.push(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await mock.stop();
  });
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}
