// A loopback proxy that forwards to any http tracking server and records every request in a
// RequestLog, so API calls and request bytes are counted the same way against a real server as
// against the mock.
import { createHash } from 'node:crypto';
import http from 'node:http';
import { endpointOf, headersBesidesCredential, rawHeaderPairs, RequestLog, runIdOf } from './mock/request-log.ts';
import type { RunningBackend } from './types.ts';
import { listeningPort } from './listening.ts';

/** `keepBodies`: each record also holds the body, its headers (but Authorization) and the run it names
 * (conformance reads them), as the mock's do. */
export async function withRequestLog(
  backend: RunningBackend,
  options: { keepBodies?: boolean } = {},
): Promise<RunningBackend> {
  if (backend.requestLog) return backend;
  const upstream = new URL(backend.trackingUri);
  if (upstream.protocol !== 'http:') return backend; // https: counted nowhere; reports say so
  const log = new RequestLog();
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const server = http.createServer((req, res) => {
    const started = performance.now();
    // To the microsecond: requests answered within the same millisecond do not overlap (EFF-004).
    const at = performance.timeOrigin + started;
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const url = new URL(req.url ?? '/', 'http://x');
      const kept = options.keepBodies
        ? {
            body,
            runId: runIdOf(url, req.headers['content-type'] ?? '', body),
            query: url.search || undefined,
            headers: headersBesidesCredential(rawHeaderPairs(req.rawHeaders)),
          }
        : {};
      const headers = { ...req.headers, host: upstream.host };
      const out = http.request(
        { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
        (up) => {
          const back: Buffer[] = [];
          up.on('data', (c: Buffer) => back.push(c));
          up.on('end', () => {
            const payload = Buffer.concat(back);
            const path = url.pathname;
            log.add({
              ...kept,
              method: req.method ?? 'GET',
              endpoint: endpointOf(path),
              path,
              status: up.statusCode ?? 0,
              requestBytes: body.length,
              responseBytes: payload.length,
              durationMs: performance.now() - started,
              at,
              error: up.statusCode && up.statusCode >= 400 ? errorMessageOf(payload) : undefined,
              authSha256: req.headers.authorization
                ? createHash('sha256').update(req.headers.authorization).digest('hex')
                : undefined,
            });
            res.writeHead(up.statusCode ?? 502, up.headers);
            res.end(payload);
          });
        },
      );
      out.on('error', (err) => {
        // A request the server never answered is still an API call the hook made.
        const path = url.pathname;
        log.add({
          ...kept,
          method: req.method ?? 'GET',
          endpoint: endpointOf(path),
          path,
          status: 502,
          requestBytes: body.length,
          responseBytes: 0,
          durationMs: performance.now() - started,
          at,
          error: `upstream failed: ${err.message}`,
        });
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`trackbench proxy: upstream failed: ${err.message}`);
      });
      out.end(body);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = listeningPort(server);
  return {
    ...backend,
    trackingUri: `http://127.0.0.1:${port}`,
    requestLog: log,
    describe: `${backend.describe}, counted through a recording proxy`,
    stop: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      agent.destroy();
      await backend.stop();
    },
  };
}

/** MLflow's `message` from an error answer, as the mock records it. */
function errorMessageOf(payload: Buffer): string | undefined {
  try {
    const body = JSON.parse(payload.toString('utf8')) as { message?: unknown };
    return typeof body.message === 'string' ? body.message : undefined;
  } catch {
    return undefined;
  }
}
