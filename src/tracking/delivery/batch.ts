// One run's values on their way to a log-batch request: packed to MLflow's limits, checked against
// MLflow's rules before sending (an invalid value is rejected with its reason, the rest still go),
// and, should the server refuse a batch anyway, sent value by value so only the bad one is lost.
import { errorMessage } from '../../errors.ts';
import type { MlflowClient } from '../../mlflow/client.ts';
import { MlflowApiError } from '../../mlflow/errors.ts';
import { keyValueProblem, LIMITS, metricProblem } from '../../mlflow/limits.ts';
import type { KeyValue, Metric } from '../../mlflow/wire.ts';
import type { Rejection } from './accounting.ts';

export interface Pending {
  params: KeyValue[];
  tags: KeyValue[];
  metrics: Metric[];
}

export type ItemKind = 'params' | 'tags' | 'metrics';

export const emptyPending = (): Pending => ({ params: [], tags: [], metrics: [] });
export const size = (p: Pending): number => p.params.length + p.tags.length + p.metrics.length;

/** A batch can be sent now without waiting for more values: one of MLflow's limits is reached. */
export function isFull(p: Pending): boolean {
  return (
    p.params.length >= LIMITS.paramsPerBatch ||
    p.tags.length >= LIMITS.tagsPerBatch ||
    p.metrics.length >= LIMITS.metricsPerBatch ||
    size(p) >= LIMITS.itemsPerBatch
  );
}

/** Takes one log-batch worth from `p`: params and tags up to 100, metrics up to the 1000 total. */
export function takeBatch(p: Pending): Pending {
  const params: KeyValue[] = [];
  const keys = new Set<string>();
  const rest: KeyValue[] = [];
  for (const item of p.params) {
    // A key twice in one batch is rejected by MLflow; the second waits for the next batch.
    if (params.length < LIMITS.paramsPerBatch && !keys.has(item.key)) {
      params.push(item);
      keys.add(item.key);
    } else rest.push(item);
  }
  p.params = rest;
  const tags = p.tags.splice(0, LIMITS.tagsPerBatch);
  const metrics = p.metrics.splice(
    0,
    Math.min(LIMITS.metricsPerBatch, LIMITS.itemsPerBatch - params.length - tags.length),
  );
  return { params, tags, metrics };
}

/** Splits off the values MLflow would refuse, with why. */
export function withoutInvalid(b: Pending): { valid: Pending; rejected: Rejection[] } {
  const rejected: Rejection[] = [];
  const keep = <T extends { key: string }>(kind: ItemKind, items: T[], problem: (x: T) => string | undefined): T[] =>
    items.filter((item) => {
      const why = problem(item);
      if (why) rejected.push({ kind, key: String(item.key), reason: why });
      return !why;
    });
  return {
    valid: {
      params: keep('params', b.params, keyValueProblem),
      tags: keep('tags', b.tags, keyValueProblem),
      metrics: keep('metrics', b.metrics, metricProblem),
    },
    rejected,
  };
}

export interface BatchOutcome {
  delivered: Pending;
  rejected: Rejection[];
  /** Values not sent because delivery gave up on the server (they belong in the spill). */
  undelivered?: { values: Pending; error: unknown };
}

/** Wraps each request (e.g. a circuit breaker); the identity by default. */
export type Call = <T>(op: () => Promise<T>) => Promise<T>;

/** The server judged the values themselves (400); not found, auth or outage errors keep them for the spill. */
const refused = (err: unknown): boolean => err instanceof MlflowApiError && err.status === 400;

/**
 * Sends `b` to run `runId`: invalid values are rejected up front; if the server still refuses the
 * batch (400), each value is sent alone so only the refused ones are lost, with the server's reason.
 */
export async function deliverBatch(
  client: MlflowClient,
  runId: string,
  b: Pending,
  call: Call = (op) => op(),
): Promise<BatchOutcome> {
  const { valid, rejected } = withoutInvalid(b);
  if (size(valid) === 0) return { delivered: emptyPending(), rejected };
  try {
    await call(() => client.logBatch({ run_id: runId, ...valid }));
    return { delivered: valid, rejected };
  } catch (err) {
    if (!refused(err)) return { delivered: emptyPending(), rejected, undelivered: { values: valid, error: err } };
    if (size(valid) === 1) {
      const [kind, item] = single(valid);
      return { delivered: emptyPending(), rejected: [...rejected, { kind, key: item.key, reason: errorMessage(err) }] };
    }
  }
  // The server refused the batch: find the culprits one value at a time.
  const delivered = emptyPending();
  const queue: [ItemKind, KeyValue | Metric][] = [
    ...valid.params.map((x): [ItemKind, KeyValue] => ['params', x]),
    ...valid.tags.map((x): [ItemKind, KeyValue] => ['tags', x]),
    ...valid.metrics.map((x): [ItemKind, Metric] => ['metrics', x]),
  ];
  for (let i = 0; i < queue.length; i++) {
    const [kind, item] = queue[i]!;
    try {
      await call(() => client.logBatch({ run_id: runId, [kind]: [item] }));
      (delivered[kind] as (KeyValue | Metric)[]).push(item);
    } catch (err) {
      if (refused(err)) {
        rejected.push({ kind, key: item.key, reason: errorMessage(err) });
        continue;
      }
      const values = emptyPending();
      for (const [k, x] of queue.slice(i)) (values[k] as (KeyValue | Metric)[]).push(x);
      return { delivered, rejected, undelivered: { values, error: err } };
    }
  }
  return { delivered, rejected };
}

function single(p: Pending): [ItemKind, KeyValue | Metric] {
  if (p.params[0]) return ['params', p.params[0]];
  if (p.tags[0]) return ['tags', p.tags[0]];
  return ['metrics', p.metrics[0]!];
}
