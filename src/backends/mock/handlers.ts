// The MLflow endpoints as request handlers over a MockStore, kept apart from how requests arrive
// (as msw does it): in-process.ts adapts the same handlers to msw, http-server.ts to node:http.
import { ARTIFACTS_PREFIX, ERROR_STATUS, wireJson, type Metric } from '../../mlflow/wire.ts';
import { modelFilter, runFilter, versionFilter } from './filters.ts';
import { loggedModelRoutes } from './model-routes.ts';
import { protoRead } from './proto-read.ts';
import { parsePyJson } from './py-float.ts';
import { pyDumps } from './py-json.ts';
import { keyValues, list, page, str, text, type Json } from './request-fields.ts';
import type { MockStore } from './store.ts';
import {
  assertArray,
  assertString,
  invalid,
  MockMlflowError,
  notFound,
  parseDouble,
  parseInt64,
  required,
  requiredItem,
  requiredString,
} from './validation.ts';

/** A request as the handlers see it, whatever transport brought it. */
export interface MockRequest {
  method: string;
  url: URL;
  contentType: string;
  body: Buffer;
  authorization?: string;
  /** Every other header (see headersBesidesCredential), for the request log. */
  headers?: Record<string, string>;
  /** The body as JSON.parse reads it (null: it threw), once a handler has parsed it: the request log takes the
   * run id from it instead of parsing the body again. */
  parsedBody?: { value: unknown } | null;
}

/** An answer as the handlers give it; transports turn it into bytes on a socket or a fetch Response. */
export interface MockReply {
  status: number;
  contentType: string;
  body: Buffer | string;
}

type Answer = Json | MockReply;

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface Route {
  method: Method;
  /** Path after the origin; a trailing `*` matches any rest, a `{name}` segment any one segment. */
  path: string;
  handle(request: MockRequest): Promise<MockReply>;
}

const ERROR_CLASS: Record<string, string> = {
  RESOURCE_DOES_NOT_EXIST: 'RESOURCE_NOT_FOUND',
  INTERNAL_ERROR: 'CLIENT_INTERNAL_ERROR',
};
const SQLSTATE: Record<string, string> = { INTERNAL_ERROR: 'XXM00' };

export function errorReply(errorCode: string, message: string): MockReply {
  const body = {
    error_code: errorCode,
    message,
    sqlstate: SQLSTATE[errorCode] ?? 'KAM00',
    error_class: ERROR_CLASS[errorCode] ?? errorCode,
  };
  return { status: ERROR_STATUS[errorCode] ?? 500, contentType: 'application/json', body: pyDumps(body) };
}

/** Success bodies are pretty-printed with two spaces, as MLflow's message_to_json does; a NaN double is
 * written "NaN" as protobuf-JSON spells it (the store keeps no infinities: they are clamped when logged). */
function ok(body: Json): MockReply {
  return { status: 200, contentType: 'application/json', body: wireJson(body, 2) };
}

function isReply(a: Answer): a is MockReply {
  // a look at the fields that tell a reply from a plain JSON answer
  return typeof (a as MockReply).status === 'number' && typeof (a as MockReply).contentType === 'string';
}

async function respond(fn: () => Answer | Promise<Answer>): Promise<MockReply> {
  try {
    const out = await fn();
    return isReply(out) ? out : ok(out);
  } catch (err) {
    if (err instanceof MockMlflowError) return errorReply(err.errorCode, err.message);
    return errorReply('INTERNAL_ERROR', err instanceof Error ? err.message : String(err));
  }
}

function jsonBody(request: MockRequest): Json {
  // split() always returns at least one element
  const type = request.contentType.split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') throw invalid("Bad Request. Content-Type must be one of ['application/json'].");
  const text = request.body.toString('utf8');
  if (!text.trim()) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
    request.parsedBody = { value: parsed };
  } catch {
    request.parsedBody = null;
    try {
      // json.loads' NaN and Infinity tokens, which JSON.parse refuses
      parsed = parsePyJson(text);
    } catch {
      throw new MockMlflowError('BAD_REQUEST', 'Bad Request. The request body is not valid JSON.');
    }
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
    throw new MockMlflowError('BAD_REQUEST', 'Bad Request. The request body must be a JSON object.');
  // Checked above: a JSON object. As protobuf reads it for strings (protoRead), the handlers' checks included: a
  // key so cut reads as missing here, where MLflow says it "would resolve to '.'" (400 both). Decoded UTF-8 holds
  // no lone surrogate, only a \u escape can make one: bodies without any (nearly all) are not walked.
  return text.includes('\\u') ? protoRead(parsed as Json) : (parsed as Json);
}

