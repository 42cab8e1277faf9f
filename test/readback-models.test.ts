// Read-back sees models however the client logged them: MLflow 3's logged models (files under the
// model's own location, linked by source_run_id) and MLflow 2's runs/log-model history in the run.
// The requests are the ones MLflow's clients send (see test/contract/model-cases.ts for the server side).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpMock, type HttpMock } from '../src/backends/mock/http-server.ts';
import { startInProcessMock } from '../src/backends/mock/in-process.ts';
import { summarizeRequests } from '../src/backends/mock/request-log.ts';
import { MlflowClient } from '../src/mlflow/client.ts';
import { readRun, type RunState } from '../src/mlflow/readback.ts';
import type { LoggedModel } from '../src/mlflow/wire.ts';

let mock: HttpMock;
let client: MlflowClient;

async function call<T>(method: string, endpoint: string, body: object): Promise<T> {
  const res = await fetch(`${mock.trackingUri}/api/2.0/mlflow/${endpoint}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(200);
  // the mock's JSON answer
  return (await res.json()) as T;
}

beforeAll(async () => {
  mock = await startHttpMock();
  client = new MlflowClient({ trackingUri: mock.trackingUri, retry: { maxRetries: 0 } });
});
afterAll(async () => {
  client.close();
  await mock.stop();
});

describe('read-back of models', () => {
  let state: RunState;
  let model: LoggedModel;
  beforeAll(async () => {
    const experimentId = await client.createExperiment({ name: 'readback-models' });
    const run = await client.createRun({ experiment_id: experimentId, start_time: 1 });
    const runId = run.info.run_id;
    // MLflow 3: a logged model of the run, its files under its own location, registered by model_id.
    ({ model } = await call<{ model: LoggedModel }>('POST', 'logged-models', {
      experiment_id: experimentId,
      name: 'm3',
      source_run_id: runId,
    }));
    const id = model.info.model_id;
    await client.uploadArtifact(model.info.artifact_uri, 'MLmodel', Buffer.from('flavors: {}\n'));
    await client.uploadArtifact(model.info.artifact_uri, 'data/model.pkl', Buffer.alloc(100, 7));
    await call('PATCH', `logged-models/${id}`, { model_id: id, status: 'LOGGED_MODEL_READY' });
    await call('POST', 'runs/outputs', { run_id: runId, models: [{ model_id: id, step: 0 }] });
    await client.createRegisteredModel({ name: 'reg-3' });
    await call('POST', 'model-versions/create', { name: 'reg-3', source: `models:/${id}`, model_id: id });
    // MLflow 2: files in the run, a record in its history tag, a version whose source is in the run.
    await client.uploadArtifact(run.info.artifact_uri, 'models/m2/MLmodel', Buffer.from('flavors: {}\n'));
    const mlmodel = { run_id: runId, artifact_path: 'models/m2', utc_time_created: 'now', flavors: { f: {} } };
    await call('POST', 'runs/log-model', { run_id: runId, model_json: JSON.stringify(mlmodel) });
    await client.createRegisteredModel({ name: 'reg-2' });
    await client.createModelVersion({ name: 'reg-2', source: `${run.info.artifact_uri}/models/m2`, run_id: runId });
    state = await readRun(client, runId);
  });

  it("finds the run's logged model with every file under its location", () => {
    expect(state.loggedModels.map((m) => m.model.info.model_id)).toEqual([model.info.model_id]);
    expect(state.loggedModels[0]!.model.info.status).toBe('LOGGED_MODEL_READY');
    expect(state.loggedModels[0]!.files.map((f) => [f.path, f.file_size])).toEqual([
      ['MLmodel', 12],
      ['data/model.pkl', 100],
    ]);
  });

  it('reads the MLflow 2 history tag, and keeps model files out of the run of the MLflow 3 model', () => {
    expect(state.logModelHistory.map((e) => e.artifact_path)).toEqual(['models/m2']);
    expect(state.artifacts.map((f) => f.path)).toEqual(['models/m2/MLmodel']);
  });

  it('links both versions to the run: the MLflow 3 one through the logged model', () => {
    const byName = Object.fromEntries(state.modelVersions.map((v) => [v.name, v]));
    expect(byName['reg-3']).toMatchObject({ source: `models:/${model.info.model_id}`, run_id: state.run.info.run_id });
    expect(byName['reg-2']?.run_id).toBe(state.run.info.run_id);
  });

  it('counts every logged model request under one endpoint, whatever the id', () => {
    const s = summarizeRequests(mock.requestLog.since(0));
    expect(s.byEndpoint['logged-models/{model_id}']).toBe(1);
    expect(s.byEndpoint['logged-models/{model_id}/artifacts/directories']).toBeGreaterThanOrEqual(2);
    expect(Object.keys(s.byEndpoint).filter((e) => /m-[0-9a-f]{32}/.test(e))).toEqual([]);
  });
});

describe('logged-model routes in-process (msw spells `{model_id}` as `:model_id`)', () => {
  it('serves create, get by id, tags by id and an unknown id as over HTTP', async () => {
    const inProcess = await startInProcessMock();
    try {
      const url = (endpoint: string): string => `${inProcess.trackingUri}/api/2.0/mlflow/${endpoint}`;
      const json = { 'content-type': 'application/json' };
      const created = await fetch(url('logged-models'), {
        method: 'POST',
        headers: json,
        body: JSON.stringify({ experiment_id: '0', name: 'in-process' }),
      });
      // the mock's JSON answer
      const { model } = (await created.json()) as { model: LoggedModel };
      const id = model.info.model_id;
      const tagged = await fetch(url(`logged-models/${id}/tags`), {
        method: 'PATCH',
        headers: json,
        body: JSON.stringify({ tags: [{ key: 'k', value: 'v' }] }),
      });
      expect(tagged.status).toBe(200);
      const got = await fetch(url(`logged-models/${id}`));
      // the mock's JSON answer
      expect(((await got.json()) as { model: LoggedModel }).model.info.tags).toEqual([{ key: 'k', value: 'v' }]);
      const missing = await fetch(url('logged-models/m-0123456789abcdef0123456789abcdef'));
      expect(missing.status).toBe(404);
      expect(summarizeRequests(inProcess.requestLog.since(0)).byEndpoint).toEqual({
        'logged-models': 1,
        'logged-models/{model_id}': 2,
        'logged-models/{model_id}/tags': 1,
      });
    } finally {
      await inProcess.stop();
    }
  });
});
