// The reference hook's delivery: values are queued per run, packed into log-batch requests up to
// MLflow's limits, and sent by one background worker in order (run creation before its values,
// values before the run's end). The queue is bounded: a hook call waits for room. When the server
// stops answering, everything not delivered goes to a spill file instead of being dropped.
import { errorMessage } from '../../errors.ts';
import type { MlflowClient } from '../../mlflow/client.ts';
import { MlflowApiError, MlflowNetworkError } from '../../mlflow/errors.ts';
import { LIMITS } from '../../mlflow/limits.ts';
import { RETRYABLE_STATUSES } from '../../mlflow/retry.ts';
import type { KeyValue, Metric, RunStatus } from '../../mlflow/wire.ts';
import type { Accounting } from './accounting.ts';
import type { SpillRecord, SpillWriter } from './spill.ts';

/** A run as the outbox knows it; `id` is set once the server created it. */
export interface RunRef {
  key: string;
  experimentName: string;
  runName: string;
  tags: KeyValue[];
  parent?: RunRef;
  id?: string;
  artifactUri?: string;
}

interface Pending {
  params: KeyValue[];
  tags: KeyValue[];
  metrics: Metric[];
}

export interface OutboxOptions {
  batching: boolean;
  async: boolean;
  queueBound: number;
  flushIntervalMs: number;
}

const size = (p: Pending): number => p.params.length + p.tags.length + p.metrics.length;

