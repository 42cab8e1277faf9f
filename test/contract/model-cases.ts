// Contract cases for how models reach MLflow: MLflow 3's logged models (create, get, search,
// finalize, params, tags, artifacts under the model's own location, runs/outputs, model versions
// linked by model_id) and MLflow 2's runs/log-model (the run's `mlflow.log-model.history` tag).
import type { ContractCase, Step } from './cases.ts';

const API = '/api/2.0/mlflow';
const call = (method: Step['method'], endpoint: string, body?: unknown, extra: Partial<Step> = {}): Step => ({
  method,
  path: `${API}/${endpoint}`,
  ...(body === undefined ? {} : { body }),
  ...extra,
});
const setup = (name: string): Step[] => [
  call('POST', 'experiments/create', { name: `contract-${name}` }, { save: { exp: 'experiment_id' } }),
  call('POST', 'runs/create', { experiment_id: '{{exp}}', start_time: 1000 }, { save: { run: 'run.info.run_id' } }),
];
const createModel = (body: Record<string, unknown>, save = 'model'): Step =>
  call('POST', 'logged-models', { experiment_id: '{{exp}}', ...body }, { save: { [save]: 'model.info.model_id' } });
const getModel = (id = '{{model}}', query: Record<string, string> = {}): Step =>
  call('GET', `logged-models/${id}`, undefined, { query });
const UNKNOWN = 'm-0123456789abcdef0123456789abcdef';
const MLMODEL = (runId: string, path: string): string =>
  JSON.stringify({
    run_id: runId,
    artifact_path: path,
    utc_time_created: '2026-01-01 00:00:00.000000',
    flavors: { python_function: { loader_module: 'mlflow.pyfunc.model' } },
    model_uuid: '0123456789abcdef0123456789abcdef',
  });

