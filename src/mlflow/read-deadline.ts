// An overall deadline for one read-back of what reached the tracking server. Each request has its own timeout and
// retries, and `pages` refuses a token handed back twice, yet a server that answers slowly but steadily, or pages on
// with ever-new tokens, kept the harness reading for good: a CI job hung instead of failing. Past the deadline the
// read-back's requests are aborted and it fails as the environment's fault (exit 3), never as a figure.
import { EnvironmentError } from '../errors.ts';
import { envNumber, TIMER_MAX_MS, type NumericVariable } from '../common/env-number.ts';
import { displayUri } from './auth.ts';
import { MlflowClient, type ClientOptions } from './client.ts';
import { defaultTransport } from './default-transport.ts';
import type { Transport } from './transport.ts';

/** The variable that sets the deadline of every read-back, in milliseconds; the CLI checks it up front from this. */
export const READ_BACK_TIMEOUT_VARIABLE: NumericVariable = {
  name: 'TRACKBENCH_READ_BACK_TIMEOUT_MS',
  unit: 'milliseconds',
  min: 1,
  max: TIMER_MAX_MS,
  integer: false,
};

/**
 * The default's floor: room for a few requests that time out and are tried again (30 s each by default, retry.ts)
 * before the server answers, and for a small run against a slow remote server.
 */
export const READ_BACK_BASE_MS = 120_000;
/**
 * The default's allowance per unit of work expected on the server: about one request (a value: a metric key's
 * history, an artifact's listing and download, params many to an answer; a node's own run; 100 KB of a file), which
 * a local `mlflow server` answers in 5-10 ms: 50 ms leaves five times that, so 5000 nodes x 10 params x 5 metrics
 * (75,000 values and 25,000 for the nodes' runs) get 120 s + 83 min, never cut off while healthy.
 */
export const READ_BACK_MS_PER_VALUE = 50;

/**
 * How long one read-back may take: TRACKBENCH_READ_BACK_TIMEOUT_MS when set, else READ_BACK_BASE_MS plus
 * READ_BACK_MS_PER_VALUE for each unit of `work` (measure/server-values.ts readBackWork; a Node timer's range at most).
 */
export function readBackTimeoutMs(work: number, env: NodeJS.ProcessEnv = process.env): number {
  const fixed = envNumber(env, READ_BACK_TIMEOUT_VARIABLE);
  if (fixed !== undefined) return fixed;
  return Math.min(TIMER_MAX_MS, READ_BACK_BASE_MS + READ_BACK_MS_PER_VALUE * Math.max(0, work));
}

/** How far a read-back got: the server's answers read (pages) and the runs read whole. */
export interface ReadProgress {
  /** Answers read (each page of a listing, each run, each file). */
  pages: number;
  /** Runs read whole (their params, metric histories, files and models). */
  runs: number;
}

/** A read-back that did not finish by its deadline: no verdict on values can be had from it. */
export class ReadBackTimeoutError extends EnvironmentError {
  constructor(
    /** The tracking URI, without credentials. */
    readonly uri: string,
    readonly timeoutMs: number,
    readonly progress: ReadProgress,
    /** Which read-back it was (after which trial), when the caller says. */
    readonly during?: string,
  ) {
    super(
      `no verdict on values: read-back of ${uri} did not finish within ${seconds(timeoutMs)} s ` +
        `(read ${progress.pages} pages/${progress.runs} runs)${during ? `, ${during}` : ''}; ` +
        `${READ_BACK_TIMEOUT_VARIABLE.name} sets the limit`,
    );
    this.name = 'ReadBackTimeoutError';
  }

  /** The same failure, saying which read-back it was. */
  in(during: string): ReadBackTimeoutError {
    return new ReadBackTimeoutError(this.uri, this.timeoutMs, this.progress, during);
  }
}

/** As exact as given (a 300 ms deadline reads 0.3 s, not 0 s). */
const seconds = (ms: number): string => String(ms / 1000);

/**
 * Runs `read` with a client of its own whose requests are aborted once `timeoutMs` has passed; the read then fails
 * with ReadBackTimeoutError, whatever it was waiting for. `read` counts the runs it read whole in `progress.runs`.
 */
export async function readWithin<T>(
  options: Pick<ClientOptions, 'trackingUri' | 'retry' | 'credentials'> & { timeoutMs: number },
  read: (client: MlflowClient, progress: ReadProgress) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  const progress: ReadProgress = { pages: 0, runs: 0 };
  const base = defaultTransport();
  // Each answer that is not an error is a page read.
  const counting: Transport = async (req) => {
    const res = await base(req);
    if (res.status >= 200 && res.status < 300) progress.pages++;
    return res;
  };
  const client = new MlflowClient({ ...options, transport: counting, signal: controller.signal });
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new ReadBackTimeoutError(displayUri(client.trackingUri), options.timeoutMs, progress);
      controller.abort(error);
      // Rejected here too: a step of `read` that sends no request (or ignores the signal) does not hold it up.
      reject(error);
    }, options.timeoutMs);
  });
  try {
    return await Promise.race([read(client, progress), expired]);
  } finally {
    clearTimeout(timer);
    base.close();
  }
}
