// The contract: request scenarios that pin down how MLflow answers, happy paths and every error
// case the mock claims to reproduce. Each runs on a fresh server in this order (experiment ids are
// then the same on every server). `{{name}}` is replaced by a value saved from an earlier answer.
import { METRIC_CASES } from './metric-cases.ts';
import { MODEL_CASES } from './model-cases.ts';

export interface Step {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, string | string[]>;
  body?: unknown;
  /** A body sent as it is (not JSON-encoded). */
  raw?: string;
  /** Overrides the content type; null sends none. */
  contentType?: string | null;
  /** Variables to save from the JSON answer: name -> dotted path. */
  save?: Record<string, string>;
}

export interface ContractCase {
  name: string;
  steps: Step[];
}

const API = '/api/2.0/mlflow';
const post = (endpoint: string, body: unknown, extra: Partial<Step> = {}): Step => ({
  method: 'POST',
  path: `${API}/${endpoint}`,
  body,
  ...extra,
});
const get = (endpoint: string, query: Record<string, string | string[]> = {}, extra: Partial<Step> = {}): Step => ({
  method: 'GET',
  path: `${API}/${endpoint}`,
  query,
  ...extra,
});

/** A fresh experiment (saved as {{exp}}) and a run in it ({{run}}). */
function withRun(
  name: string,
  steps: Step[],
  runBody: Record<string, unknown> = { run_name: 'r', start_time: 1000 },
): ContractCase {
  return {
    name,
    steps: [
      post('experiments/create', { name: `contract-${name}` }, { save: { exp: 'experiment_id' } }),
      post('runs/create', { experiment_id: '{{exp}}', ...runBody }, { save: { run: 'run.info.run_id' } }),
      ...steps,
    ],
  };
}

const many = (n: number, f: (i: number) => unknown): unknown[] => Array.from({ length: n }, (_, i) => f(i));
const param = (i: number) => ({ key: `p${i}`, value: 'v' });
const tag = (i: number) => ({ key: `t${i}`, value: 'v' });
const metric = (i: number) => ({ key: 'm', value: i, timestamp: 1000 + i, step: i });
const getRun = get('runs/get', { run_id: '{{run}}' });

