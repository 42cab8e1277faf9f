// Requirements: efficiency.
import type { Observation, Requirement } from '../types.ts';
import { expectedParams, expectedMetrics, expectedFiles, verdict } from './queries.ts';

/** MLflow's own asynchronous logging runs 10 threads; 15 run creations at once exhaust its SQL store's pool. */
const MAX_IN_FLIGHT = 10;

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
  {
    id: 'EFF-004',
    source:
      "MLflow server behaviour (3.17.2): the SQL store's default pool (5 + 10 connections) deadlocks at about 15 " +
      'run creations at once, each holding one connection and waiting 30 s for a second; MLflow logs asynchronously ' +
      'with 10 threads',
    level: 'MUST',
    scenario: 'healthy',
    features: ['parallel runner', 'mock answers after 10 ms in the parallel situation'],
    dependsOn: ['childRunPerNode'],
    statement: `At most ${MAX_IN_FLIGHT} requests are in flight at once.`,
    rationale:
      "A hook that sends every node's requests at once (a child run each, a parallel runner) starves a real " +
      'server: against a default MLflow, 16 run creations at once all failed after 30 s and the whole run was lost.',
    check: (o) => {
      const { most, at } = mostInFlight(o.requests);
      return verdict(
        most <= MAX_IN_FLIGHT,
        `<= ${MAX_IN_FLIGHT} requests in flight`,
        most > MAX_IN_FLIGHT ? `${most}, from ${at}` : `${most}`,
      );
    },
  },
];

/** The most requests overlapping in time at the server (start to answer), and the one whose arrival made it. */
function mostInFlight(requests: Observation['requests']): { most: number; at: string } {
  // An answer at the instant another request arrives frees its place first.
  const events = requests
    .flatMap((r) => [
      { t: r.at, d: 1, r },
      { t: r.at + r.durationMs, d: -1, r },
    ])
    .sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let most = 0;
  let at = '';
  for (const e of events) {
    now += e.d;
    if (now > most) [most, at] = [now, e.r.endpoint];
  }
  return { most, at };
}
