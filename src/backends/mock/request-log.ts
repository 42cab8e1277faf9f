// Every request the mock answered: the source of API-call counts and request bytes.

export interface RequestRecord {
  seq: number;
  method: string;
  /** e.g. `runs/log-batch`, or `mlflow-artifacts` for artifact uploads and downloads. */
  endpoint: string;
  path: string;
  status: number;
  /** Body bytes as sent by the client. */
  requestBytes: number;
  responseBytes: number;
  durationMs: number;
  /** Milliseconds since the epoch when the request arrived, with a fraction. */
  at: number;
  /** For error answers: MLflow's message (so checks can tell why a request was refused). */
  error?: string;
  /** sha256 of the Authorization header, if any: enough to check which credential was used, never the credential. */
  authSha256?: string;
  /** The run the request is about (its `run_id`, or the run folder of an artifact path), when it names one. */
  runId?: string;
  /** The body as sent, kept only when the mock is asked to (conformance looks for secrets in it). */
  body?: Buffer;
  /** The query string (`?a=b`), kept with the body. */
  query?: string;
  /** Every header but the credential (Authorization), by lower-case name, kept with the body. */
  headers?: Record<string, string>;
}

export interface RequestSummary {
  apiCalls: number;
  requestBytes: number;
  responseBytes: number;
  errors: number;
  byEndpoint: Record<string, number>;
}

export class RequestLog {
  private readonly records: RequestRecord[] = [];

  add(r: Omit<RequestRecord, 'seq'>): void {
    this.records.push({ seq: this.records.length, ...r });
  }

  /** A position to count from: `since(mark())` covers only what came after. */
  mark(): number {
    return this.records.length;
  }

  since(mark = 0): RequestRecord[] {
    return this.records.slice(mark);
  }

  get size(): number {
    return this.records.length;
  }

  clear(): void {
    this.records.length = 0;
  }
}

export function endpointOf(path: string): string {
  const api = path.match(/^\/(?:ajax-)?api\/\d\.\d\/mlflow\/(.+)$/);
  // the group is not optional: a match has it. A logged model's id is a path segment: one endpoint for all.
  if (api) return api[1]!.replace(/^logged-models\/(?!search$)[^/]+/, 'logged-models/{model_id}');
  if (path.startsWith('/api/2.0/mlflow-artifacts/')) return 'mlflow-artifacts';
  return path;
}

export function summarizeRequests(records: readonly RequestRecord[]): RequestSummary {
  const byEndpoint: Record<string, number> = {};
  let requestBytes = 0;
  let responseBytes = 0;
  let errors = 0;
  for (const r of records) {
    byEndpoint[r.endpoint] = (byEndpoint[r.endpoint] ?? 0) + 1;
    requestBytes += r.requestBytes;
    responseBytes += r.responseBytes;
    if (r.status >= 400) errors++;
  }
  return { apiCalls: records.length, requestBytes, responseBytes, errors, byEndpoint };
}

/** The run a request names: `run_id` in the query or JSON body, or the run folder in an artifact path.
 * `parsed`: the body as JSON.parse read it (null: it threw), when that is known already. */
export function runIdOf(
  url: URL,
  contentType: string,
  body: Buffer,
  parsed?: { value: unknown } | null,
): string | undefined {
  const fromQuery = url.searchParams.get('run_id') ?? url.searchParams.get('run_uuid');
  if (fromQuery) return fromQuery;
  const artifact = url.pathname.match(/\/mlflow-artifacts\/artifacts\/[^/]+\/([0-9a-f]{32})\//);
  if (artifact) return artifact[1];
  if (!contentType.includes('json') || body.length === 0) return undefined;
  let json: unknown;
  if (parsed !== undefined) {
    if (parsed === null) return undefined;
    json = parsed.value;
  } else {
    try {
      json = JSON.parse(body.toString('utf8'));
    } catch {
      return undefined;
    }
  }
  // Any JSON: only a string run_id or run_uuid is taken from it.
  const fields = json as { run_id?: unknown; run_uuid?: unknown } | null;
  const id = fields?.run_id ?? fields?.run_uuid;
  return typeof id === 'string' ? id : undefined;
}

/** A request's headers as [name, value] pairs (repeats included), without the credential: names in lower
 * case, a repeated header's values joined by ", ". Authorization is never kept (only its hash is). */
export function headersBesidesCredential(pairs: Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of pairs) {
    const key = name.toLowerCase();
    if (key === 'authorization') continue;
    out[key] = key in out ? `${out[key]}, ${value}` : value;
  }
  return out;
}

/** Node's raw header list (name, value, name, value, ...) as pairs: repeats kept, which `headers` drops. */
export function rawHeaderPairs(raw: readonly string[]): [string, string][] {
  const out: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) out.push([raw[i]!, raw[i + 1]!]);
  return out;
}
