// A circuit breaker for the tracking server: a transient failure (no answer, or a retryable status
// after the client's own retries) opens it; while open, delivery pauses and probes the server with
// growing waits, and resumes in order as soon as a probe succeeds. It never switches to spilling for
// good: it gives up only when told to (the pipeline ended and an outage has outlasted the drain
// time), or at once in fail-fast mode between probes (synchronous delivery must not hold the pipeline).
import { setTimeout as sleep } from 'node:timers/promises';
import { MlflowApiError, MlflowNetworkError } from '../../mlflow/errors.ts';
import { RETRYABLE_STATUSES } from '../../mlflow/retry.ts';

export interface BreakerOptions {
  /** First wait between probes, ms; doubles up to probeMaxMs. */
  probeMinMs: number;
  probeMaxMs: number;
  /** Wait (and probe) while open, or fail at once between probes. */
  mode: 'wait' | 'fail-fast';
  /** The time it reads and waits on (tests give a virtual one). */
  clock?: Clock;
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<unknown>;
}

const REAL_CLOCK: Clock = { now: () => Date.now(), sleep };

/** Delivery gave up on this value: the server has been unreachable too long. */
export class GaveUpError extends Error {
  constructor(readonly lastFailure: unknown) {
    super(`tracking server unreachable (${lastFailure instanceof Error ? lastFailure.message : String(lastFailure)})`);
    this.name = 'GaveUpError';
  }
}

export function isTransient(err: unknown): boolean {
  return err instanceof MlflowNetworkError || (err instanceof MlflowApiError && RETRYABLE_STATUSES.has(err.status));
}

export class CircuitBreaker {
  private openSince?: number;
  private lastError?: unknown;
  private nextProbeAt = 0;
  private wait: number;
  private deadline = Infinity;
  /** Set once draining: how long the server may be unreachable, in all, from then on. */
  private drainMs?: number;
  private drainStart = 0;
  /** Time unreachable since the drain began, in outages that have ended. */
  private drainSpent = 0;
  private readonly clock: Clock;
  /** Times the breaker opened. */
  outages = 0;
  /** Called when the breaker opens (the producer may stop waiting for room). */
  onOpen?: () => void;

  constructor(private readonly options: BreakerOptions) {
    this.wait = options.probeMinMs;
    this.clock = options.clock ?? REAL_CLOCK;
  }

  get isOpen(): boolean {
    return this.openSince !== undefined;
  }

  /**
   * From now on, stop waiting once the server has been unreachable for `ms` in all: an outage already on
   * counts from now, a later one from its start. A server that fails once late in a long drain (a slow
   * server, the rest of the queue still going out) gets what is left of the time, not none; one that keeps
   * failing cannot stretch the drain past it.
   */
  drainFor(ms: number): void {
    this.drainMs = ms;
    this.drainStart = this.clock.now();
    this.drainSpent = 0;
    this.deadline = this.drainStart + ms;
  }

  /** Runs `op` through the breaker: retried across an outage, or GaveUpError when giving up. */
  async call<T>(op: () => Promise<T>): Promise<T> {
    for (;;) {
      if (this.isOpen) {
        const now = this.clock.now();
        if (now >= this.deadline) throw new GaveUpError(this.lastError);
        if (now < this.nextProbeAt) {
          if (this.options.mode === 'fail-fast') throw new GaveUpError(this.lastError);
          await this.clock.sleep(Math.min(this.nextProbeAt, this.deadline) - now);
          continue;
        }
      }
      try {
        const out = await op();
        this.close();
        return out;
      } catch (err) {
        if (!isTransient(err)) {
          // The server answered: it is there, whatever it thought of this request.
          if (err instanceof MlflowApiError) this.close();
          throw err;
        }
        this.open(err);
      }
    }
  }

  private open(err: unknown): void {
    this.lastError = err;
    if (this.openSince === undefined) {
      this.openSince = this.clock.now();
      if (this.drainMs !== undefined) this.deadline = this.openSince + Math.max(0, this.drainMs - this.drainSpent);
      this.outages++;
      this.wait = this.options.probeMinMs;
      this.onOpen?.();
    } else this.wait = Math.min(this.options.probeMaxMs, this.wait * 2);
    this.nextProbeAt = this.clock.now() + this.wait;
  }

  private close(): void {
    if (this.openSince !== undefined && this.drainMs !== undefined)
      this.drainSpent += this.clock.now() - Math.max(this.openSince, this.drainStart);
    this.openSince = undefined;
    this.wait = this.options.probeMinMs;
  }
}
