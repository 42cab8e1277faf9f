// Bounded retries with exponential backoff and jitter, on the statuses MLflow's Python client
// retries (urllib3: 408, 429, 500, 502, 503, 504) and on connection errors.
import { envNumber, TIMER_MAX_MS, type NumericVariable } from '../common/env-number.ts';

export interface RetryPolicy {
  /** Retries after the first attempt (0 = no retry). */
  maxRetries: number;
  /** Seconds; the n-th retry waits backoffFactor * 2^(n-1), capped at maxBackoff. */
  backoffFactor: number;
  /** Seconds of uniform random jitter added to each wait. */
  backoffJitter: number;
  maxBackoff: number;
  /** Per-attempt timeout, seconds. */
  timeout: number;
}

export const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([408, 429, 500, 502, 503, 504]);

/** The MLflow client's variables, as MLflow's Python client reads them; the CLI checks them up front from these. */
export const RETRY_VARIABLES = {
  timeout: {
    name: 'MLFLOW_HTTP_REQUEST_TIMEOUT',
    unit: 'seconds',
    min: 0,
    max: Math.floor(TIMER_MAX_MS / 1000),
    integer: false,
  },
  maxRetries: { name: 'MLFLOW_HTTP_REQUEST_MAX_RETRIES', unit: 'retries', min: 0, max: 100, integer: true },
  backoffFactor: { name: 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR', unit: 'seconds', min: 0, max: 3600, integer: false },
  backoffJitter: { name: 'MLFLOW_HTTP_REQUEST_BACKOFF_JITTER', unit: 'seconds', min: 0, max: 3600, integer: false },
} as const satisfies Record<string, NumericVariable>;

/**
 * Defaults are shorter than MLflow's (7 retries, factor 2, 120 s timeout, about 4 minutes before
 * giving up): a benchmark run must not stall for minutes when the server is down.
 * The MLflow environment variables override them, as in MLflow's client (a value out of range is not taken).
 */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env, base: Partial<RetryPolicy> = {}): RetryPolicy {
  const num = (key: keyof typeof RETRY_VARIABLES, fallback: number): number =>
    envNumber(env, RETRY_VARIABLES[key]) ?? fallback;
  return {
    maxRetries: num('maxRetries', base.maxRetries ?? 4),
    backoffFactor: num('backoffFactor', base.backoffFactor ?? 0.1),
    backoffJitter: num('backoffJitter', base.backoffJitter ?? 0.1),
    maxBackoff: base.maxBackoff ?? 10,
    timeout: num('timeout', base.timeout ?? 30),
  };
}

/** Milliseconds to wait before retry number `retry` (1-based). `random` is in [0, 1). */
export function backoffMs(policy: RetryPolicy, retry: number, random: number = Math.random()): number {
  const base = Math.min(policy.maxBackoff, policy.backoffFactor * 2 ** (retry - 1));
  return Math.round((base + random * policy.backoffJitter) * 1000);
}

export const RETRYABLE_NETWORK_CODES: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'TIMEOUT',
]);
