// The mock MLflow: one store, one route table, one request log, one fault policy.
// Every transport hands requests to `answer` (or, through msw, to `handle` for a matched route),
// so faults and the request log behave the same whichever way a request came.
import { createHash } from 'node:crypto';
import { Faults, type FaultSpec } from './faults.ts';
import {
  errorReply,
  mlflowRoutes,
  notFoundReply,
  pathPattern,
  type MockReply,
  type MockRequest,
  type Route,
} from './handlers.ts';
import { endpointOf, RequestLog, runIdOf } from './request-log.ts';
import { MockStore } from './store.ts';

export interface MockMlflow {
  store: MockStore;
  routes: Route[];
  requestLog: RequestLog;
  faults: Faults;
  origin: string;
  /** Whether the request log keeps bodies and headers (MockOptions.keepBodies). */
  keepBodies: boolean;
  /** Route lookup, then `handle`; a path with no route gets the server's 404 page. */
  answer(request: MockRequest): Promise<MockReply>;
  /** Faults, then the route's handler, then a request-log entry. */
  handle(route: Route | undefined, request: MockRequest): Promise<MockReply>;
}

export interface MockOptions {
  /** Keep every request body (and headers but Authorization) in the request log (for checks that read them). */
  keepBodies?: boolean;
}

export function createMockMlflow(origin: string, faults: FaultSpec = {}, options: MockOptions = {}): MockMlflow {
  const store = new MockStore();
  const requestLog = new RequestLog();
  const policy = new Faults();
  policy.set(faults);
  const routes = mlflowRoutes(store);
  const exact = new Map<string, Route>();
  const prefixed: Route[] = [];
  const parameterised: { route: Route; pattern: RegExp }[] = [];
  for (const r of routes) {
    if (r.path.endsWith('*')) prefixed.push(r);
    else if (r.path.includes('{')) parameterised.push({ route: r, pattern: pathPattern(r.path) });
    else exact.set(`${r.method} ${r.path}`, r);
  }
  const lookup = (method: string, path: string): Route | undefined =>
    exact.get(`${method} ${path}`) ??
    parameterised.find((p) => p.route.method === method && p.pattern.test(path))?.route ??
    prefixed.find((r) => r.method === method && path.startsWith(r.path.slice(0, -1)));

  async function handle(route: Route | undefined, request: MockRequest): Promise<MockReply> {
    const started = performance.now();
    // To the microsecond: requests answered within the same millisecond do not overlap (EFF-004).
    const at = performance.timeOrigin + started;
    const verdict = await policy.apply();
    const reply =
      verdict.kind === 'unavailable'
        ? errorReply('TEMPORARILY_UNAVAILABLE', 'The mock MLflow server is unavailable (injected fault).')
        : route
          ? await route.handle(request)
          : notFoundReply();
    const path = request.url.pathname;
    requestLog.add({
      method: request.method,
      endpoint: endpointOf(path),
      path,
      status: reply.status,
      requestBytes: request.body.length,
      responseBytes: Buffer.byteLength(reply.body),
      durationMs: performance.now() - started,
      at,
      error: reply.status >= 400 ? errorText(reply) : undefined,
      authSha256: request.authorization ? createHash('sha256').update(request.authorization).digest('hex') : undefined,
      runId: runIdOf(request.url, request.contentType, request.body, request.parsedBody),
      body: options.keepBodies ? request.body : undefined,
      query: options.keepBodies && request.url.search ? request.url.search : undefined,
      headers: options.keepBodies ? request.headers : undefined,
    });
    return reply;
  }

  return {
    store,
    routes,
    requestLog,
    faults: policy,
    origin,
    keepBodies: options.keepBodies ?? false,
    handle,
    answer: (request) => handle(lookup(request.method, request.url.pathname), request),
  };
}

function errorText(reply: MockReply): string {
  try {
    const { message } = JSON.parse(String(reply.body)) as { message?: unknown }; // the mock's own error bodies
    return typeof message === 'string' ? message : '';
  } catch {
    return String(reply.body).slice(0, 200);
  }
}