export const MODEL_CASES: ContractCase[] = [
  {
    name: 'logged-model-create-and-get',
    steps: [
      ...setup('lm-create'),
      createModel({
        name: 'model_a',
        source_run_id: '{{run}}',
        model_type: 'pyfunc',
        params: [{ key: 'alpha', value: '0.5' }],
        tags: [{ key: 'team', value: 'ml' }],
      }),
      getModel(),
      createModel({}, 'unnamed'),
    ],
  },
  {
    name: 'logged-model-errors',
    steps: [
      ...setup('lm-errors'),
      call('POST', 'logged-models', {}),
      call('POST', 'logged-models', { experiment_id: '987654' }),
      call('POST', 'logged-models', { experiment_id: '{{exp}}', params: 'not-a-list' }),
      call('POST', 'logged-models', { experiment_id: '{{exp}}', params: [{ key: 'bad key!', value: '1' }] }),
      getModel(UNKNOWN),
      getModel('not-a-model-id'),
      call('PATCH', `logged-models/${UNKNOWN}`, { model_id: UNKNOWN, status: 'LOGGED_MODEL_READY' }),
      call('POST', `logged-models/${UNKNOWN}/params`, { model_id: UNKNOWN, params: [{ key: 'a', value: '1' }] }),
      call('PATCH', `logged-models/${UNKNOWN}/tags`, { tags: [{ key: 'a', value: '1' }] }),
      call('GET', `logged-models/${UNKNOWN}/artifacts/directories`),
      call('DELETE', `logged-models/${UNKNOWN}`),
    ],
  },
  {
    name: 'logged-model-finalize',
    steps: [
      ...setup('lm-finalize'),
      createModel({ name: 'model_f', source_run_id: '{{run}}' }),
      call('PATCH', 'logged-models/{{model}}', { model_id: '{{model}}' }),
      call('PATCH', 'logged-models/{{model}}', { model_id: '{{model}}', status: 'NOT_A_STATUS' }),
      call('PATCH', 'logged-models/{{model}}', { model_id: '{{model}}', status: 'LOGGED_MODEL_READY' }),
      call('PATCH', 'logged-models/{{model}}', { model_id: '{{model}}', status: 'LOGGED_MODEL_UPLOAD_FAILED' }),
      getModel(),
    ],
  },
  {
    name: 'logged-model-params-and-tags',
    steps: [
      ...setup('lm-params-tags'),
      createModel({ name: 'model_p', params: [{ key: 'a', value: '1' }] }),
      call('POST', 'logged-models/{{model}}/params', {
        model_id: '{{model}}',
        params: [
          { key: 'b', value: '2' },
          { key: 'c', value: '3' },
        ],
      }),
      call('PATCH', 'logged-models/{{model}}/tags', {
        tags: [
          { key: 't1', value: 'x' },
          { key: 't2', value: 'y' },
        ],
      }),
      call('PATCH', 'logged-models/{{model}}/tags', { tags: [{ key: 't1', value: 'z' }] }),
      call('DELETE', 'logged-models/{{model}}/tags/t2'),
      call('DELETE', 'logged-models/{{model}}/tags/t2'),
      getModel(),
    ],
  },
  {
    name: 'logged-model-search',
    steps: [
      ...setup('lm-search'),
      createModel({ name: 'first', source_run_id: '{{run}}' }, 'm1'),
      createModel({ name: 'second' }, 'm2'),
      createModel({ name: 'third', source_run_id: '{{run}}' }, 'm3'),
      call('POST', 'logged-models/search', { experiment_ids: ['{{exp}}'] }),
      call(
        'POST',
        'logged-models/search',
        { experiment_ids: ['{{exp}}'], max_results: 2 },
        { save: { t: 'next_page_token' } },
      ),
      call('POST', 'logged-models/search', { experiment_ids: ['{{exp}}'], max_results: 2, page_token: '{{t}}' }),
      call('POST', 'logged-models/search', { experiment_ids: ['{{exp}}'], filter: "name = 'second'" }),
      call('POST', 'logged-models/search', { experiment_ids: ['{{exp}}'], filter: "source_run_id = '{{run}}'" }),
      call('POST', 'logged-models/search', {}),
      call('DELETE', 'logged-models/{{m2}}'),
      getModel('{{m2}}'),
      getModel('{{m2}}', { allow_deleted: 'true' }),
      call('POST', 'logged-models/search', { experiment_ids: ['{{exp}}'] }),
    ],
  },
  {
    name: 'logged-model-artifacts',
    steps: [
      ...setup('lm-artifacts'),
      createModel({ name: 'model_art', source_run_id: '{{run}}' }),
      call('GET', 'logged-models/{{model}}/artifacts/directories'),
      {
        method: 'PUT',
        path: '/api/2.0/mlflow-artifacts/artifacts/{{exp}}/models/{{model}}/artifacts/MLmodel',
        raw: 'flavors: {}\n',
        contentType: 'application/octet-stream',
      },
      {
        method: 'PUT',
        path: '/api/2.0/mlflow-artifacts/artifacts/{{exp}}/models/{{model}}/artifacts/data/model.pkl',
        raw: 'pickled bytes',
        contentType: 'application/octet-stream',
      },
      call('GET', 'logged-models/{{model}}/artifacts/directories'),
      call('GET', 'logged-models/{{model}}/artifacts/directories', undefined, {
        query: { artifact_directory_path: 'data' },
      }),
      call('GET', 'artifacts/list', undefined, { query: { run_id: '{{run}}' } }),
    ],
  },
  {
    name: 'run-log-outputs',
    steps: [
      ...setup('lm-outputs'),
      createModel({ name: 'model_o', source_run_id: '{{run}}' }),
      call('POST', 'runs/outputs', { run_id: '{{run}}', models: [{ model_id: '{{model}}', step: 0 }] }),
      call('POST', 'runs/outputs', { run_id: 'doesnotexist', models: [{ model_id: '{{model}}', step: 0 }] }),
      call('POST', 'runs/outputs', { models: [{ model_id: '{{model}}', step: 0 }] }),
      call('GET', 'runs/get', undefined, { query: { run_id: '{{run}}' } }),
    ],
  },
  {
    name: 'model-version-from-logged-model',
    steps: [
      ...setup('lm-version'),
      createModel({ name: 'model_v', source_run_id: '{{run}}' }),
      call('POST', 'registered-models/create', { name: 'contract-model-lm' }),
      call('POST', 'model-versions/create', {
        name: 'contract-model-lm',
        source: 'models:/{{model}}',
        run_id: '{{run}}',
        model_id: '{{model}}',
      }),
      call('POST', 'model-versions/create', {
        name: 'contract-model-lm',
        source: 'models:/{{model}}',
        run_id: '{{run}}',
        model_id: UNKNOWN,
      }),
      call('POST', 'model-versions/create', {
        name: 'contract-model-lm',
        source: 'mlflow-artifacts:/{{exp}}/models/{{model}}/artifacts',
        run_id: '{{run}}',
        model_id: '{{model}}',
      }),
      // No run_id: the registry takes the logged model's source run.
      call('POST', 'model-versions/create', { name: 'contract-model-lm', source: 'models:/{{model}}' }),
      call('POST', 'model-versions/create', { name: 'contract-model-lm', source: `models:/${UNKNOWN}` }),
      call('POST', 'model-versions/create', {
        name: 'contract-model-lm',
        source: 's3://bucket/elsewhere',
        model_id: UNKNOWN,
      }),
      getModel(),
      call('GET', 'model-versions/search', undefined, { query: { filter: "run_id='{{run}}'" } }),
    ],
  },
  {
    // MLflow 3 logs a run's metrics again when a model is logged in it: exact repeats are kept once.
    name: 'metric-exact-repeats',
    steps: [
      ...setup('metric-repeats'),
      call('POST', 'runs/log-metric', { run_id: '{{run}}', key: 'm', value: 0.5, timestamp: 10, step: 1 }),
      call('POST', 'runs/log-metric', { run_id: '{{run}}', key: 'm', value: 0.5, timestamp: 10, step: 1 }),
      call('POST', 'runs/log-batch', {
        run_id: '{{run}}',
        metrics: [
          { key: 'm', value: 0.5, timestamp: 10, step: 1 },
          { key: 'm', value: 0.5, timestamp: 11, step: 1 },
          { key: 'm', value: 0.6, timestamp: 10, step: 1 },
          { key: 'm', value: 0.5, timestamp: 10, step: 2 },
        ],
      }),
      call('GET', 'metrics/get-history', undefined, { query: { run_id: '{{run}}', metric_key: 'm' } }),
    ],
  },
  {
    name: 'run-log-model',
    steps: [
      ...setup('log-model'),
      call('POST', 'runs/log-model', { run_id: '{{run}}', model_json: MLMODEL('{{run}}', 'models/a') }),
      call('POST', 'runs/log-model', { run_id: '{{run}}', model_json: MLMODEL('{{run}}', 'models/b') }),
      call('GET', 'runs/get', undefined, { query: { run_id: '{{run}}' } }),
      call('POST', 'runs/log-model', { run_id: '{{run}}' }),
      call('POST', 'runs/log-model', { model_json: MLMODEL('{{run}}', 'models/c') }),
      call('POST', 'runs/log-model', { run_id: '{{run}}', model_json: '{not json' }),
      call('POST', 'runs/log-model', {
        run_id: '{{run}}',
        model_json: MLMODEL('{{run}}', 'x').replace('"flavors"', '"flavours"'),
      }),
      call('POST', 'runs/log-model', { run_id: 'doesnotexist', model_json: MLMODEL('doesnotexist', 'models/d') }),
    ],
  },
];
