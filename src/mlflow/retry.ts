// Bounded retries with exponential backoff and jitter, on the statuses MLflow's Python client
// retries (urllib3: 408, 429, 500, 502, 503, 504) and on connection errors.

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

/**
 * Defaults are shorter than MLflow's (7 retries, factor 2, 120 s timeout, about 4 minutes before
 * giving up): a benchmark run must not stall for minutes when the server is down.
 * The MLflow environment variables override them, as in MLflow's client.
 */
export function retryPolicyFromEnv(env: NodeJS.ProcessEnv = process.env, base: Partial<RetryPolicy> = {}): RetryPolicy {
  const num = (name: string, fallback: number): number => {
    const raw = env[name];
    const value = raw === undefined ? NaN : Number(raw);
    return Number.isFinite(value) && value >= 0 ? value : fallback;
  };
  return {
    maxRetries: num('MLFLOW_HTTP_REQUEST_MAX_RETRIES', base.maxRetries ?? 4),
    backoffFactor: num('MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR', base.backoffFactor ?? 0.1),
    backoffJitter: num('MLFLOW_HTTP_REQUEST_BACKOFF_JITTER', base.backoffJitter ?? 0.1),
    maxBackoff: base.maxBackoff ?? 10,
    timeout: num('MLFLOW_HTTP_REQUEST_TIMEOUT', base.timeout ?? 30),
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
