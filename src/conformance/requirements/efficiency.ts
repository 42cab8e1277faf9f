// Requirements: efficiency.
import type { Requirement } from '../types.ts';
import { expectedParams, expectedMetrics, expectedFiles, verdict } from './queries.ts';

export const EFFICIENCY: Requirement[] = [
  {
    id: 'EFF-001',
    source: "trackbench's own guarantee: batched logging (measured: kedro-mlflow 2.0.3 sends 910 requests for 50x10x5)",
    level: 'SHOULD',
    scenario: 'basic',
    features: [],
    dependsOn: ['childRunPerNode'],
    statement: 'API calls stay within one per 10 values logged, plus 10, plus 3 per child run (create, batch, end).',
    rationale:
      'Per-value requests make tracking cost grow with every parameter (the article claims 150 calls; ' +
      'the real kedro-mlflow 2.0.3 sends 910 for 50 nodes x 10 params x 5 metrics).',
    check: (o) => {
      const values = expectedParams(o).size + [...expectedMetrics(o).values()].reduce((n, v) => n + v.length, 0);
      const bound =
        Math.ceil(values / 10) +
        10 +
        3 * (o.runs.length - 1) +
        expectedFiles(o, 'artifact').length +
        2 * expectedFiles(o, 'model').length;
      return verdict(
        o.requests.length <= bound,
        `<= ${bound} calls for ${values} values (+ files)`,
        `${o.requests.length}`,
      );
    },
  },
  {
    id: 'EFF-002',
    source: "kedro-mlflow issue #647 (per-node run re-entry); trackbench's guarantee: no re-entry",
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
    source: 'MLflow REST API docs: runs/log-batch carries up to 1000 values',
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
