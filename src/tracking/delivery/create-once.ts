// A run created at most once across the circuit breaker's retries. MLflow's runs/create is not idempotent: when a
// request went through but its answer was lost (the client's timeout ran out on a loaded server, a connection was
// reset, a proxy answered 502/504), sending it again made a second run of the same name. With a child run per
// node, the node's values went into the second and the first stayed empty: which of the two a reader takes for
// the node's run (both have the start time the hook stamped) decided whether its values were there, and the hook
// said nothing, as every value was delivered.
import type { MlflowClient } from '../../mlflow/client.ts';
import { MlflowApiError, MlflowNetworkError } from '../../mlflow/errors.ts';
import type { Run, RunTag } from '../../mlflow/wire.ts';

export interface CreateRunRequest {
  experiment_id: string;
  run_name: string;
  start_time: number;
  tags: RunTag[];
}

/** Network failures that mean the request never reached the server. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);
/** Server errors that say the request was not carried out (MLflow's and the mock's "unavailable", throttling). */
const NOT_DONE = new Set([408, 429, 503]);

/** Whether the request may have been carried out though it failed: its answer was lost, not refused. */
export function mayHaveBeenDone(err: unknown): boolean {
  if (err instanceof MlflowNetworkError) return !NOT_SENT.has(err.code);
  return err instanceof MlflowApiError && err.status >= 500 && !NOT_DONE.has(err.status);
}

const PARENT_TAG = 'mlflow.parentRunId';
const parentOf = (tags: RunTag[] | undefined): string | undefined => tags?.find((t) => t.key === PARENT_TAG)?.value;

/**
 * The run an earlier attempt of `req` created, if any: same experiment, name, parent and start time (stamped by
 * the hook once, so every attempt carries the same, to the millisecond).
 */
async function createdBefore(client: MlflowClient, req: CreateRunRequest): Promise<Run | undefined> {
  const parent = parentOf(req.tags);
  const clauses = [`attributes.start_time = ${req.start_time}`];
  if (parent) clauses.push(`tags.\`${PARENT_TAG}\` = '${parent}'`);
  const runs = await client.searchAllRuns({
    experiment_ids: [req.experiment_id],
    filter: clauses.join(' AND '),
    run_view_type: 'ACTIVE_ONLY',
  });
  return runs.find(
    (r) => r.info.run_name === req.run_name && r.info.start_time === req.start_time && parentOf(r.data.tags) === parent,
  );
}

/**
 * An operation for the breaker that creates the run: after a failure that may have gone through, each retry first
 * looks for the run that attempt made and takes it instead of making another. Healthy delivery sends exactly the
 * one runs/create request it did before (counted trials compare requests).
 */
export function createRunOnce(client: MlflowClient, req: CreateRunRequest): () => Promise<Run> {
  let uncertain = false;
  return async () => {
    if (uncertain) {
      const earlier = await createdBefore(client, req);
      if (earlier) return earlier;
    }
    try {
      return await client.createRun(req);
    } catch (err) {
      uncertain ||= mayHaveBeenDone(err);
      throw err;
    }
  };
}
