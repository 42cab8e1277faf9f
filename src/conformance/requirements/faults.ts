// Requirements: faults.
import type { Requirement } from '../types.ts';
import { allParams, expectedParams, fail, verdict } from './queries.ts';

export const FAULTS: Requirement[] = [
  {
    id: 'FLT-001',
    source: "trackbench's own guarantee: tracking never fails the pipeline when MLflow is down",
    level: 'MUST',
    scenario: 'server-down',
    features: ['tracking server down', 'child runs (when the hook makes them)'],
    dependsOn: ['childRunPerNode'],
    statement: 'When the tracking server is down, the pipeline still completes (with child runs per node too).',
    rationale:
      'Tracking must not take production pipelines down with it, whether it makes a run per pipeline or one ' +
      'per node (a child run created before each node runs).',
    check: (o) =>
      verdict(
        !o.pipelineError,
        'pipeline completes',
        o.pipelineError ? `failed: ${o.pipelineError.slice(0, 120)}` : 'completed',
      ),
  },
  {
    id: 'FLT-002',
    source: "trackbench's own guarantee: no silent loss (count of undelivered values in the warning)",
    level: 'MUST',
    scenario: 'server-down',
    features: ['tracking server down'],
    statement:
      'When values cannot be delivered, nothing is lost silently: the hook says how many, or the run fails saying why.',
    rationale: 'Regulated users must know when the audit trail has a hole.',
    check: (o) => {
      const warned = /not delivered|undelivered|could not be delivered|\d+ value/i.test(o.output);
      const failedLoudly = Boolean(
        o.pipelineError && /mlflow|tracking|unreachable|503|ECONNREFUSED/i.test(o.pipelineError),
      );
      return verdict(
        warned || failedLoudly,
        'a warning with the count of undelivered values, or a pipeline error naming MLflow',
        warned ? 'warned' : failedLoudly ? 'failed loudly' : `silent (output: ${o.output.slice(0, 80) || 'none'})`,
      );
    },
  },
  {
    id: 'FLT-003',
    source: "trackbench's own guarantee: retries with backoff deliver through a slow server",
    level: 'SHOULD',
    scenario: 'slow-server',
    features: ['150 ms server latency'],
    statement:
      'With a slow server (150 ms a request), the hook does not fail the pipeline, and every parameter is still ' +
      'delivered (every value is held exact there by the per-run checks too).',
    rationale:
      'Timeouts tuned for a fast local server lose data against a busy shared one, and a timeout handled as ' +
      'fatal (where a refused connection is not) stops the pipeline that a dead server would let finish.',
    check: (o) => {
      const want = expectedParams(o).size;
      const got = allParams(o).length;
      return verdict(
        !o.pipelineError && got >= want,
        `${want} params delivered, pipeline completes`,
        `${got} params${o.pipelineError ? `, pipeline failed: ${o.pipelineError.slice(0, 80)}` : ''}`,
      );
    },
  },
  {
    id: 'FLT-004',
    source: "trackbench's own guarantee: undelivered values are spilled to a JSONL file for `trackbench replay`",
    level: 'SHOULD',
    scenario: 'server-down',
    features: ['tracking server down'],
    statement: 'Values that could not be delivered are kept somewhere they can be replayed from, named in the warning.',
    rationale: 'Knowing values were lost is good; being able to recover them is better.',
    check: (o) => {
      const file = o.output.match(/(\/\S+\.jsonl)/)?.[1];
      if (!file) return fail('a spill file named in the output', 'none named');
      const spilled = o.writtenFiles.find((f) => f.path === file);
      if (!spilled) return fail('a readable spill file', `${file} does not exist`);
      const lines = spilled.bytes.toString('utf8').trim().split('\n').filter(Boolean).length;
      return verdict(lines > 0, 'a readable spill file', `${file} (${lines} records)`);
    },
  },
];
