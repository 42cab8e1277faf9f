// Contract cases for metric values JSON has no literal for: NaN and the infinities as the MLflow Python
// client and trackbench's client send them (protobuf-JSON's "NaN", "Infinity", "-Infinity" strings) and as
// other clients might (Python's json.dumps tokens, 1e309, float() spellings), read back through
// get-history, runs/get and runs/search. The SQL store keeps NaN but stores the infinities as the largest
// finite doubles; a value protobuf cannot parse leaves the fields after it unread (0), not an error.
import type { ContractCase, Step } from './cases.ts';

const API = '/api/2.0/mlflow';
const post = (endpoint: string, body: unknown): Step => ({ method: 'POST', path: `${API}/${endpoint}`, body });
/** A body sent as written: JSON.stringify cannot write NaN tokens, and key order matters here. */
const postRaw = (endpoint: string, raw: string): Step => ({ method: 'POST', path: `${API}/${endpoint}`, raw });
const get = (endpoint: string, query: Record<string, string>): Step => ({
  method: 'GET',
  path: `${API}/${endpoint}`,
  query,
});
const history = (key: string): Step => get('metrics/get-history', { run_id: '{{run}}', metric_key: key });
const getRun = get('runs/get', { run_id: '{{run}}' });
const logMetric = (key: string, value: unknown, timestamp: number, step = 0): Step =>
  post('runs/log-metric', { run_id: '{{run}}', key, value, timestamp, step });

function withRun(name: string, steps: Step[]): ContractCase {
  return {
    name,
    steps: [
      { ...post('experiments/create', { name: `contract-${name}` }), save: { exp: 'experiment_id' } },
      { ...post('runs/create', { experiment_id: '{{exp}}', start_time: 1000 }), save: { run: 'run.info.run_id' } },
      ...steps,
    ],
  };
}

export const METRIC_CASES: ContractCase[] = [
  withRun('log-metric-non-finite', [
    logMetric('loss', 'NaN', 10, 0),
    logMetric('loss', 'Infinity', 11, 1),
    logMetric('loss', '-Infinity', 12, 2),
    logMetric('loss', 0.5, 13, 3),
    logMetric('up', 'Infinity', 10),
    logMetric('down', '-Infinity', 10),
    logMetric('nan', 'NaN', 10),
    history('loss'),
    history('up'),
    history('nan'),
    getRun,
  ]),
  withRun('log-batch-non-finite', [
    post('runs/log-batch', {
      run_id: '{{run}}',
      metrics: [
        { key: 'm', value: 'NaN', timestamp: 5, step: 0 },
        { key: 'm', value: 'Infinity', timestamp: 6, step: 1 },
        { key: 'm', value: '-Infinity', timestamp: 7, step: 2 },
        { key: 'spelt', value: 'NAN', timestamp: 5, step: 0 },
        { key: 'spelt', value: '-inf', timestamp: 6, step: 1 },
        { key: 'spelt', value: ' 1_5 ', timestamp: 7, step: 2 },
        { key: 'spelt', value: '1e309', timestamp: 8, step: 3 },
        { key: 'spelt', value: true, timestamp: 9, step: 4 },
      ],
    }),
    history('m'),
    history('spelt'),
    getRun,
  ]),
  withRun('metric-nan-latest-and-repeats', [
    // The latest value compares NaN as the 0 the store keeps for it: NaN beats -1, 5 beats NaN.
    logMetric('a', -1, 10, 3),
    logMetric('a', 'NaN', 10, 3),
    logMetric('b', 'NaN', 10, 3),
    logMetric('b', 5, 10, 3),
    // Infinity is stored as the largest double: logging both keeps one; NaN twice keeps one.
    logMetric('c', 'Infinity', 10, 3),
    logMetric('c', 1.7976931348623157e308, 10, 3),
    logMetric('c', 'NaN', 11, 3),
    logMetric('c', 'NaN', 11, 3),
    logMetric('c', -2, 9, 3),
    history('a'),
    history('b'),
    history('c'),
    getRun,
    post('runs/search', { experiment_ids: ['{{exp}}'], filter: 'metrics.a != 0' }),
    post('runs/search', { experiment_ids: ['{{exp}}'], filter: 'metrics.a = 0' }),
  ]),
  withRun('log-metric-unparsed-values', [
    // Python's json reads these tokens; protobuf refuses them, MLflow logs what it had read before: 0 at 0.
    postRaw('runs/log-metric', '{"run_id": "{{run}}", "key": "token_nan", "value": NaN, "timestamp": 5, "step": 1}'),
    postRaw('runs/log-metric', '{"run_id": "{{run}}", "key": "late_nan", "timestamp": 5, "step": 1, "value": NaN}'),
    postRaw('runs/log-metric', '{"run_id": "{{run}}", "key": "token_inf", "value": -Infinity, "timestamp": 5}'),
    postRaw('runs/log-metric', '{"run_id": "{{run}}", "key": "overflow", "value": 1e309, "timestamp": 5}'),
    postRaw('runs/log-metric', '{"key": "run_after", "value": NaN, "run_id": "{{run}}", "timestamp": 5}'),
    logMetric('lower_nan', 'nan', 5),
    logMetric('hex', '0x10', 5),
    getRun,
  ]),
  withRun('log-batch-unparsed-values', [
    postRaw(
      'runs/log-batch',
      '{"run_id": "{{run}}", "metrics": [{"key": "q1", "value": 1, "timestamp": 3}, ' +
        '{"timestamp": 3, "key": "q2", "step": 2, "value": Infinity}, {"key": "q3", "value": 1, "timestamp": 3}], ' +
        '"params": [{"key": "after", "value": "1"}]}',
    ),
    postRaw(
      'runs/log-batch',
      '{"params": [{"key": "before", "value": "1"}], "run_id": "{{run}}", ' +
        '"metrics": [{"key": "r1", "value": "abc", "timestamp": 3}], "tags": [{"key": "after", "value": "1"}]}',
    ),
    postRaw('runs/log-batch', '{"metrics": [{"key": "x", "value": NaN, "timestamp": 1}], "run_id": "{{run}}"}'),
    getRun,
  ]),
];
