import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpMock } from '../src/backends/mock/http-server.ts';
import { startInProcessMock, type InProcessMock } from '../src/backends/mock/in-process.ts';
import { credentialsFromEnv, displayUri, redact } from '../src/mlflow/auth.ts';
import { MlflowClient } from '../src/mlflow/client.ts';
import { readRun } from '../src/mlflow/readback.ts';
import { MlflowApiError, MlflowNetworkError } from '../src/mlflow/errors.ts';
import { backoffMs, retryPolicyFromEnv } from '../src/mlflow/retry.ts';
import type { HttpRequest, HttpResponse, Transport } from '../src/mlflow/transport.ts';
import { freePort } from '../src/backends/local-server.ts';

describe('MlflowClient against the in-process mock (msw)', () => {
  let backend: InProcessMock;
  let client: MlflowClient;
  beforeAll(async () => {
    backend = await startInProcessMock();
    client = new MlflowClient({ trackingUri: backend.trackingUri, retry: { maxRetries: 0 } });
  });
  afterAll(async () => {
    client.close();
    await backend.stop();
  });

  it('covers experiments: get-or-create, get, get-by-name, search', async () => {
    const id = await client.getOrCreateExperiment('client-exp');
    expect(await client.getOrCreateExperiment('client-exp')).toBe(id);
    expect((await client.getExperiment(id)).name).toBe('client-exp');
    expect((await client.getExperimentByName('client-exp')).experiment_id).toBe(id);
    expect(await client.createExperiment({ name: 'client-exp-2', tags: [{ key: 'a', value: 'b' }] })).not.toBe(id);
    const found = await client.searchExperiments({ max_results: 10 });
    expect(found.experiments.map((e) => e.name)).toEqual(
      expect.arrayContaining(['client-exp', 'client-exp-2', 'Default']),
    );
  });

  it('covers runs: create, update, get, search (all pages), delete, restore', async () => {
    const exp = await client.getOrCreateExperiment('client-runs');
    const runs = [];
    for (let i = 0; i < 5; i++)
      runs.push(await client.createRun({ experiment_id: exp, run_name: `r${i}`, start_time: 1000 + i }));
    expect(runs[0]!.info.status).toBe('RUNNING');
    const info = await client.updateRun({ run_id: runs[0]!.info.run_id, status: 'FINISHED', end_time: 5000 });
    expect(info).toMatchObject({ status: 'FINISHED', end_time: 5000 });
    expect((await client.getRun(runs[0]!.info.run_id)).info.status).toBe('FINISHED');
    const page = await client.searchRuns({ experiment_ids: [exp], max_results: 2 });
    expect(page.runs.map((r) => r.info.run_name)).toEqual(['r4', 'r3']);
    expect(page.next_page_token).toBeDefined();
    expect((await client.searchAllRuns({ experiment_ids: [exp] })).map((r) => r.info.run_name)).toEqual([
      'r4',
      'r3',
      'r2',
      'r1',
      'r0',
    ]);
    await client.deleteRun(runs[1]!.info.run_id);
    expect((await client.searchAllRuns({ experiment_ids: [exp] })).length).toBe(4);
    await client.restoreRun(runs[1]!.info.run_id);
    expect((await client.searchAllRuns({ experiment_ids: [exp], filter: "attributes.run_name = 'r1'" })).length).toBe(
      1,
    );
  });

  it('covers logging: batch, metric, parameter, tag, delete-tag, metric history', async () => {
    const exp = await client.getOrCreateExperiment('client-log');
    const run = (await client.createRun({ experiment_id: exp })).info.run_id;
    await client.logBatch({
      run_id: run,
      params: [{ key: 'a', value: '1' }],
      tags: [{ key: 't', value: 'x' }],
      metrics: [{ key: 'm', value: 1, timestamp: 1, step: 0 }],
    });
    await client.logMetric({ run_id: run, key: 'm', value: 2, timestamp: 2, step: 1 });
    await client.logParam({ run_id: run, key: 'b', value: '2' });
    await client.setTag({ run_id: run, key: 'u', value: 'y' });
    await client.deleteTag({ run_id: run, key: 't' });
    const got = await client.getRun(run);
    expect(got.data.params).toEqual([
      { key: 'a', value: '1' },
      { key: 'b', value: '2' },
    ]);
    expect(got.data.tags?.map((t) => t.key).sort()).toEqual(['mlflow.runName', 'u']);
    expect((await client.getMetricHistory(run, 'm')).metrics.map((m) => m.value)).toEqual([1, 2]);
  });

  it('sends NaN and the infinities as MLflow reads them and reads them back as MLflow keeps them', async () => {
    const exp = await client.getOrCreateExperiment('client-non-finite');
    const run = (await client.createRun({ experiment_id: exp })).info.run_id;
    const mark = backend.requestLog.mark();
    await client.logBatch({
      run_id: run,
      metrics: [NaN, Infinity, -Infinity].map((value, step) => ({ key: 'loss', value, timestamp: 1 + step, step })),
      // a tag whose text is "NaN" is text, sent and read back as such
      tags: [{ key: 'why', value: 'NaN' }],
    });
    await client.logMetric({ run_id: run, key: 'diverged', value: NaN, timestamp: 5 });
    expect(backend.requestLog.since(mark).map((r) => `${r.endpoint} ${r.status}`)).toEqual([
      'runs/log-batch 200',
      'runs/log-metric 200',
    ]);
    const history = (await client.getMetricHistory(run, 'loss')).metrics.map((m) => m.value);
    expect(history).toEqual([NaN, Number.MAX_VALUE, -Number.MAX_VALUE]);
    const got = await client.getRun(run);
    expect(got.data.metrics?.find((m) => m.key === 'diverged')?.value).toBeNaN();
    expect(got.data.tags?.find((t) => t.key === 'why')?.value).toBe('NaN');
    const found = await client.searchRuns({ experiment_ids: [exp] });
    expect(found.runs[0]!.data.metrics?.find((m) => m.key === 'loss')?.value).toBe(-Number.MAX_VALUE);
  });

  it('writes non-finite numbers as protobuf-JSON strings, never null', async () => {
    const seen: string[] = [];
    // eslint-disable-next-line @typescript-eslint/require-await
    const transport: Transport = async (req) => {
      seen.push(req.body?.toString('utf8') ?? '');
      return { status: 200, contentType: 'application/json', body: Buffer.from('{}') };
    };
    const c = new MlflowClient({ trackingUri: 'http://127.0.0.1:9', transport, retry: { maxRetries: 0 } });
    await c.logMetric({ run_id: 'r', key: 'm', value: -Infinity, timestamp: 1 });
    expect(JSON.parse(seen[0]!)).toMatchObject({ value: '-Infinity' });
    expect(seen[0]).not.toContain('null');
  });

  it('covers artifacts: upload through mlflow-artifacts, list', async () => {
    const exp = await client.getOrCreateExperiment('client-art');
    const run = await client.createRun({ experiment_id: exp });
    await client.uploadArtifact(run.info.artifact_uri, 'models/m.bin', Buffer.alloc(1234, 1));
    await client.uploadArtifact(run.info.artifact_uri, 'notes.txt', Buffer.from('hi'));
    expect((await client.listArtifacts(run.info.run_id)).files).toEqual([
      { path: 'models', is_dir: true },
      { path: 'notes.txt', is_dir: false, file_size: 2 },
    ]);
    expect((await client.listArtifacts(run.info.run_id, 'models')).files).toEqual([
      { path: 'models/m.bin', is_dir: false, file_size: 1234 },
    ]);
    await expect(client.uploadArtifact('/local/path', 'x', Buffer.from('x'))).rejects.toThrow(/proxied artifact store/);
  });

  it('covers the registry: registered models (create, get, search) and model versions', async () => {
    await client.createRegisteredModel({ name: 'client-model', description: 'd' });
    const v1 = await client.createModelVersion({ name: 'client-model', source: 'mlflow-artifacts:/1/x/artifacts/m' });
    const v2 = await client.createModelVersion({ name: 'client-model', source: 'mlflow-artifacts:/1/x/artifacts/m2' });
    expect([v1.version, v2.version]).toEqual(['1', '2']);
    expect((await client.getRegisteredModel('client-model')).latest_versions?.[0]?.version).toBe('2');
    expect((await client.searchRegisteredModels({ filter: "name='client-model'" })).registered_models).toHaveLength(1);
  });

  it('reads every page back: model versions and metric history a value a page', async () => {
    const exp = await client.getOrCreateExperiment('client-pages');
    const runId = (await client.createRun({ experiment_id: exp, run_name: 'paged' })).info.run_id;
    await client.createRegisteredModel({ name: 'paged-model' });
    const sources = ['a', 'b', 'c'].map((m) => `mlflow-artifacts:/${exp}/${runId}/artifacts/${m}`);
    for (const source of sources) await client.createModelVersion({ name: 'paged-model', source, run_id: runId });
    await client.logBatch({
      run_id: runId,
      metrics: [1, 2, 3].map((value, step) => ({ key: 'm', value, timestamp: 1000 + step, step })),
    });
    // A server that pages at one item: readRun must follow every token, as against a server with a small page size.
    class OneAPage extends MlflowClient {
      override searchModelVersions(req: Parameters<MlflowClient['searchModelVersions']>[0] = {}) {
        return super.searchModelVersions({ ...req, max_results: 1 });
      }
      override getMetricHistory(id: string, key: string, page: { page_token?: string } = {}) {
        return super.getMetricHistory(id, key, { ...page, max_results: 1 });
      }
    }
    const paged = new OneAPage({ trackingUri: backend.trackingUri, retry: { maxRetries: 0 } });
    try {
      expect((await paged.searchModelVersions({ filter: `run_id='${runId}'` })).next_page_token).toBeDefined();
      const state = await readRun(paged, runId);
      expect(state.modelVersions.map((v) => v.source).sort()).toEqual(sources);
      expect(state.metricHistory['m']!.map((m) => m.value)).toEqual([1, 2, 3]);
    } finally {
      paged.close();
    }
  });

  it('raises typed errors carrying error_code, HTTP status and the server message', async () => {
    const err = await client.getRun('doesnotexist').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlflowApiError);
    expect(err).toMatchObject({
      errorCode: 'RESOURCE_DOES_NOT_EXIST',
      status: 404,
      serverMessage: 'Run with id=doesnotexist not found',
      endpoint: 'runs/get',
    });
    await client.createRegisteredModel({ name: 'dup-model' });
    await expect(client.createRegisteredModel({ name: 'dup-model' })).rejects.toMatchObject({
      errorCode: 'RESOURCE_ALREADY_EXISTS',
      status: 400,
    });
    const exp = await client.getOrCreateExperiment('client-err');
    const run = (await client.createRun({ experiment_id: exp })).info.run_id;
    const params = Array.from({ length: 101 }, (_, i) => ({ key: `p${i}`, value: 'v' }));
    await expect(client.logBatch({ run_id: run, params })).rejects.toMatchObject({
      errorCode: 'INVALID_PARAMETER_VALUE',
      status: 400,
    });
  });

  it("is counted by the backend's request log, one record per request", async () => {
    const mark = backend.requestLog.mark();
    await client.getOrCreateExperiment('client-count');
    await client.getOrCreateExperiment('client-count');
    expect(backend.requestLog.since(mark).map((r) => `${r.endpoint} ${r.status}`)).toEqual([
      'experiments/get-by-name 404',
      'experiments/create 200',
      'experiments/get-by-name 200',
    ]);
  });
});

