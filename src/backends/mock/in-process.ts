// The mock served in-process through msw's setupServer: node:http and fetch calls to the mock's
// origin are answered without a socket. For tests; measured trials use the loopback server.
import { http, HttpResponse, type HttpHandler } from 'msw';
import { setupServer } from 'msw/node';
import { routeThroughNodeHttp } from '../../mlflow/default-transport.ts';
import type { RunningBackend } from '../types.ts';
import type { FaultSpec } from './faults.ts';
import type { MockReply, MockRequest, Route } from './handlers.ts';
import { headersBesidesCredential, type RequestLog } from './request-log.ts';
import { createMockMlflow, type MockMlflow } from './mock-mlflow.ts';

export const IN_PROCESS_ORIGIN = 'http://mlflow.mock';

export interface InProcessMock extends RunningBackend {
  mock: MockMlflow;
  requestLog: RequestLog;
}

async function toMockRequest(request: Request): Promise<MockRequest> {
  return {
    method: request.method,
    url: new URL(request.url),
    contentType: request.headers.get('content-type') ?? '',
    authorization: request.headers.get('authorization') ?? undefined,
    headers: headersBesidesCredential(request.headers),
    body: Buffer.from(await request.arrayBuffer()),
  };
}

function toResponse(reply: MockReply): Response {
  return new HttpResponse(reply.body, { status: reply.status, headers: { 'content-type': reply.contentType } });
}

/** msw handlers for the mock's routes at one origin; anything else under the origin gets a 404. */
export function mswHandlers(mock: MockMlflow): HttpHandler[] {
  const verb = { GET: http.get, POST: http.post, PUT: http.put, PATCH: http.patch, DELETE: http.delete } as const;
  const one = (route: Route | undefined, path: string, method: typeof http.all) =>
    method(`${mock.origin}${path}`, async ({ request }) =>
      toResponse(await mock.handle(route, await toMockRequest(request))),
    );
  // msw spells a path parameter `:name`; the route tables spell it `{name}`.
  const mswPath = (path: string): string => path.replace(/\{(\w+)\}/g, ':$1');
  return [...mock.routes.map((r) => one(r, mswPath(r.path), verb[r.method])), one(undefined, '/*', http.all)];
}

export function startInProcessMock(faults: FaultSpec = {}, origin = IN_PROCESS_ORIGIN): Promise<InProcessMock> {
  const mock = createMockMlflow(origin, faults);
  const server = setupServer(...mswHandlers(mock));
  server.listen({ onUnhandledRequest: 'bypass' });
  // msw answers through node:http: the client's own sockets must not be used for this origin.
  const unroute = routeThroughNodeHttp(origin);
  return Promise.resolve({
    kind: 'mock',
    trackingUri: origin,
    requestLog: mock.requestLog,
    describe: `mock MLflow (in-process, ${origin})`,
    mock,
    setFaults: (spec) => mock.faults.set(spec),
    stop: () => {
      unroute();
      server.close();
      return Promise.resolve();
    },
  });
}
