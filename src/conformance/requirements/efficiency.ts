// Requirements: efficiency.
import type { Requirement } from '../types.ts';
import { expectedParams, expectedMetrics, expectedFiles, verdict } from './queries.ts';

export const EFFICIENCY: Requirement[] = [
  {
    id: 'EFF-001',
    level: 'SHOULD',
    scenario: 'basic',
    features: [],
    statement: 'API calls stay within one per 10 values logged, plus 10.',
    rationale:
      "Per-value requests make tracking cost grow with every parameter (the article's 150-call claim vs ~1,150 read from kedro-mlflow).",
    check: (o) => {
      const values = expectedParams(o).size + [...expectedMetrics(o).values()].reduce((n, v) => n + v.length, 0);
      const bound =
        Math.ceil(values / 10) + 10 + expectedFiles(o, 'artifact').length + 2 * expectedFiles(o, 'model').length;
      return verdict(
        o.requests.length <= bound,
        `<= ${bound} calls for ${values} values (+ files)`,
        `${o.requests.length}`,
      );
    },
  },
  {
    id: 'EFF-002',
    level: 'SHOULD',
    scenario: 'basic',
    features: [],
    statement: 'The run is not re-entered at every node (no per-node get/update of the run).',
    rationale:
      'kedro-mlflow\'s per-node re-entry costs three requests a node and "couldn\'t run ~200 nodes" (issue #647).',
    check: (o) => {
      const reentries = o.requests.filter((r) => r.endpoint === 'runs/get' || r.endpoint === 'runs/update').length;
      const bound = 2 * o.runs.length + 2;
      return verdict(reentries <= bound, `<= ${bound} runs/get + runs/update`, `${reentries}`);
    },
  },
  {
    id: 'EFF-003',
    level: 'SHOULD',
    scenario: 'basic',
    features: [],
    statement:
      'Values are batched: per-value endpoints (log-parameter, log-metric, set-tag) carry at most a tenth of them.',
    rationale: 'log-batch carries up to 1000 values in one request.',
    check: (o) => {
      const values = expectedParams(o).size + [...expectedMetrics(o).values()].reduce((n, v) => n + v.length, 0);
      const single = o.requests.filter((r) =>
        ['runs/log-parameter', 'runs/log-metric', 'runs/set-tag'].includes(r.endpoint),
      ).length;
      return verdict(single <= values / 10, `<= ${Math.floor(values / 10)} per-value requests`, `${single}`);
    },
  },
];