/** A transport that answers from a script and records what it was asked. */
function scripted(statuses: (number | 'refused')[]): Transport & { calls: HttpRequest[] } {
  const calls: HttpRequest[] = [];
  // async so that a scripted refusal is a rejection, as it is from fetch
  // eslint-disable-next-line @typescript-eslint/require-await
  const t = async (req: HttpRequest): Promise<HttpResponse> => {
    calls.push(req);
    const s = statuses[Math.min(calls.length - 1, statuses.length - 1)]!;
    if (s === 'refused') throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
    const body =
      s === 200
        ? '{}'
        : JSON.stringify({ error_code: 'X', message: `status ${s}; auth was ${req.headers.authorization ?? 'none'}` });
    return { status: s, contentType: 'application/json', body: Buffer.from(body) };
  };
  return Object.assign(t, { calls });
}

describe('retries', () => {
  const fast = { maxRetries: 3, backoffFactor: 0.001, backoffJitter: 0.001 };

  for (const status of [408, 429, 500, 502, 503, 504]) {
    it(`retries ${status} and succeeds when the server recovers`, async () => {
      const t = scripted([status, status, 200]);
      const c = new MlflowClient({ trackingUri: 'http://x.invalid', transport: t, retry: fast });
      await c.setTag({ run_id: 'r', key: 'k', value: 'v' });
      expect(t.calls).toHaveLength(3);
      expect(c.stats).toEqual({ requests: 3, retries: 2, failures: 0 });
    });
  }

  for (const status of [400, 401, 403, 404]) {
    it(`does not retry ${status}`, async () => {
      const t = scripted([status, 200]);
      const c = new MlflowClient({ trackingUri: 'http://x.invalid', transport: t, retry: fast });
      await expect(c.setTag({ run_id: 'r', key: 'k', value: 'v' })).rejects.toBeInstanceOf(MlflowApiError);
      expect(t.calls).toHaveLength(1);
    });
  }

  it('gives up after maxRetries + 1 attempts, saying how many', async () => {
    const t = scripted([503]);
    const c = new MlflowClient({ trackingUri: 'http://x.invalid', transport: t, retry: fast });
    await expect(c.setTag({ run_id: 'r', key: 'k', value: 'v' })).rejects.toMatchObject({ status: 503, attempts: 4 });
    expect(t.calls).toHaveLength(4);
  });

  it('retries connection errors and then raises a typed network error', async () => {
    const port = await freePort(); // nothing listens here
    const c = new MlflowClient({ trackingUri: `http://127.0.0.1:${port}`, retry: { ...fast, maxRetries: 2 } });
    const err = await c.getRun('r').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MlflowNetworkError);
    expect(err).toMatchObject({ code: 'ECONNREFUSED', attempts: 3 });
    c.close();
  });

  it('backs off exponentially within bounds: factor * 2^(n-1) + [0, jitter), capped', () => {
    const p = { maxRetries: 7, backoffFactor: 2, backoffJitter: 1, maxBackoff: 60, timeout: 120 };
    expect([1, 2, 3, 4].map((n) => backoffMs(p, n, 0))).toEqual([2000, 4000, 8000, 16000]);
    expect(backoffMs(p, 3, 0.999)).toBeLessThan(9000);
    expect(backoffMs(p, 3, 0.999)).toBeGreaterThan(8900);
    expect(backoffMs(p, 10, 0)).toBe(60_000);
  });

  it("reads MLflow's retry environment variables, ignoring nonsense", () => {
    const p = retryPolicyFromEnv({
      MLFLOW_HTTP_REQUEST_MAX_RETRIES: '7',
      MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR: '2',
      MLFLOW_HTTP_REQUEST_TIMEOUT: 'soon',
    });
    expect(p).toMatchObject({ maxRetries: 7, backoffFactor: 2, timeout: 30 });
  });
});

