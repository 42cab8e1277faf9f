// The reference hook's delivery: values are queued per run, packed into log-batch requests up to
// MLflow's limits, and sent by one background worker in order (run creation before its values,
// values before the run's end). When the server stops answering, a circuit breaker pauses delivery
// and probes until it is back, then delivery resumes in order. Values go to the spill file only when
// they are still undelivered once the pipeline ended and the server has been unreachable for the
// drain time since, or when the bounded queue is full during an outage (counted apart). Invalid values
// are rejected with a reason; the rest of their batch is delivered. Every value ends delivered, spilled
// or rejected: once.
import { errorMessage } from '../../errors.ts';
import type { MlflowClient } from '../../mlflow/client.ts';
import { createRunAttempts, type CreateRunAttempts } from '../../mlflow/created-run.ts';
import { MlflowApiError } from '../../mlflow/errors.ts';
import { keyValueProblem, metricProblem } from '../../mlflow/limits.ts';
import type { KeyValue, Metric, RunStatus } from '../../mlflow/wire.ts';
import type { Accounting, ValueKind } from './accounting.ts';
import {
  deliverBatch,
  emptyPending,
  isFull,
  size,
  takeBatch,
  withoutInvalid,
  type ItemKind,
  type Pending,
} from './batch.ts';
import { CircuitBreaker } from './breaker.ts';
import { createRunOnce } from './create-once.ts';
import { InFlight } from './in-flight.ts';
import type { RunRecord, SpillRecord, SpillWriter } from './spill.ts';

export { takeBatch } from './batch.ts';

/** A run as the outbox knows it; `id` is set once the server created it. */
export interface RunRef {
  key: string;
  experimentName: string;
  runName: string;
  tags: KeyValue[];
  parent?: RunRef;
  id?: string;
  artifactUri?: string;
  /** Set when every creation failed and one may have made the run though its answer was lost: its start time. */
  maybeCreatedAt?: number;
}

