// MLflow's runs/create is not idempotent: when a request went through but its answer was lost (a timeout on a loaded
// server, a reset connection, a proxy's 502/504), sending it again makes a second run of the same name. With a child
// run per node the node's values went into the second and the first stayed empty, and which of the two a reader took
// for the node's run (both carry the start time the hook stamped) decided whether its values were there. A retry
// after such a failure first looks for the run the lost request made: the client's own retries (client.ts) and a
// tracking hook's retries across an outage (tracking/delivery/create-once.ts) alike.
import type { MlflowClient } from './client.ts';
import { MlflowApiError, MlflowNetworkError } from './errors.ts';
import type { Run, RunTag } from './wire.ts';

export interface CreateRunRequest {
  experiment_id: string;
  run_name?: string;
  start_time?: number;
  tags?: RunTag[];
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
 * The run an earlier attempt of `req` created, if any: same experiment, name, parent and start time (stamped by the
 * caller once, so every attempt carries the same, to the millisecond). A request without a name or a start time
 * cannot be told from another: undefined.
 */
export async function createdBefore(client: MlflowClient, req: CreateRunRequest): Promise<Run | undefined> {
  if (req.run_name === undefined || req.start_time === undefined) return undefined;
  const parent = parentOf(req.tags);
  const clauses = [`attributes.start_time = ${req.start_time}`];
  if (parent) clauses.push(`tags.\`${PARENT_TAG}\` = '${parent.replace(/'/g, "\\'")}'`);
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
 * The attempts of one runs/create request, across the client's own retries and its caller's (one object serves
 * both, so an answer lost to the client's first attempt is known after its last failed otherwise).
 */
export interface CreateRunAttempts {
  /** Notes a failed attempt. */
  failed(err: unknown): void;
  /** Whether a failed attempt may have made the run all the same. */
  readonly uncertain: boolean;
  /** The run such an attempt made, looked for only after one (healthy delivery sends no search). */
  earlier(): Promise<Run | undefined>;
}

export function createRunAttempts(client: MlflowClient, req: CreateRunRequest): CreateRunAttempts {
  let uncertain = false;
  return {
    failed: (err) => void (uncertain ||= mayHaveBeenDone(err)),
    get uncertain() {
      return uncertain;
    },
    earlier: async () => (uncertain ? createdBefore(client, req) : undefined),
  };
}