function queryOf(request: MockRequest): Json {
  const params = request.url.searchParams;
  const out: Json = {};
  for (const key of new Set(params.keys())) {
    const all = params.getAll(key);
    out[key] = all.length > 1 ? all : all[0];
  }
  return out;
}

/** The handler's checks of a metric's raw JSON (log-metric's schema): present, and floatlike and intlike. */
function checkMetric(x: Json): void {
  required(x, 'key');
  required(x, 'value');
  required(x, 'timestamp');
  parseDouble(x.value, 'value');
  parseInt64(x.timestamp, 'timestamp');
  if (x.step !== undefined) parseInt64(x.step, 'step');
}

/** log-batch checks only that each metric's key, value and timestamp are there. */
function checkBatchMetric(x: Json, index: number): void {
  requiredItem(x, 'metrics', index, 'key');
  requiredItem(x, 'metrics', index, 'value');
  requiredItem(x, 'metrics', index, 'timestamp');
}

const isFiniteValue = (m: Json): boolean => typeof m.value === 'number' && Number.isFinite(m.value);

/** A metric as MLflow builds it from the parsed message (see protoRead): unset fields are 0 or ''. The metric
 * is log-metric's (index -1) or the `index`th of log-batch's. */
function metricOf(x: Json, index: number): Metric {
  return {
    key: x.key === undefined ? '' : text(x.key),
    // protoRead leaves a number here or nothing
    value: typeof x.value === 'number' ? x.value : 0,
    timestamp: int64Field(x, 'timestamp', index),
    step: int64Field(x, 'step', index),
  };
}

/** A metric's int64 field (0 when unset); its path is built only for an error. */
function int64Field(x: Json, field: 'timestamp' | 'step', index: number): number {
  const v = x[field];
  if (v === undefined) return 0;
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  return parseInt64(v, index < 0 ? field : `metrics[${index}].${field}`);
}

const isProtoString = (v: unknown): boolean => v === undefined || v === null || typeof v === 'string';

/** Whether protobuf's ParseDict reads a CreateExperiment body: name and artifact_location strings (or null),
 * tags a list (or null) of objects whose key and value are strings (or null). */
function experimentParses(b: Json): boolean {
  if (!isProtoString(b.name) || !isProtoString(b.artifact_location)) return false;
  if (b.tags === undefined || b.tags === null) return true;
  return (
    Array.isArray(b.tags) &&
    b.tags.every(
      (t: unknown) =>
        t !== null &&
        typeof t === 'object' &&
        !Array.isArray(t) &&
        // checked on the lines above: an object
        isProtoString((t as Json).key) &&
        isProtoString((t as Json).value),
    )
  );
}