export const CASES: ContractCase[] = [
  { name: 'health', steps: [{ method: 'GET', path: '/health' }] },
  {
    name: 'experiment-create-and-get',
    steps: [
      post('experiments/create', { name: 'contract-exp-a' }, { save: { exp: 'experiment_id' } }),
      get('experiments/get', { experiment_id: '{{exp}}' }),
    ],
  },
  {
    name: 'experiment-create-duplicate',
    steps: [
      post('experiments/create', { name: 'contract-exp-dup' }),
      post('experiments/create', { name: 'contract-exp-dup' }),
    ],
  },
  { name: 'experiment-create-missing-name', steps: [post('experiments/create', {})] },
  {
    // handlers.py's schema: name a string, artifact_location a string, tags a list (checked in that order)
    name: 'experiment-create-name-not-a-string',
    steps: [
      post('experiments/create', { name: { b: [1, { c: 'd' }], a: 'é' } }),
      post('experiments/create', { name: 5 }),
      post('experiments/create', { name: 5.5 }),
      post('experiments/create', { name: ['x'] }),
      post('experiments/create', { name: true }),
      post('experiments/create', { name: [], tags: 5 }),
      post('experiments/create', { name: 'contract-bad-location', artifact_location: 5 }),
      post('experiments/create', { name: 'contract-bad-tags', tags: { k: 'v' } }),
      // protobuf could not read the body (tags): the null artifact_location fails its type check
      post('experiments/create', { name: 'contract-null-location', artifact_location: null, tags: 'x' }),
      get('experiments/get-by-name', { experiment_name: 'contract-bad-tags' }),
    ],
  },
  {
    name: 'experiment-create-with-tags',
    steps: [
      post(
        'experiments/create',
        { name: 'contract-exp-tags', tags: [{ key: 'team', value: 'ml' }] },
        { save: { exp: 'experiment_id' } },
      ),
      get('experiments/get-by-name', { experiment_name: 'contract-exp-tags' }),
    ],
  },
  {
    name: 'experiment-get-by-name-missing',
    steps: [get('experiments/get-by-name', { experiment_name: 'contract-no-such-experiment' })],
  },
  { name: 'experiment-get-unknown-id', steps: [get('experiments/get', { experiment_id: '987654' })] },
  { name: 'experiment-get-no-id', steps: [get('experiments/get')] },
  {
    name: 'content-type-missing',
    steps: [post('experiments/create', { name: 'contract-no-ct' }, { contentType: null })],
  },
  {
    name: 'content-type-wrong',
    steps: [post('experiments/create', { name: 'contract-bad-ct' }, { contentType: 'text/plain' })],
  },
  withRun('run-create-named', [getRun], { run_name: 'named-run', start_time: 1234, tags: [{ key: 'a', value: 'b' }] }),
  withRun('run-create-generated-name', [getRun], { start_time: 1000 }),
  { name: 'run-create-unknown-experiment', steps: [post('runs/create', { experiment_id: '987654', start_time: 1 })] },
  { name: 'run-get-unknown', steps: [get('runs/get', { run_id: 'doesnotexist' })] },
  { name: 'run-get-no-id', steps: [get('runs/get')] },
  withRun('run-update-finished', [
    post('runs/update', { run_id: '{{run}}', status: 'FINISHED', end_time: 2000 }),
    getRun,
  ]),
  withRun('run-update-failed-then-finished', [
    post('runs/update', { run_id: '{{run}}', status: 'FAILED', end_time: 2000 }),
    post('runs/update', { run_id: '{{run}}', status: 'FINISHED' }),
  ]),
  withRun('run-update-unknown-status', [post('runs/update', { run_id: '{{run}}', status: 'BOGUS' })]),
  withRun('run-update-rename', [post('runs/update', { run_id: '{{run}}', run_name: 'renamed' }), getRun]),
  withRun('log-batch-happy', [
    post('runs/log-batch', {
      run_id: '{{run}}',
      params: [param(1), param(2)],
      tags: [tag(1)],
      metrics: [metric(0), metric(1)],
    }),
    getRun,
  ]),
  withRun('log-batch-empty', [post('runs/log-batch', { run_id: '{{run}}' })]),
  withRun('log-batch-101-params', [post('runs/log-batch', { run_id: '{{run}}', params: many(101, param) })]),
  withRun('log-batch-100-params-ok', [post('runs/log-batch', { run_id: '{{run}}', params: many(100, param) })]),
  withRun('log-batch-101-tags', [post('runs/log-batch', { run_id: '{{run}}', tags: many(101, tag) })]),
  withRun('log-batch-1001-metrics', [post('runs/log-batch', { run_id: '{{run}}', metrics: many(1001, metric) })]),
  withRun('log-batch-1001-items', [
    post('runs/log-batch', {
      run_id: '{{run}}',
      params: many(100, param),
      tags: many(100, tag),
      metrics: many(801, metric),
    }),
  ]),
  withRun('log-batch-1000-items-ok', [
    post('runs/log-batch', {
      run_id: '{{run}}',
      params: many(100, param),
      tags: many(100, tag),
      metrics: many(800, metric),
    }),
  ]),
  withRun('log-batch-duplicate-param-keys', [
    post('runs/log-batch', {
      run_id: '{{run}}',
      params: [
        { key: 'a', value: '1' },
        { key: 'a', value: '2' },
      ],
    }),
  ]),
  { name: 'log-batch-no-run-id', steps: [post('runs/log-batch', { params: [param(1)] })] },
  { name: 'log-batch-unknown-run', steps: [post('runs/log-batch', { run_id: 'doesnotexist', params: [param(1)] })] },
  withRun('log-batch-metric-without-timestamp', [
    post('runs/log-batch', { run_id: '{{run}}', metrics: [{ key: 'x', value: 1 }] }),
  ]),
  withRun('log-batch-param-immutable', [
    post('runs/log-batch', { run_id: '{{run}}', params: [{ key: 'a', value: '1' }] }),
    post('runs/log-batch', { run_id: '{{run}}', params: [{ key: 'a', value: '1' }] }),
    post('runs/log-batch', { run_id: '{{run}}', params: [{ key: 'a', value: '2' }] }),
  ]),
  withRun('log-batch-tags-overwrite', [
    post('runs/log-batch', {
      run_id: '{{run}}',
      tags: [
        { key: 't', value: '1' },
        { key: 't', value: '2' },
      ],
    }),
    post('runs/set-tag', { run_id: '{{run}}', key: 't', value: '3' }),
    getRun,
  ]),
  withRun('log-batch-param-without-value', [
    post('runs/log-batch', { run_id: '{{run}}', params: [{ key: 'x' }] }),
    getRun,
  ]),
  withRun('log-param-immutable', [
    post('runs/log-parameter', { run_id: '{{run}}', key: 'a', value: '1' }),
    post('runs/log-parameter', { run_id: '{{run}}', key: 'a', value: '1' }),
    post('runs/log-parameter', { run_id: '{{run}}', key: 'a', value: '3' }),
  ]),
  withRun('log-param-bad-characters', [post('runs/log-parameter', { run_id: '{{run}}', key: 'bad key!', value: '1' })]),
  withRun('log-param-key-as-path', [
    post('runs/log-parameter', { run_id: '{{run}}', key: '../x', value: '1' }),
    post('runs/log-parameter', { run_id: '{{run}}', key: '/x', value: '1' }),
    post('runs/log-parameter', { run_id: '{{run}}', key: 'a//b', value: '1' }),
    post('runs/log-parameter', { run_id: '{{run}}', key: 'ok/a.b-c d:e', value: '1' }),
  ]),
  withRun('log-param-key-too-long', [
    post('runs/log-parameter', { run_id: '{{run}}', key: 'k'.repeat(251), value: '1' }),
  ]),
  withRun('log-param-value-truncated', [
    post('runs/log-parameter', { run_id: '{{run}}', key: 'long', value: 'v'.repeat(6001) }),
    getRun,
  ]),
  withRun('set-tag-value-truncated', [
    post('runs/set-tag', { run_id: '{{run}}', key: 'long', value: 'w'.repeat(8001) }),
    getRun,
  ]),
  withRun('log-metric-history-order', [
    post('runs/log-metric', { run_id: '{{run}}', key: 'm', value: 1.5, timestamp: 10, step: 2 }),
    post('runs/log-metric', { run_id: '{{run}}', key: 'm', value: 0.5, timestamp: 5, step: 1 }),
    post('runs/log-metric', { run_id: '{{run}}', key: 'm', value: 0.7, timestamp: 3, step: 1 }),
    post('runs/log-metric', { run_id: '{{run}}', key: 'm', value: 2.5, timestamp: 1, step: 7 }),
    get('metrics/get-history', { run_id: '{{run}}', metric_key: 'm' }),
    getRun,
  ]),
  withRun('log-metric-missing-timestamp', [post('runs/log-metric', { run_id: '{{run}}', key: 'm', value: 1 })]),
  withRun('log-metric-non-numeric', [
    post('runs/log-metric', { run_id: '{{run}}', key: 'm', value: 'abc', timestamp: 1 }),
  ]),
  withRun('metric-history-missing-key', [
    get('metrics/get-history', { run_id: '{{run}}' }),
    get('metrics/get-history', { run_id: '{{run}}', metric_key: 'nothing' }),
  ]),
  withRun('delete-tag', [
    post('runs/set-tag', { run_id: '{{run}}', key: 'gone', value: '1' }),
    post('runs/delete-tag', { run_id: '{{run}}', key: 'gone' }),
    post('runs/delete-tag', { run_id: '{{run}}', key: 'gone' }),
    getRun,
  ]),
  withRun('deleted-run-refuses-writes', [
    post('runs/delete', { run_id: '{{run}}' }),
    post('runs/log-parameter', { run_id: '{{run}}', key: 'a', value: '1' }),
    post('runs/set-tag', { run_id: '{{run}}', key: 'a', value: '1' }),
    post('runs/log-batch', { run_id: '{{run}}', metrics: [metric(1)] }),
    post('runs/update', { run_id: '{{run}}', status: 'FAILED' }),
    getRun,
  ]),
  withRun('restored-run-accepts-writes', [
    post('runs/delete', { run_id: '{{run}}' }),
    post('runs/restore', { run_id: '{{run}}' }),
    post('runs/log-parameter', { run_id: '{{run}}', key: 'a', value: '1' }),
    getRun,
  ]),
  withRun('finished-run-accepts-writes', [
    post('runs/update', { run_id: '{{run}}', status: 'FINISHED', end_time: 5 }),
    post('runs/log-parameter', { run_id: '{{run}}', key: 'late', value: '1' }),
  ]),
  { name: 'run-delete-unknown', steps: [post('runs/delete', { run_id: 'doesnotexist' })] },
  {
    name: 'run-search-paging-and-filter',
    steps: [
      post('experiments/create', { name: 'contract-search' }, { save: { exp: 'experiment_id' } }),
      post('runs/create', {
        experiment_id: '{{exp}}',
        run_name: 'first',
        start_time: 100,
        tags: [{ key: 'kind', value: 'a' }],
      }),
      post('runs/create', {
        experiment_id: '{{exp}}',
        run_name: 'second',
        start_time: 200,
        tags: [{ key: 'kind', value: 'b' }],
      }),
      post('runs/create', {
        experiment_id: '{{exp}}',
        run_name: 'third',
        start_time: 300,
        tags: [{ key: 'kind', value: 'a' }],
      }),
      post('runs/search', { experiment_ids: ['{{exp}}'], max_results: 2 }, { save: { token: 'next_page_token' } }),
      post('runs/search', { experiment_ids: ['{{exp}}'], max_results: 2, page_token: '{{token}}' }),
      post('runs/search', { experiment_ids: ['{{exp}}'], filter: "attributes.run_name = 'second'" }),
      post('runs/search', { experiment_ids: ['{{exp}}'], filter: "tags.kind = 'a'" }),
    ],
  },
  {
    name: 'registered-model-lifecycle',
    steps: [
      post('registered-models/create', {
        name: 'contract-model-a',
        tags: [{ key: 'k', value: 'v' }],
        description: 'd',
      }),
      post('registered-models/create', { name: 'contract-model-a' }),
      get('registered-models/get', { name: 'contract-model-a' }),
      get('registered-models/get', { name: 'contract-no-such-model' }),
      get('registered-models/search', { filter: "name='contract-model-a'" }),
    ],
  },
  withRun('model-versions', [
    post('registered-models/create', { name: 'contract-model-b' }),
    post('model-versions/create', {
      name: 'contract-model-b',
      source: 'mlflow-artifacts:/{{exp}}/{{run}}/artifacts/model_0',
      run_id: '{{run}}',
    }),
    post('model-versions/create', {
      name: 'contract-model-b',
      source: 'mlflow-artifacts:/{{exp}}/{{run}}/artifacts/model_1',
      run_id: '{{run}}',
    }),
    get('registered-models/get', { name: 'contract-model-b' }),
    get('model-versions/search', { filter: "run_id='{{run}}'" }),
    get('model-versions/search', { filter: "name='contract-model-b'" }),
    get('model-versions/search', { filter: "name='contract-no-such-model'" }),
  ]),
  withRun('model-version-errors', [
    post('model-versions/create', { name: 'contract-model-c' }),
    post('model-versions/create', { name: 'contract-model-c', source: 'relative/path' }),
    post('model-versions/create', {
      name: 'contract-no-such-model',
      source: 'mlflow-artifacts:/{{exp}}/{{run}}/artifacts/m',
      run_id: '{{run}}',
    }),
  ]),
  withRun('artifacts-upload-and-list', [
    {
      method: 'PUT',
      path: '/api/2.0/mlflow-artifacts/artifacts/{{exp}}/{{run}}/artifacts/dir/a.bin',
      raw: 'hello world',
      contentType: 'application/octet-stream',
    },
    {
      method: 'PUT',
      path: '/api/2.0/mlflow-artifacts/artifacts/{{exp}}/{{run}}/artifacts/b.txt',
      raw: 'xyz',
      contentType: 'application/octet-stream',
    },
    get('artifacts/list', { run_id: '{{run}}' }),
    get('artifacts/list', { run_id: '{{run}}', path: 'dir' }),
    get('artifacts/list', { run_id: '{{run}}', path: 'nothing-here' }),
    { method: 'GET', path: '/api/2.0/mlflow-artifacts/artifacts/{{exp}}/{{run}}/artifacts/dir/a.bin' },
  ]),
  { name: 'unknown-endpoint', steps: [get('no/such/endpoint')] },
  {
    name: 'experiments-search',
    steps: [
      post('experiments/create', { name: 'contract-search-exp' }),
      post('experiments/search', { max_results: 1 }),
    ],
  },
  ...MODEL_CASES,
  ...METRIC_CASES,
  // Python's rules: \w is any script's letter or number, lengths and cuts are in code points (an emoji is one).
  withRun('log-unicode-keys-and-long-values', [
    post('runs/log-batch', {
      run_id: '{{run}}',
      params: [
        { key: 'café', value: '1' },
        { key: '参数²', value: '2' },
        { key: '𝒜'.repeat(200), value: '3' },
        { key: 'e4000', value: '😀'.repeat(4000) },
        { key: 'e7000', value: '😀'.repeat(7000) },
      ],
      tags: [{ key: 't9000', value: '😀'.repeat(9000) }],
    }),
    post('runs/log-parameter', { run_id: '{{run}}', key: 'é'.repeat(251), value: '1' }),
    post('runs/log-metric', { run_id: '{{run}}', key: 'lr_😀', value: 1, timestamp: 1, step: 0 }),
    getRun,
  ]),
  // Half an emoji (a value cut by UTF-16 units, JSON-escaped as \ud83d): protobuf reads the whole string as ''.
  withRun('lone-surrogates-read-as-empty', [
    post('runs/log-batch', {
      run_id: '{{run}}',
      params: [{ key: 'p', value: 'ab\ud83d' }],
      tags: [
        { key: 't', value: 'x\udc00y' },
        { key: 'pair', value: '\ud83d\ude00' },
      ],
    }),
    // every field after it in the body is dropped, silently
    post('runs/log-batch', {
      run_id: '{{run}}',
      tags: [
        { key: 'u', value: 'ok' },
        { key: 'v', value: '\ud83d' },
        { key: 'w', value: 'dropped' },
      ],
      params: [{ key: 'q', value: 'dropped' }],
    }),
    post('runs/set-tag', { run_id: '{{run}}', key: 't2', value: 'emoji \ud83d' }),
    getRun,
  ]),
];