/** A batch can be sent now without waiting for more values: one of MLflow's limits is reached. */
function isFull(p: Pending): boolean {
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

export class Outbox {
  private chain: Promise<void> = Promise.resolve();
  private readonly pending = new Map<RunRef, Pending>();
  /** Values handed to the outbox and not yet delivered or spilled. */
  private queued = 0;
  /** Why the server is considered gone; once set, everything else is spilled. */
  private unreachable?: string;
  private timer?: NodeJS.Timeout;
  maxQueued = 0;

  constructor(
    private readonly client: MlflowClient,
    private readonly options: OutboxOptions,
    private readonly accounting: Accounting,
    private readonly spill: SpillWriter,
  ) {
    if (options.flushIntervalMs > 0) {
      this.timer = setInterval(() => this.schedulePartials(), options.flushIntervalMs);
      this.timer.unref();
    }
  }

  get serverUnreachable(): string | undefined {
    return this.unreachable;
  }

  /**
   * Runs `job` after everything scheduled before it. Jobs never reject: a job that throws anyway is
   * reported as a warning, so the chain (and the pipeline) goes on. The returned promise is the chain
   * itself: callers that do not await it leave that to settle() and flush().
   */
  private enqueue(job: () => Promise<void>): Promise<void> {
    const guarded = (): Promise<void> =>
      job().catch((err: unknown) => {
        this.accounting.warnings.push(`a delivery step failed: ${errorMessage(err)}`);
      });
    this.chain = this.chain.then(guarded);
    return this.chain;
  }

  private async settle(): Promise<void> {
    if (!this.options.async) await this.chain;
  }

  createRun(ref: RunRef, experimentId: () => string | undefined): Promise<void> {
    this.accounting.generated.tags += ref.tags.length;
    const job = this.enqueue(async () => {
      const tags = ref.parent?.id ? [...ref.tags, { key: 'mlflow.parentRunId', value: ref.parent.id }] : ref.tags;
      const expId = experimentId();
      if (this.unreachable || !expId || (ref.parent && !ref.parent.id)) {
        this.spillRun(
          ref,
          {
            type: 'tags',
            run: ref.key,
            items: ref.tags,
            reason: this.unreachable ?? 'the experiment or parent run could not be created',
          },
          'tags',
          ref.tags.length,
        );
        return;
      }
      try {
        const run = await this.client.createRun({
          experiment_id: expId,
          run_name: ref.runName,
          start_time: Date.now(),
          tags,
        });
        ref.id = run.info.run_id;
        ref.artifactUri = run.info.artifact_uri;
        this.accounting.delivered.tags += ref.tags.length;
      } catch (err) {
        this.fail(err);
        this.spillRun(
          ref,
          { type: 'tags', run: ref.key, items: ref.tags, reason: errorMessage(err) },
          'tags',
          ref.tags.length,
        );
      }
    });
    return this.options.async ? Promise.resolve() : job;
  }

  /** Logs into a run that already exists (mlflow.yml `tracking.run.id`) instead of creating one. */
  attachRun(ref: RunRef, runId: string): Promise<void> {
    const job = this.enqueue(async () => {
      try {
        const run = await this.client.getRun(runId);
        ref.id = run.info.run_id;
        ref.artifactUri = run.info.artifact_uri;
      } catch (err) {
        this.fail(err);
        this.accounting.warnings.push(`run ${runId} (tracking.run.id) could not be opened: ${errorMessage(err)}`);
      }
    });
    return this.options.async ? Promise.resolve() : job;
  }

  async add(ref: RunRef, kind: 'params' | 'tags' | 'metrics', items: KeyValue[] | Metric[]): Promise<void> {
    if (!items.length) return;
    this.accounting.generated[kind] += items.length;
    if (this.queued > 0 && this.queued + items.length > this.options.queueBound) {
      // Bounded queue: make room before taking more.
      this.schedulePartials();
      await this.chain;
    }
    this.queued += items.length;
    this.maxQueued = Math.max(this.maxQueued, this.queued);
    if (!this.options.batching) {
      for (const item of items) void this.enqueue(() => this.sendOne(ref, kind, item));
      return this.settle();
    }
    let p = this.pending.get(ref);
    if (!p) this.pending.set(ref, (p = { params: [], tags: [], metrics: [] }));
    (p[kind] as (KeyValue | Metric)[]).push(...items);
    while (isFull(p)) this.scheduleBatch(ref, takeBatch(p));
    return this.settle();
  }

  addArtifact(ref: RunRef, path: string, bytes: Buffer): Promise<void> {
    this.accounting.generated.artifacts++;
    void this.enqueue(async () => {
      try {
        if (this.unreachable || !ref.artifactUri) throw new Error(this.unreachable ?? 'the run was not created');
        await this.client.uploadArtifact(ref.artifactUri, path, bytes);
        this.accounting.delivered.artifacts++;
      } catch (err) {
        this.fail(err);
        this.spillRun(
          ref,
          { type: 'artifact', run: ref.key, path, base64: bytes.toString('base64'), reason: errorMessage(err) },
          'artifacts',
          1,
        );
      }
    });
    return this.settle();
  }

  /** Uploads the model's bytes and registers them as a new version of `name` (created if missing). */
  addModel(ref: RunRef, name: string, path: string, bytes: Buffer): Promise<void> {
    this.accounting.generated.models++;
    void this.enqueue(async () => {
      try {
        if (this.unreachable || !ref.artifactUri || !ref.id)
          throw new Error(this.unreachable ?? 'the run was not created');
        await this.client.uploadArtifact(ref.artifactUri, path, bytes);
        await registerVersion(this.client, name, `${ref.artifactUri}/${path}`, ref.id);
        this.accounting.delivered.models++;
      } catch (err) {
        this.fail(err);
        this.spillRun(
          ref,
          { type: 'model', run: ref.key, name, path, base64: bytes.toString('base64'), reason: errorMessage(err) },
          'models',
          1,
        );
      }
    });
    return this.settle();
  }

  /** Sends what is pending for the run, then ends it with `status`. */
  endRun(ref: RunRef, status: RunStatus): Promise<void> {
    this.schedulePartials(ref);
    const job = this.enqueue(async () => {
      const endTime = Date.now();
      try {
        if (this.unreachable || !ref.id) throw new Error(this.unreachable ?? 'the run was not created');
        await this.client.updateRun({ run_id: ref.id, status, end_time: endTime });
      } catch (err) {
        this.fail(err);
        this.spillRun(ref, { type: 'end', run: ref.key, status, endTime, reason: errorMessage(err) });
      }
    });
    return this.options.async ? Promise.resolve() : job;
  }

  /** Everything scheduled and pending is sent (or spilled) when this resolves. */
  async flush(): Promise<void> {
    this.schedulePartials();
    await this.chain;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.flush();
  }

  private schedulePartials(only?: RunRef): void {
    for (const [ref, p] of this.pending) {
      if (only && ref !== only) continue;
      while (size(p) > 0) this.scheduleBatch(ref, takeBatch(p));
    }
  }

  private scheduleBatch(ref: RunRef, batch: Pending): void {
    void this.enqueue(() => this.sendBatch(ref, batch));
  }

  private async sendBatch(ref: RunRef, b: Pending): Promise<void> {
    const n = size(b);
    try {
      if (this.unreachable || !ref.id) throw new Error(this.unreachable ?? 'the run was not created');
      await this.client.logBatch({ run_id: ref.id, params: b.params, tags: b.tags, metrics: b.metrics });
      this.accounting.delivered.params += b.params.length;
      this.accounting.delivered.tags += b.tags.length;
      this.accounting.delivered.metrics += b.metrics.length;
    } catch (err) {
      this.fail(err);
      const reason = errorMessage(err);
      if (b.params.length)
        this.spillRun(ref, { type: 'params', run: ref.key, items: b.params, reason }, 'params', b.params.length);
      if (b.tags.length)
        this.spillRun(ref, { type: 'tags', run: ref.key, items: b.tags, reason }, 'tags', b.tags.length);
      if (b.metrics.length)
        this.spillRun(ref, { type: 'metrics', run: ref.key, items: b.metrics, reason }, 'metrics', b.metrics.length);
    } finally {
      this.queued -= n;
    }
  }

  private async sendOne(ref: RunRef, kind: 'params' | 'tags' | 'metrics', item: KeyValue | Metric): Promise<void> {
    try {
      if (this.unreachable || !ref.id) throw new Error(this.unreachable ?? 'the run was not created');
      if (kind === 'params') await this.client.logParam({ run_id: ref.id, ...(item as KeyValue) });
      else if (kind === 'tags') await this.client.setTag({ run_id: ref.id, ...(item as KeyValue) });
      else await this.client.logMetric({ run_id: ref.id, ...(item as Metric) });
      this.accounting.delivered[kind]++;
    } catch (err) {
      this.fail(err);
      const reason = errorMessage(err);
      const record: SpillRecord =
        kind === 'metrics'
          ? { type: 'metrics', run: ref.key, items: [item as Metric], reason }
          : { type: kind, run: ref.key, items: [item as KeyValue], reason };
      this.spillRun(ref, record, kind, 1);
    } finally {
      this.queued--;
    }
  }

  /** A connection failure or an exhausted retryable status means the server is gone for this run. */
  private fail(err: unknown): void {
    if (this.unreachable) return;
    if (err instanceof MlflowNetworkError || (err instanceof MlflowApiError && RETRYABLE_STATUSES.has(err.status))) {
      this.unreachable = `tracking server unreachable (${errorMessage(err)})`;
    }
  }

  private spillRun(ref: RunRef, record: SpillRecord, kind?: keyof Accounting['lost'], n = 0): void {
    const runRecord = {
      type: 'run' as const,
      run: ref.key,
      experimentName: ref.experimentName,
      runName: ref.runName,
      runId: ref.id ?? null,
      parentRun: ref.parent?.key,
      tags: ref.tags,
    };
    // Counted as lost whether or not the spill file can be written; a failed write is reported once.
    if (kind) this.accounting.lost[kind] += n;
    try {
      this.spill.write(record, runRecord);
      this.accounting.spillFile = this.spill.path;
    } catch (err) {
      if (this.accounting.spillError === undefined) {
        this.accounting.spillError = errorMessage(err);
        this.accounting.warnings.push(`the spill file could not be written in ${this.spill.dir}: ${errorMessage(err)}`);
      }
    }
  }
}

/** A new version of registered model `name`; the model is created on first use. */
export async function registerVersion(
  client: MlflowClient,
  name: string,
  source: string,
  runId: string,
): Promise<void> {
  try {
    await client.createModelVersion({ name, source, run_id: runId });
  } catch (err) {
    if (!(err instanceof MlflowApiError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST')) throw err;
    try {
      await client.createRegisteredModel({ name });
    } catch (e) {
      if (!(e instanceof MlflowApiError && e.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw e;
    }
    await client.createModelVersion({ name, source, run_id: runId });
  }
}