export interface OutboxOptions {
  batching: boolean;
  async: boolean;
  /** Values (artifacts and models count one each) held in memory at most. */
  queueBound: number;
  flushIntervalMs: number;
  /** Child runs whose jobs run side by side at most (asynchronous delivery): a few requests in flight, far from
   * what exhausts MLflow's connection pool (see in-flight.ts). */
  parallelRuns: number;
  /**
   * `count`: what each request holds follows from the values alone, never from the clock or from how
   * fast the server answers (no timer; partial batches only at the end or when the values waiting to
   * be batched alone fill the queue), and each caller waits for what it scheduled, so the order of
   * the work does not depend on the server either. Counted trials need it: the same trial sends the
   * same requests and executes the same instructions.
   */
  flush?: 'timer' | 'count';
  /** After the pipeline ends, how long (in all) to keep probing an unreachable server before spilling. */
  drainMs: number;
  /** Waits between probes of an unreachable server: from probeMinMs, doubling up to probeMaxMs. */
  probeMinMs: number;
  probeMaxMs: number;
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Outbox {
  private chain: Promise<void> = Promise.resolve();
  /** Asynchronous delivery: each child run's latest job, run beside the others' (see enqueue). */
  private readonly lanes = new Map<RunRef, Promise<void>>();
  private readonly laneSlots: InFlight;
  private readonly pending = new Map<RunRef, Pending>();
  /** Values handed to the outbox and not yet delivered, spilled or rejected. */
  private queued = 0;
  /** Jobs enqueued and not yet finished. */
  private scheduled = 0;
  private readonly breaker: CircuitBreaker;
  private roomWaiters: (() => void)[] = [];
  private timer?: NodeJS.Timeout;
  private spillWarned = false;
  maxQueued = 0;

  constructor(
    private readonly client: MlflowClient,
    private readonly options: OutboxOptions,
    private readonly accounting: Accounting,
    private readonly spill: SpillWriter,
  ) {
    this.laneSlots = new InFlight(options.parallelRuns);
    // Synchronous delivery holds the pipeline: between probes it spills at once rather than wait.
    this.breaker = new CircuitBreaker({
      probeMinMs: options.probeMinMs,
      probeMaxMs: options.probeMaxMs,
      mode: options.async ? 'wait' : 'fail-fast',
    });
    this.breaker.onOpen = () => {
      this.accounting.outages = this.breaker.outages;
      this.wakeProducers();
    };
    if (options.flushIntervalMs > 0 && options.flush !== 'count') {
      this.timer = setInterval(() => this.schedulePartials(), options.flushIntervalMs);
      this.timer.unref();
    }
  }

  /**
   * Runs `job` after everything scheduled before it. Jobs never reject. Asynchronous delivery starts
   * each job on a later turn of the event loop, not in the microtasks right after the hook call that
   * scheduled it: serialising a batch and starting its request then wait for the node's own I/O
   * instead of holding the node's start (and the hook call's latency as the runner sees it).
   */
  private enqueue(job: () => Promise<void>, ref?: RunRef): Promise<void> {
    this.scheduled++;
    const guarded = (): Promise<void> =>
      job()
        .catch((err: unknown) => {
          this.accounting.warnings.push(`a delivery step failed: ${errorMessage(err)}`);
        })
        .finally(() => void this.scheduled--);
    const run = this.options.async ? () => nextTurn().then(guarded) : guarded;
    if (ref?.parent && !this.lockstep) {
      // A child run's jobs wait for the main chain as it was (its parent's creation) and for its own
      // earlier jobs, not for other child runs: a slow server then costs a few requests' time for every
      // `parallelRuns` nodes, not a few per node in series.
      const lane = (this.lanes.get(ref) ?? this.chain).then(() => this.laneSlots.run(run));
      this.lanes.set(ref, lane);
      void lane.then(() => {
        if (this.lanes.get(ref) === lane) this.lanes.delete(ref);
      });
      return lane;
    }
    // The pipeline's run after its child runs' jobs so far (a parent ends after its children).
    const before = this.lanes.size ? Promise.all([this.chain, ...this.lanes.values()]) : this.chain;
    this.chain = before.then(run);
    return this.chain;
  }

  /**
   * Whether callers wait for what they scheduled: synchronous delivery, and count mode (counted
   * trials), whose instructions would otherwise depend on when the server's answers arrive.
   */
  private get lockstep(): boolean {
    return !this.options.async || this.options.flush === 'count';
  }

  /**
   * In lockstep callers wait for what was scheduled (count mode only when something was: a
   * method with nothing to wait for returns at once, as it does in asynchronous delivery).
   */
  private settle(): Promise<void> | undefined {
    if (!this.options.async) return this.chain;
    return this.lockstep && this.scheduled > 0 ? this.chain : undefined;
  }

  private readonly call = <T>(op: () => Promise<T>): Promise<T> => this.breaker.call(op);

  createRun(ref: RunRef, experimentId: () => Promise<string>): Promise<void> {
    this.accounting.generated.tags += ref.tags.length;
    // The run starts when the hook asks for it, not when the queued request goes out (values are stamped from then).
    const startTime = Date.now();
    const job = this.enqueue(async () => {
      const { valid, rejected } = withoutInvalid({ ...emptyPending(), tags: ref.tags });
      let attempts: CreateRunAttempts | undefined;
      for (const r of rejected) this.accounting.reject(r.kind, r.key, r.reason);
      try {
        if (ref.parent && !ref.parent.id) throw new Error('the parent run was not created');
        const expId = await this.call(experimentId);
        const parentTag = ref.parent?.id ? [{ key: 'mlflow.parentRunId', value: ref.parent.id }] : [];
        const req = {
          experiment_id: expId,
          run_name: ref.runName,
          start_time: startTime,
          tags: [...valid.tags, ...parentTag],
        };
        attempts = createRunAttempts(this.client, req);
        const run = await this.call(createRunOnce(this.client, req, attempts));
        ref.id = run.info.run_id;
        ref.artifactUri = run.info.artifact_uri;
        this.accounting.delivered.tags += valid.tags.length;
        // Values spilled while the run waited for the server: replay must find this run.
        if (this.spill.names(ref.key)) this.spillRun(ref, undefined);
      } catch (err) {
        // The run record carries its tags; replay creates the run with them, or finds the one a lost answer made.
        if (attempts?.uncertain) ref.maybeCreatedAt = startTime;
        if (this.spillRun(ref, undefined)) this.accounting.spill('tags', valid.tags.length);
        else this.accounting.lost.tags += valid.tags.length;
        this.accounting.warnings.push(`run "${ref.runName}" could not be created: ${errorMessage(err)}`);
      }
    }, ref);
    return this.lockstep ? job : Promise.resolve();
  }

  /** Logs into a run that already exists (mlflow.yml `tracking.run.id`) instead of creating one. */
  attachRun(ref: RunRef, runId: string): Promise<void> {
    const job = this.enqueue(async () => {
      try {
        const run = await this.call(() => this.client.getRun(runId));
        ref.id = run.info.run_id;
        ref.artifactUri = run.info.artifact_uri;
      } catch (err) {
        this.accounting.warnings.push(`run ${runId} (tracking.run.id) could not be opened: ${errorMessage(err)}`);
      }
    });
    return this.lockstep ? job : Promise.resolve();
  }

  /**
   * Queues values for `ref`. Returns a promise only when the caller has to wait: synchronous delivery, a
   * full queue, or count mode with a job scheduled (settle). Otherwise nothing, so a hook's method can
   * return at once (no promise to race a timeout).
   */
  add(ref: RunRef, kind: ItemKind, items: KeyValue[] | Metric[]): Promise<void> | undefined {
    if (!items.length) return undefined;
    this.accounting.generated[kind] += items.length;
    if (this.mustWait(items.length)) return this.addWhenRoom(ref, kind, items);
    return this.queue(ref, kind, items);
  }

  private async addWhenRoom(ref: RunRef, kind: ItemKind, items: KeyValue[] | Metric[]): Promise<void> {
    if (!(await this.makeRoom(items.length))) {
      const values = emptyPending();
      (values[kind] as (KeyValue | Metric)[]).push(...items);
      this.accounting.overflowSpilled += items.length;
      this.spillValues(
        ref,
        values,
        `the in-memory queue (${this.options.queueBound} values) was full during an outage`,
      );
      return;
    }
    await this.queue(ref, kind, items);
  }

  private queue(ref: RunRef, kind: ItemKind, items: KeyValue[] | Metric[]): Promise<void> | undefined {
    this.hold(items.length);
    if (!this.options.batching) {
      for (const item of items) void this.enqueue(() => this.sendOne(ref, kind, item), ref);
      return this.settle();
    }
    let p = this.pending.get(ref);
    if (!p) this.pending.set(ref, (p = emptyPending()));
    (p[kind] as (KeyValue | Metric)[]).push(...items);
    while (isFull(p)) this.scheduleBatch(ref, takeBatch(p));
    return this.settle();
  }

  addArtifact(ref: RunRef, path: string, bytes: Buffer): Promise<void> {
    return this.addFile(ref, 'artifacts', { type: 'artifact', run: ref.key, path }, bytes, async () => {
      await this.call(() => this.client.uploadArtifact(ref.artifactUri!, path, bytes));
    });
  }

  /** Uploads the model's bytes and registers them as a new version of `name` (created if missing). */
  addModel(ref: RunRef, name: string, path: string, bytes: Buffer): Promise<void> {
    return this.addFile(ref, 'models', { type: 'model', run: ref.key, name, path }, bytes, async () => {
      await this.call(() => this.client.uploadArtifact(ref.artifactUri!, path, bytes));
      await registerVersion(this.client, name, `${ref.artifactUri!}/${path}`, ref.id!, this.call);
    });
  }

  private async addFile(
    ref: RunRef,
    kind: 'artifacts' | 'models',
    what: { type: 'artifact'; run: string; path: string } | { type: 'model'; run: string; name: string; path: string },
    bytes: Buffer,
    send: () => Promise<void>,
  ): Promise<void> {
    this.accounting.generated[kind]++;
    const spill = (reason: string): void => {
      this.spillRun(ref, { ...what, base64: bytes.toString('base64'), reason }, kind, 1);
    };
    if (!(await this.makeRoom(1))) {
      this.accounting.overflowSpilled++;
      spill(`the in-memory queue (${this.options.queueBound} values) was full during an outage`);
      return;
    }
    this.hold(1);
    // Jobs never reject: the chain is awaited by flush and close.
    void this.enqueue(async () => {
      try {
        if (!ref.artifactUri || !ref.id) throw new Error('the run was not created');
        await send();
        this.accounting.delivered[kind]++;
      } catch (err) {
        spill(errorMessage(err));
      } finally {
        this.release(1);
      }
    }, ref);
    return this.settle();
  }

  /** Sends what is pending for the run, then ends it with `status`. */
  endRun(ref: RunRef, status: RunStatus): Promise<void> {
    // Stamped now, when the run ends, not when the queue gets to it (late behind a slow server).
    const endTime = Date.now();
    this.schedulePartials(ref);
    const job = this.enqueue(async () => {
      try {
        if (!ref.id) throw new Error('the run was not created');
        const runId = ref.id;
        await this.call(() => this.client.updateRun({ run_id: runId, status, end_time: endTime }));
      } catch (err) {
        this.spillRun(ref, { type: 'end', run: ref.key, status, endTime, reason: errorMessage(err) });
      }
    }, ref);
    return this.lockstep ? job : Promise.resolve();
  }

  /** Everything scheduled and pending is sent (or spilled) when this resolves. */
  async flush(): Promise<void> {
    this.schedulePartials();
    // Child runs' jobs too, including any a job still running schedules (each lane leaves the map when done).
    do await Promise.all([this.chain, ...this.lanes.values()]);
    while (this.lanes.size);
  }

  /** Drains: keeps probing an unreachable server for `drainMs` in all, then spills what is left. */
  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.breaker.drainFor(this.options.drainMs);
    await this.flush();
    this.accounting.outages = this.breaker.outages;
  }

