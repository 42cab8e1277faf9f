// The mock served as a real HTTP server on 127.0.0.1, for clients in other processes (measured
// trials, Python plugins). Same handlers, same request log as the in-process mode.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { EnvironmentError } from '../../errors.ts';
import type { RunningBackend } from '../types.ts';
import type { FaultSpec } from './faults.ts';
import { headersBesidesCredential, rawHeaderPairs, type RequestLog } from './request-log.ts';
import { createMockMlflow, type MockMlflow } from './mock-mlflow.ts';
import { listeningPort } from '../listening.ts';

export interface HttpMock extends RunningBackend {
  mock: MockMlflow;
  requestLog: RequestLog;
  port: number;
  /** TCP connections accepted so far (keep-alive clients reuse one). */
  connections(): number;
}

export async function startHttpMock(
  options: { port?: number; host?: string; faults?: FaultSpec; mock?: MockMlflow; keepBodies?: boolean } = {},
): Promise<HttpMock> {
  const host = options.host ?? '127.0.0.1';
  // The mock needs the port for its origin: requests are served once it exists (attached below,
  // in the same turn as `listen` reports, so no request can arrive before).
  const server = createServer();
  server.keepAliveTimeout = 60_000;
  let connections = 0;
  server.on('connection', () => connections++);
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        new EnvironmentError(
          err.code === 'EADDRINUSE'
            ? `port ${options.port} on ${host} is already in use`
            : `mock MLflow could not listen: ${err.message}`,
        ),
      ),
    );
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = listeningPort(server);
  const origin = `http://${host}:${port}`;
  // `mock`: serve an existing state again (a server restarted on its port, its store kept).
  const mock = options.mock ?? createMockMlflow(origin, options.faults, { keepBodies: options.keepBodies });
  server.on('request', (req, res) => void serve(mock, req, res));
  return {
    kind: 'mock',
    trackingUri: origin,
    port,
    connections: () => connections,
    requestLog: mock.requestLog,
    describe: `mock MLflow (HTTP, ${origin})`,
    mock,
    setFaults: (spec) => mock.faults.set(spec),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The request's body (events, not an async iterator: cheaper per request); a request cut short rejects. */
function bodyOf(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    // no encoding is set on the request, so chunks are Buffers
    req.on('data', (c: Buffer) => chunks.push(c));
    // length checked on the same line
    req.on('end', () => resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks)));
    req.on('error', reject);
    // 'close' follows every request: an Error (and its stack) is built only when the body never came whole
    req.on('close', () => {
      if (!req.complete) reject(new Error('the request was cut short'));
    });
  });
}

async function serve(mock: MockMlflow, req: IncomingMessage, res: ServerResponse): Promise<void> {
  try {
    const reply = await mock.answer({
      method: req.method ?? 'GET',
      url: new URL(req.url ?? '/', mock.origin),
      contentType: req.headers['content-type'] ?? '',
      authorization: req.headers.authorization,
      // only a mock that keeps bodies logs the headers
      headers: mock.keepBodies ? headersBesidesCredential(rawHeaderPairs(req.rawHeaders)) : undefined,
      body: await bodyOf(req),
    });
    res.writeHead(reply.status, { 'content-type': reply.contentType, 'content-length': Buffer.byteLength(reply.body) });
    res.end(reply.body);
  } catch (err) {
    // Headers may be out already (a failure while answering): then only end the response.
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' });
    res.end(`mock MLflow internal error: ${err instanceof Error ? err.message : String(err)}`);
  }
}
