// A typed MLflow REST client: one method per endpoint a tracking hook uses, typed errors,
// keep-alive connections, bounded retries with backoff and jitter, credentials from the environment.
import { setTimeout as sleep } from 'node:timers/promises';
import { credentialsFromEnv, displayUri, redact, type Credentials } from './auth.ts';
import { MlflowApiError, MlflowNetworkError } from './errors.ts';
import { createRunAttempts, type CreateRunRequest } from './created-run.ts';
import {
  backoffMs,
  RETRYABLE_NETWORK_CODES,
  RETRYABLE_STATUSES,
  retryPolicyFromEnv,
  type RetryPolicy,
} from './retry.ts';
import { defaultTransport } from './default-transport.ts';
import { TransportError, type Transport } from './transport.ts';
import {
  API_PREFIX,
  ARTIFACTS_PREFIX,
  type ErrorBody,
  type Experiment,
  type FileInfo,
  type KeyValue,
  type LoggedModel,
  type Metric,
  type ModelVersion,
  type Param,
  type RegisteredModel,
  type Run,
  type RunInfo,
  type RunStatus,
  type RunTag,
  type ViewType,
  parseWireJson,
  wireJson,
} from './wire.ts';
import { codeOf, messageOf } from '../common/caught.ts';

export interface ClientOptions {
  trackingUri: string;
  credentials?: Credentials;
  retry?: Partial<RetryPolicy>;
  transport?: Transport;
  /**
   * Ends every request of this client once aborted: the one in flight is cut off, no retry is waited for or sent, and
   * each call fails with the signal's reason (a read-back's deadline, read-deadline.ts).
   */
  signal?: AbortSignal;
}

/** What this client sent, counted on its side (the backend's request log is the authority). */
export interface ClientStats {
  requests: number;
  retries: number;
  failures: number;
}

type Query = Record<string, string | number | string[] | undefined>;
/** Asked before a retry, given the failure: an answer that makes the retry needless, or undefined to go ahead. */
type BeforeRetry<T> = (failure: Error) => Promise<T | undefined>;

/**
 * Empty pages in a row, each naming a next one, after which a listing is taken to page for ever. A server may hand
 * back an empty page with a token now and then (one filtered after paging), never a hundred in a row.
 */
export const MAX_EMPTY_PAGES_IN_A_ROW = 100;

/**
 * Each page of a paged listing in turn, from the first until a page names no next one. A server that hands back a
 * token it gave before would be asked for the same pages forever: that fails, naming `endpoint`; so do
 * MAX_EMPTY_PAGES_IN_A_ROW pages that hold no `items`, each with a new token. No bound on pages that hold items: a
 * listing of a big run is long, and only the read-back's deadline (read-deadline.ts) knows how long is too long.
 */
export async function* pages<P extends { next_page_token?: string }>(
  endpoint: string,
  fetchPage: (pageToken: string | undefined) => Promise<P>,
  items?: (page: P) => readonly unknown[],
): AsyncGenerator<P> {
  const seen = new Set<string>();
  let token: string | undefined;
  let emptyInARow = 0;
  do {
    const page = await fetchPage(token);
    yield page;
    token = page.next_page_token || undefined;
    if (token !== undefined && seen.has(token))
      throw new Error(`${endpoint} handed back the page token ${JSON.stringify(token)} again: its pages never end`);
    if (token !== undefined) seen.add(token);
    emptyInARow = token !== undefined && items?.(page).length === 0 ? emptyInARow + 1 : 0;
    if (emptyInARow >= MAX_EMPTY_PAGES_IN_A_ROW)
      throw new Error(
        `${endpoint} handed back ${emptyInARow} empty pages in a row, each with a new page token: its pages never end`,
      );
  } while (token !== undefined);
}

/** Every item of a paged listing: `items` picks them from each page. */
export async function allPages<P extends { next_page_token?: string }, T>(
  endpoint: string,
  fetchPage: (pageToken: string | undefined) => Promise<P>,
  items: (page: P) => readonly T[],
): Promise<T[]> {
  const all: T[] = [];
  for await (const page of pages(endpoint, fetchPage, items)) all.push(...items(page));
  return all;
}