  /** Whether `n` more values overrun the queue (one value or file alone may always go in). */
  private mustWait(n: number): boolean {
    return this.queued > 0 && this.queued + n > this.options.queueBound;
  }

  /** Waits for room in the queue; false when the server is unreachable and the queue is full. */
  private async makeRoom(n: number): Promise<boolean> {
    while (this.mustWait(n)) {
      if (this.breaker.isOpen) return false;
      // Timer mode sends what is waiting as soon as the queue is full, and how much that is depends on
      // how fast the server answered. Count mode does so only when the unbatched values alone fill
      // the queue (a figure set by the values added), and otherwise waits for batches in flight.
      if (this.options.flush !== 'count' || this.unbatched() + n > this.options.queueBound) this.schedulePartials();
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    return true;
  }

  /** Values added and not yet in a scheduled batch. */
  private unbatched(): number {
    let n = 0;
    for (const p of this.pending.values()) n += size(p);
    return n;
  }

  private hold(n: number): void {
    this.queued += n;
    this.maxQueued = Math.max(this.maxQueued, this.queued);
  }

  private release(n: number): void {
    this.queued -= n;
    this.wakeProducers();
  }

  private wakeProducers(): void {
    const waiters = this.roomWaiters;
    this.roomWaiters = [];
    for (const wake of waiters) wake();
  }

  private schedulePartials(only?: RunRef): void {
    for (const [ref, p] of this.pending) {
      if (only && ref !== only) continue;
      while (size(p) > 0) this.scheduleBatch(ref, takeBatch(p));
    }
  }

  private scheduleBatch(ref: RunRef, batch: Pending): void {
    void this.enqueue(() => this.sendBatch(ref, batch), ref);
  }

  private async sendBatch(ref: RunRef, b: Pending): Promise<void> {
    try {
      if (!ref.id) {
        this.spillValues(ref, b, 'the run was not created');
        return;
      }
      const out = await deliverBatch(this.client, ref.id, b, this.call);
      this.accounting.delivered.params += out.delivered.params.length;
      this.accounting.delivered.tags += out.delivered.tags.length;
      this.accounting.delivered.metrics += out.delivered.metrics.length;
      for (const r of out.rejected) this.accounting.reject(r.kind, r.key, r.reason);
      if (out.undelivered) this.spillValues(ref, out.undelivered.values, errorMessage(out.undelivered.error));
    } finally {
      this.release(size(b));
    }
  }

  private async sendOne(ref: RunRef, kind: 'params' | 'tags' | 'metrics', item: KeyValue | Metric): Promise<void> {
    const values = emptyPending();
    (values[kind] as (KeyValue | Metric)[]).push(item);
    try {
      const problem = kind === 'metrics' ? metricProblem(item as Metric) : keyValueProblem(item);
      if (problem) {
        this.accounting.reject(kind, item.key, problem);
        return;
      }
      if (!ref.id) throw new Error('the run was not created');
      const runId = ref.id;
      if (kind === 'params') await this.call(() => this.client.logParam({ run_id: runId, ...(item as KeyValue) }));
      else if (kind === 'tags') await this.call(() => this.client.setTag({ run_id: runId, ...(item as KeyValue) }));
      else await this.call(() => this.client.logMetric({ run_id: runId, ...(item as Metric) }));
      this.accounting.delivered[kind]++;
    } catch (err) {
      if (err instanceof MlflowApiError && err.status === 400) this.accounting.reject(kind, item.key, err.message);
      else this.spillValues(ref, values, errorMessage(err));
    } finally {
      this.release(1);
    }
  }

  /** Spills a run's params, tags and metrics (one record per kind), counting them spilled. */
  private spillValues(ref: RunRef, v: Pending, reason: string): void {
    if (v.params.length)
      this.spillRun(ref, { type: 'params', run: ref.key, items: v.params, reason }, 'params', v.params.length);
    if (v.tags.length) this.spillRun(ref, { type: 'tags', run: ref.key, items: v.tags, reason }, 'tags', v.tags.length);
    if (v.metrics.length)
      this.spillRun(ref, { type: 'metrics', run: ref.key, items: v.metrics, reason }, 'metrics', v.metrics.length);
  }

  /** Writes `record` (after its run's record); false when the spill file failed (the values are lost). */
  private spillRun(ref: RunRef, record: SpillRecord | undefined, kind?: ValueKind, n = 0): boolean {
    const runRecord: RunRecord = {
      type: 'run',
      run: ref.key,
      experimentName: ref.experimentName,
      runName: ref.runName,
      runId: ref.id ?? null,
      parentRun: ref.parent?.key,
      tags: ref.tags,
      ...(ref.maybeCreatedAt !== undefined && !ref.id ? { maybeCreatedAt: ref.maybeCreatedAt } : {}),
    };
    if (this.spill.write(record, runRecord)) {
      this.accounting.spillFile = this.spill.path;
      if (kind) this.accounting.spill(kind, n);
      return true;
    }
    // Neither delivered nor spilled: lost, and said so.
    if (kind) this.accounting.lost[kind] += n;
    this.accounting.spillError = this.spill.failure;
    if (!this.spillWarned) {
      this.spillWarned = true;
      this.accounting.warnings.push(this.spill.failure ?? 'the spill file could not be written');
    }
    return false;
  }
}

/** A new version of registered model `name`; the model is created on first use. */
export async function registerVersion(
  client: MlflowClient,
  name: string,
  source: string,
  runId: string,
  call: <T>(op: () => Promise<T>) => Promise<T> = (op) => op(),
): Promise<void> {
  try {
    await call(() => client.createModelVersion({ name, source, run_id: runId }));
  } catch (err) {
    if (!(err instanceof MlflowApiError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST')) throw err;
    try {
      await call(() => client.createRegisteredModel({ name }));
    } catch (e) {
      if (!(e instanceof MlflowApiError && e.errorCode === 'RESOURCE_ALREADY_EXISTS')) throw e;
    }
    await call(() => client.createModelVersion({ name, source, run_id: runId }));
  }
}