/** A route path's `{name}` segments as a pattern over a request path. */
export function pathPattern(path: string): RegExp {
  const source = path
    .split(/(\{\w+\})/)
    .map((part) => (/^\{\w+\}$/.test(part) ? '([^/]+)' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`);
}

/** Reads the values of a route path's `{name}` segments from a request path, in order (none for a plain path). */
function pathParams(path: string): (request: MockRequest) => string[] {
  if (!path.includes('{')) return () => [];
  const pattern = pathPattern(path);
  return (request) => request.url.pathname.match(pattern)?.slice(1).map(decodeURIComponent) ?? [];
}

type Handler = (input: Json, params: string[]) => Answer | Promise<Answer>;

/** Every route, under /api and the /ajax-api mirror. */
export function mlflowRoutes(store: MockStore): Route[] {
  const routes: Route[] = [];
  const route = (method: Method, endpoint: string, fn: Handler): void => {
    for (const prefix of ['/api/2.0/mlflow', '/ajax-api/2.0/mlflow']) {
      const path = `${prefix}/${endpoint}`;
      // GET and DELETE carry their fields in the query, as MLflow's _get_request_message reads them.
      const input = (r: MockRequest): Json => (method === 'GET' || method === 'DELETE' ? queryOf(r) : jsonBody(r));
      const params = pathParams(path);
      routes.push({ method, path, handle: (request) => respond(() => fn(input(request), params(request))) });
    }
  };

  route('POST', 'experiments/create', (b) => {
    // handlers.py's schema in its order: name required and a string, artifact_location a string, tags a list;
    // the types are checked only when protobuf could not read the body (and then a null fails them).
    const name = requiredString(b, 'name');
    if (!experimentParses(b)) {
      assertString(b, 'name');
      if ('artifact_location' in b) assertString(b, 'artifact_location');
      if ('tags' in b) assertArray(b, 'tags');
    }
    return { experiment_id: store.createExperiment(name, keyValues(b.tags, 'tags')) };
  });
  route('GET', 'experiments/get', (q) => ({ experiment: store.getExperiment(requiredString(q, 'experiment_id')) }));
  route('GET', 'experiments/get-by-name', (q) => ({
    experiment: store.getExperimentByName(requiredString(q, 'experiment_name')),
  }));
  route('POST', 'experiments/search', (b) => {
    const max = b.max_results === undefined ? 1000 : parseInt64(b.max_results, 'max_results');
    return page(store.searchExperiments(str(b.view_type)), b.page_token, max, 'experiments');
  });
  route(
    'POST',
    'experiments/delete',
    (b) => (store.setExperimentStage(requiredString(b, 'experiment_id'), 'deleted'), {}),
  );
  route(
    'POST',
    'experiments/restore',
    (b) => (store.setExperimentStage(requiredString(b, 'experiment_id'), 'active'), {}),
  );

  route('POST', 'runs/create', (b) => ({
    run: store.createRun(
      text(b.experiment_id ?? ''),
      str(b.run_name),
      b.start_time === undefined ? 0 : parseInt64(b.start_time, 'start_time'),
      keyValues(b.tags, 'tags'),
    ),
  }));
  route('POST', 'runs/update', (b) => ({
    run_info: store.updateRun(
      requiredString(b, 'run_id'),
      str(b.status),
      b.end_time === undefined ? undefined : parseInt64(b.end_time, 'end_time'),
      str(b.run_name),
    ),
  }));
  route('GET', 'runs/get', (q) => ({ run: store.getRun(requiredString(q, 'run_id')) }));
  route('POST', 'runs/delete', (b) => (store.deleteRun(requiredString(b, 'run_id')), {}));
  route('POST', 'runs/restore', (b) => (store.restoreRun(requiredString(b, 'run_id')), {}));
  route('POST', 'runs/search', (b) => {
    const max = b.max_results === undefined ? 1000 : parseInt64(b.max_results, 'max_results');
    return page(
      store.searchRuns(
        list<string>(b.experiment_ids).map(String),
        runFilter(str(b.filter)),
        str(b.run_view_type) ?? 'ACTIVE_ONLY',
      ),
      b.page_token,
      max,
      'runs',
    );
  });

  route('POST', 'runs/log-batch', (b) => {
    requiredString(b, 'run_id');
    list<Json>(b.metrics).forEach(checkBatchMetric);
    const params = keyValues(b.params, 'params');
    const tags = keyValues(b.tags, 'tags');
    // protoRead changes only a body with a metric value that is not a finite JSON number: the rest are
    // read as they are, without a second walk of the body.
    const message = list<Json>(b.metrics).every(isFiniteValue)
      ? b
      : protoRead(b, (path) => /^metrics\[\d+\]\.value$/.test(path));
    const metrics = list<Json>(message.metrics).map(metricOf);
    // params and tags hold no doubles: protoRead keeps them whole, or drops them after a refused value
    store.logBatch(
      text(message.run_id ?? ''),
      metrics,
      'params' in message ? params : [],
      'tags' in message ? tags : [],
    );
    return {};
  });
  route('POST', 'runs/log-metric', (b) => {
    requiredString(b, 'run_id');
    checkMetric(b);
    const message = isFiniteValue(b) ? b : protoRead(b, (path) => path === 'value');
    // a run_id after a value protobuf refused was never read: the store looks up run ''
    if (message.run_id === undefined) throw notFound('Run with id= not found');
    store.logMetric(text(message.run_id), metricOf(message, -1));
    return {};
  });
  route('POST', 'runs/log-parameter', (b) => {
    const runId = requiredString(b, 'run_id');
    store.logParam(runId, requiredString(b, 'key'), str(b.value) ?? '');
    return {};
  });
  route('POST', 'runs/set-tag', (b) => {
    const runId = requiredString(b, 'run_id');
    store.setTag(runId, requiredString(b, 'key'), str(b.value) ?? '');
    return {};
  });
  route('POST', 'runs/delete-tag', (b) => (store.deleteTag(requiredString(b, 'run_id'), requiredString(b, 'key')), {}));
  route('GET', 'metrics/get-history', (q) => {
    const metrics = store.metricHistory(requiredString(q, 'run_id'), requiredString(q, 'metric_key'));
    // As MLflow's: every value unless the client asks for pages.
    if (q.max_results !== undefined)
      return page(metrics, q.page_token, parseInt64(q.max_results, 'max_results'), 'metrics');
    return metrics.length ? { metrics } : {};
  });

  route('GET', 'artifacts/list', (q) => store.listArtifacts(requiredString(q, 'run_id'), str(q.path)));

  route('POST', 'registered-models/create', (b) => ({
    registered_model: store.createRegisteredModel(
      requiredString(b, 'name'),
      keyValues(b.tags, 'tags'),
      str(b.description),
    ),
  }));
  route('GET', 'registered-models/get', (q) => ({
    registered_model: store.getRegisteredModel(requiredString(q, 'name')),
  }));
  route('GET', 'registered-models/search', (q) => {
    const models = store.searchRegisteredModels(
      modelFilter(str(q.filter)),
      q.max_results === undefined ? 100 : parseInt64(q.max_results, 'max_results'),
    );
    return models.length ? { registered_models: models } : {};
  });
  route('GET', 'model-versions/search', (q) => {
    const max = q.max_results === undefined ? 10000 : parseInt64(q.max_results, 'max_results');
    return page(store.searchModelVersions(versionFilter(str(q.filter))), q.page_token, max, 'model_versions');
  });
  route('POST', 'model-versions/create', (b) => ({
    model_version: store.createModelVersion(
      requiredString(b, 'name'),
      requiredString(b, 'source'),
      str(b.run_id),
      keyValues(b.tags, 'tags'),
      str(b.run_link) ?? '',
      str(b.description) ?? '',
      str(b.model_id),
    ),
  }));
  loggedModelRoutes(store, route);

  // Proxied artifact upload and download.
  const artifactPath = (request: MockRequest): string =>
    decodeURIComponent(request.url.pathname.slice(ARTIFACTS_PREFIX.length + 1));
  routes.push(
    {
      method: 'PUT',
      path: `${ARTIFACTS_PREFIX}/*`,
      handle: (request) =>
        respond(() => {
          store.putArtifact(artifactPath(request), request.body);
          return { status: 200, contentType: 'text/html; charset=utf-8', body: '' };
        }),
    },
    {
      method: 'GET',
      path: `${ARTIFACTS_PREFIX}/*`,
      handle: (request) =>
        respond(() => {
          const bytes = store.getArtifact(artifactPath(request));
          if (!bytes) throw new MockMlflowError('RESOURCE_DOES_NOT_EXIST', `File not found: ${artifactPath(request)}`);
          return { status: 200, contentType: 'application/octet-stream', body: bytes };
        }),
    },
    {
      method: 'GET',
      path: '/health',
      handle: () => Promise.resolve({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'OK' }),
    },
    {
      method: 'GET',
      path: '/version',
      handle: () => Promise.resolve({ status: 200, contentType: 'text/plain; charset=utf-8', body: 'trackbench-mock' }),
    },
  );
  return routes;
}

/** What the real server sends for a path it has no route for. */
export function notFoundReply(): MockReply {
  const html =
    '<!doctype html>\n<html lang=en>\n<title>404 Not Found</title>\n<h1>Not Found</h1>\n<p>The requested URL was ' +
    'not found on the server. If you entered the URL manually please check your spelling and try again.</p>\n';
  return { status: 404, contentType: 'text/html; charset=utf-8', body: html };
}