describe('credentials', () => {
  const TOKEN = 'tok-5ecret-abcdef';

  it('sends Bearer from MLFLOW_TRACKING_TOKEN, Basic from username + password (which wins)', async () => {
    const t = scripted([200]);
    await new MlflowClient({
      trackingUri: 'http://x.invalid',
      transport: t,
      credentials: credentialsFromEnv({ MLFLOW_TRACKING_TOKEN: TOKEN }),
    }).setTag({ run_id: 'r', key: 'k', value: 'v' });
    expect(t.calls[0]!.headers.authorization).toBe(`Bearer ${TOKEN}`);
    const both = credentialsFromEnv({
      MLFLOW_TRACKING_TOKEN: TOKEN,
      MLFLOW_TRACKING_USERNAME: 'u',
      MLFLOW_TRACKING_PASSWORD: 'pw-secret',
    });
    expect(both.authorization).toBe(`Basic ${Buffer.from('u:pw-secret').toString('base64')}`);
    expect(credentialsFromEnv({}).authorization).toBeUndefined();
  });

  it('never shows a credential in an error message, even when the server echoes it', async () => {
    const t = scripted([400]);
    const c = new MlflowClient({
      trackingUri: 'http://x.invalid',
      transport: t,
      credentials: credentialsFromEnv({ MLFLOW_TRACKING_TOKEN: TOKEN }),
    });
    const err = (await c.setTag({ run_id: 'r', key: 'k', value: 'v' }).catch((e: unknown) => e)) as Error;
    expect(err.message).toContain('auth was Bearer ***');
    expect(err.message).not.toContain(TOKEN);
  });

  it('takes userinfo out of the tracking URI and never prints it', async () => {
    const port = await freePort();
    const c = new MlflowClient({ trackingUri: `http://alice:pa55word-x@127.0.0.1:${port}`, retry: { maxRetries: 0 } });
    const err = (await c.getRun('r').catch((e: unknown) => e)) as Error;
    expect(err.message).not.toContain('pa55word-x');
    expect(redact('see http://alice:pa55word-x@host/x', [])).toBe('see http://***@host/x');
    // a credential in a fragment (OAuth's implicit flow puts one there), and any fragment of a tracking URI
    expect(redact('see http://host/x#access_token=pa55word-x&s=1', [])).toBe('see http://host/x#access_token=***&s=1');
    expect(displayUri('http://host:5000/#pa55word-x')).toBe('http://host:5000/#***');
    c.close();
  });
});

describe('connections', () => {
  it('reuses one keep-alive connection for sequential requests', async () => {
    const server = await startHttpMock();
    const c = new MlflowClient({ trackingUri: server.trackingUri });
    const exp = await c.getOrCreateExperiment('keepalive');
    for (let i = 0; i < 30; i++) await c.getExperiment(exp);
    expect(server.requestLog.size).toBe(32);
    expect(server.connections()).toBe(1);
    c.close();
    await server.stop();
  });
});