export class MlflowClient {
  readonly trackingUri: string;
  readonly retry: RetryPolicy;
  readonly stats: ClientStats = { requests: 0, retries: 0, failures: 0 };
  private readonly base: URL;
  private readonly credentials: Credentials;
  private readonly transport: Transport;
  private readonly ownTransport?: { close(): void };
  private readonly signal?: AbortSignal;

  constructor(options: ClientOptions) {
    this.trackingUri = options.trackingUri.replace(/\/+$/, '');
    this.base = new URL(this.trackingUri);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new Error(`tracking URI must be http(s)://...; got ${displayUri(this.trackingUri)}`);
    }
    this.credentials = options.credentials ?? { secrets: [] };
    if (this.base.username || this.base.password) {
      // Credentials in the URI are honoured as Basic auth, then dropped from the URL itself.
      const basic = Buffer.from(
        `${decodeURIComponent(this.base.username)}:${decodeURIComponent(this.base.password)}`,
      ).toString('base64');
      this.credentials = {
        authorization: this.credentials.authorization ?? `Basic ${basic}`,
        secrets: [...this.credentials.secrets, basic, decodeURIComponent(this.base.password)].filter(Boolean),
      };
      this.base.username = '';
      this.base.password = '';
    }
    this.retry = retryPolicyFromEnv(process.env, options.retry);
    this.signal = options.signal;
    if (options.transport) this.transport = options.transport;
    else {
      const t = defaultTransport();
      this.transport = t;
      this.ownTransport = t;
    }
  }

  /** A client for MLFLOW_TRACKING_URI with credentials from the environment. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env, options: Partial<ClientOptions> = {}): MlflowClient {
    const uri = options.trackingUri ?? env.MLFLOW_TRACKING_URI;
    if (!uri) throw new Error('MLFLOW_TRACKING_URI is not set');
    return new MlflowClient({
      ...options,
      trackingUri: uri,
      credentials: options.credentials ?? credentialsFromEnv(env),
    });
  }

  /** Scrubs this client's secrets from any text about to be shown. */
  redact(text: string): string {
    return redact(text, this.credentials.secrets);
  }

  close(): void {
    this.ownTransport?.close();
  }

  // ---- experiments
  async getExperimentByName(name: string): Promise<Experiment> {
    return (await this.get<{ experiment: Experiment }>('experiments/get-by-name', { experiment_name: name }))
      .experiment;
  }
  async createExperiment(req: { name: string; artifact_location?: string; tags?: KeyValue[] }): Promise<string> {
    return (await this.post<{ experiment_id: string }>('experiments/create', req)).experiment_id;
  }
  async deleteExperiment(experimentId: string): Promise<void> {
    await this.post('experiments/delete', { experiment_id: experimentId });
  }
  async getExperiment(experimentId: string): Promise<Experiment> {
    return (await this.get<{ experiment: Experiment }>('experiments/get', { experiment_id: experimentId })).experiment;
  }
  async searchExperiments(
    req: { max_results?: number; page_token?: string; filter?: string; order_by?: string[]; view_type?: ViewType } = {},
  ): Promise<{ experiments: Experiment[]; next_page_token?: string }> {
    const r = await this.post<{ experiments?: Experiment[]; next_page_token?: string }>('experiments/search', req);
    return { experiments: r.experiments ?? [], next_page_token: r.next_page_token };
  }
  /** Get-by-name, else create; a concurrent create by someone else is resolved by getting again. */
  async getOrCreateExperiment(name: string): Promise<string> {
    try {
      return (await this.getExperimentByName(name)).experiment_id;
    } catch (err) {
      if (!(err instanceof MlflowApiError && err.errorCode === 'RESOURCE_DOES_NOT_EXIST')) throw err;
    }
    try {
      return await this.createExperiment({ name });
    } catch (err) {
      if (err instanceof MlflowApiError && err.errorCode === 'RESOURCE_ALREADY_EXISTS')
        return (await this.getExperimentByName(name)).experiment_id;
      throw err;
    }
  }

  // ---- runs
  /** Retried, it first looks for the run an attempt whose answer was lost made (created-run.ts); `attempts` are
   * the caller's when it retries too. */
  async createRun(req: CreateRunRequest, attempts = createRunAttempts(this, req)): Promise<Run> {
    const madeBefore = async (failure: Error): Promise<{ run: Run } | undefined> => {
      attempts.failed(failure);
      // A look that fails too is no answer: the retry goes ahead.
      const run = await attempts.earlier().catch(() => undefined);
      return run ? { run } : undefined;
    };
    return (await this.post<{ run: Run }>('runs/create', req, madeBefore)).run;
  }
  async updateRun(req: { run_id: string; status?: RunStatus; end_time?: number; run_name?: string }): Promise<RunInfo> {
    return (await this.post<{ run_info: RunInfo }>('runs/update', req)).run_info;
  }
  async getRun(runId: string): Promise<Run> {
    return (await this.get<{ run: Run }>('runs/get', { run_id: runId })).run;
  }
  async searchRuns(req: {
    experiment_ids: string[];
    filter?: string;
    run_view_type?: ViewType;
    max_results?: number;
    order_by?: string[];
    page_token?: string;
  }): Promise<{ runs: Run[]; next_page_token?: string }> {
    const r = await this.post<{ runs?: Run[]; next_page_token?: string }>('runs/search', req);
    return { runs: r.runs ?? [], next_page_token: r.next_page_token };
  }
  /** Every run of the experiments, following page tokens. */
  async searchAllRuns(req: { experiment_ids: string[]; filter?: string; run_view_type?: ViewType }): Promise<Run[]> {
    const page = (page_token: string | undefined) => this.searchRuns({ ...req, max_results: 1000, page_token });
    return allPages('runs/search', page, (p) => p.runs);
  }
  async deleteRun(runId: string): Promise<void> {
    await this.post('runs/delete', { run_id: runId });
  }
  async restoreRun(runId: string): Promise<void> {
    await this.post('runs/restore', { run_id: runId });
  }

  // ---- logging
  async logBatch(req: { run_id: string; metrics?: Metric[]; params?: Param[]; tags?: RunTag[] }): Promise<void> {
    await this.post('runs/log-batch', req);
  }
  async logMetric(req: {
    run_id: string;
    key: string;
    value: number;
    timestamp: number;
    step?: number;
  }): Promise<void> {
    await this.post('runs/log-metric', req);
  }
  async logParam(req: { run_id: string; key: string; value: string }): Promise<void> {
    await this.post('runs/log-parameter', req);
  }
  async setTag(req: { run_id: string; key: string; value: string }): Promise<void> {
    await this.post('runs/set-tag', req);
  }
  async deleteTag(req: { run_id: string; key: string }): Promise<void> {
    await this.post('runs/delete-tag', req);
  }
  async getMetricHistory(
    runId: string,
    key: string,
    page: { page_token?: string; max_results?: number } = {},
  ): Promise<{ metrics: Metric[]; next_page_token?: string }> {
    const r = await this.get<{ metrics?: Metric[]; next_page_token?: string }>('metrics/get-history', {
      run_id: runId,
      metric_key: key,
      ...page,
    });
    return { metrics: r.metrics ?? [], next_page_token: r.next_page_token };
  }

  // ---- artifacts (proxied through the tracking server: mlflow-artifacts:/...)
  async uploadArtifact(artifactUri: string, relativePath: string, bytes: Buffer): Promise<void> {
    const prefix = 'mlflow-artifacts:';
    if (!artifactUri.startsWith(prefix)) {
      throw new Error(
        `artifact upload needs a proxied artifact store (mlflow-artifacts:/...); this run's artifact_uri is ` +
          `${artifactUri}`,
      );
    }
    const root = artifactUri.slice(prefix.length).replace(/^\/+/, '');
    // A `..` would be resolved by URL parsing: the bytes would land in another run's folder (or endpoint).
    if (relativePath.split('/').some((s) => s === '..' || s === '.'))
      throw new Error(`artifact path ${JSON.stringify(relativePath)} leaves the run's artifact folder`);
    const path = `${root}/${relativePath}`.split('/').map(encodeURIComponent).join('/');
    await this.call(
      'PUT',
      `mlflow-artifacts/artifacts`,
      `${ARTIFACTS_PREFIX}/${path}`,
      undefined,
      bytes,
      'application/octet-stream',
    );
  }
  async downloadArtifact(artifactUri: string, relativePath: string): Promise<Buffer> {
    const root = artifactUri.replace(/^mlflow-artifacts:\/*/, '');
    const path = `${root}/${relativePath}`.split('/').map(encodeURIComponent).join('/');
    return this.call<Buffer>(
      'GET',
      'mlflow-artifacts/artifacts',
      `${ARTIFACTS_PREFIX}/${path}`,
      undefined,
      undefined,
      undefined,
      { raw: true },
    );
  }
  async listArtifacts(runId: string, path?: string): Promise<{ root_uri: string; files: FileInfo[] }> {
    const r = await this.get<{ root_uri: string; files?: FileInfo[] }>('artifacts/list', { run_id: runId, path });
    return { root_uri: r.root_uri, files: r.files ?? [] };
  }

  // ---- MLflow 3 logged models (a model's files live under its own artifact_uri)
  async searchLoggedModels(req: {
    experiment_ids: string[];
    filter?: string;
    max_results?: number;
    page_token?: string;
  }): Promise<{ models: LoggedModel[]; next_page_token?: string }> {
    const r = await this.post<{ models?: LoggedModel[]; next_page_token?: string }>('logged-models/search', req);
    return { models: r.models ?? [], next_page_token: r.next_page_token };
  }
  async listLoggedModelArtifacts(modelId: string, path?: string): Promise<{ root_uri: string; files: FileInfo[] }> {
    const r = await this.get<{ root_uri: string; files?: FileInfo[] }>(
      `logged-models/${encodeURIComponent(modelId)}/artifacts/directories`,
      { artifact_directory_path: path },
    );
    return { root_uri: r.root_uri, files: r.files ?? [] };
  }

  // ---- model registry
  async createRegisteredModel(req: {
    name: string;
    tags?: KeyValue[];
    description?: string;
  }): Promise<RegisteredModel> {
    return (await this.post<{ registered_model: RegisteredModel }>('registered-models/create', req)).registered_model;
  }
  async getRegisteredModel(name: string): Promise<RegisteredModel> {
    return (await this.get<{ registered_model: RegisteredModel }>('registered-models/get', { name })).registered_model;
  }
  async searchRegisteredModels(
    req: { filter?: string; max_results?: number; page_token?: string } = {},
  ): Promise<{ registered_models: RegisteredModel[]; next_page_token?: string }> {
    const r = await this.get<{ registered_models?: RegisteredModel[]; next_page_token?: string }>(
      'registered-models/search',
      req,
    );
    return { registered_models: r.registered_models ?? [], next_page_token: r.next_page_token };
  }
  async createModelVersion(req: {
    name: string;
    source: string;
    run_id?: string;
    tags?: KeyValue[];
    run_link?: string;
    description?: string;
  }): Promise<ModelVersion> {
    return (await this.post<{ model_version: ModelVersion }>('model-versions/create', req)).model_version;
  }

  async searchModelVersions(
    req: { filter?: string; max_results?: number; page_token?: string } = {},
  ): Promise<{ model_versions: ModelVersion[]; next_page_token?: string }> {
    const r = await this.get<{ model_versions?: ModelVersion[]; next_page_token?: string }>(
      'model-versions/search',
      req,
    );
    return { model_versions: r.model_versions ?? [], next_page_token: r.next_page_token };
  }

  /** GET /health: true when the server answers OK. */
  async health(): Promise<boolean> {
    try {
      const res = await this.transport({
        method: 'GET',
        url: new URL('/health', this.base),
        headers: this.headers(),
        timeoutMs: 2000,
      });
      return res.status === 200;
    } catch {
      return false;
    }
  }

  // ---- plumbing
  private get<T>(endpoint: string, query: Query): Promise<T> {
    return this.call<T>('GET', endpoint, `${API_PREFIX}/${endpoint}`, query);
  }
  private post<T = unknown>(endpoint: string, body: object, beforeRetry?: BeforeRetry<T>): Promise<T> {
    return this.call<T>(
      'POST',
      endpoint,
      `${API_PREFIX}/${endpoint}`,
      undefined,
      Buffer.from(wireJson(body)),
      'application/json',
      { beforeRetry },
    );
  }

  private headers(contentType?: string): Record<string, string> {
    const h: Record<string, string> = { accept: 'application/json', 'user-agent': 'trackbench' };
    if (contentType) h['content-type'] = contentType;
    if (this.credentials.authorization) h.authorization = this.credentials.authorization;
    return h;
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'PUT',
    endpoint: string,
    path: string,
    query?: Query,
    body?: Buffer,
    contentType?: string,
    { raw = false, beforeRetry }: { raw?: boolean; beforeRetry?: BeforeRetry<T> } = {},
  ): Promise<T> {
    const url = new URL(this.base.pathname.replace(/\/$/, '') + path, this.base);
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined) continue;
      for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
    }
    const headers = this.headers(contentType);
    const signal = this.signal;
    for (let attempt = 1; ; attempt++) {
      this.throwIfAborted();
      this.stats.requests++;
      let retryable: boolean;
      let failure: Error;
      try {
        const timeoutMs = this.retry.timeout * 1000;
        const res = await this.transport({ method, url, headers, body, timeoutMs, signal });
        // raw calls are typed Buffer by their callers
        if (res.status >= 200 && res.status < 300) return raw ? (res.body as T) : parseJson<T>(res.body);
        failure = this.apiError(endpoint, res.status, res.body, attempt);
        retryable = RETRYABLE_STATUSES.has(res.status);
      } catch (err) {
        this.throwIfAborted();
        const code = err instanceof TransportError ? err.code : (codeOf(err) ?? 'ERROR');
        failure = new MlflowNetworkError(
          endpoint,
          code,
          attempt,
          this.redact(`(${displayUri(this.trackingUri)}): ${messageOf(err)}`),
        );
        retryable = RETRYABLE_NETWORK_CODES.has(code);
      }
      if (!retryable || attempt > this.retry.maxRetries) {
        this.stats.failures++;
        throw failure;
      }
      this.stats.retries++;
      await sleep(backoffMs(this.retry, attempt), undefined, { signal }).catch(() => this.throwIfAborted());
      const answer = await beforeRetry?.(failure);
      if (answer !== undefined) return answer;
    }
  }

  /** Aborted (signal): the signal's reason is the failure, not what the cut-off exchange reported. */
  private throwIfAborted(): void {
    // The reason an AbortController was given is whatever its owner aborted with (an Error, read-deadline.ts).
    if (this.signal?.aborted) throw this.signal.reason as Error;
  }

  private apiError(endpoint: string, status: number, body: Buffer, attempts: number): MlflowApiError {
    let code = `HTTP_${status}`;
    let message = body.toString('utf8').slice(0, 300);
    try {
      // only optional fields are read, each checked before use
      const parsed = JSON.parse(body.toString('utf8')) as Partial<ErrorBody>;
      if (parsed.error_code) code = parsed.error_code;
      if (parsed.message !== undefined) message = parsed.message;
    } catch {
      message = message
        .replace(/<[^>]+>/g, ' ')
        .replace(/\s+/g, ' ')
        .trim();
    }
    return new MlflowApiError(endpoint, status, code, this.redact(message), attempts);
  }
}

// the server's answer for the endpoint, typed by the wire types (MLflow's REST API); not validated
function parseJson<T>(body: Buffer): T {
  if (body.length === 0) return {} as T;
  return parseWireJson(body.toString('utf8')) as T;
}
