// The client's own HTTP/1.1 (src/mlflow/socket-transport.ts) against node:http servers and against raw
// sockets that answer the ways node:http's server never does (close-delimited, 100 Continue, cut short).
import { execFile, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { routeThroughNodeHttp, defaultTransport } from '../src/mlflow/default-transport.ts';
import { socketTransport } from '../src/mlflow/socket-transport.ts';
import { TransportError, type HttpRequest } from '../src/mlflow/transport.ts';

const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const portOf = (server: net.Server): number => (server.address() as AddressInfo).port; // listening on TCP

async function httpServer(handler: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void) {
  let connections = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  server.on('connection', () => connections++);
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((r) => server.close(r));
  });
  return { origin: `http://127.0.0.1:${portOf(server)}`, connections: () => connections, server };
}

/** A server that writes `answer` (raw bytes) for each request it reads, then closes if asked. */
async function rawServer(answer: string | ((n: number) => string), close = false) {
  let n = 0;
  const server = net.createServer((socket) => {
    let seen = '';
    socket.on('data', (d: Buffer) => {
      seen += d.toString('latin1');
      // one request per head here (the tests send no bodies to this server)
      while (seen.includes('\r\n\r\n')) {
        seen = seen.slice(seen.indexOf('\r\n\r\n') + 4);
        socket.write(typeof answer === 'string' ? answer : answer(n++));
        if (close) socket.end();
      }
    });
    socket.on('error', () => {});
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  cleanups.push(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${portOf(server)}`;
}

function transport(max?: number) {
  const t = socketTransport(max);
  cleanups.push(() => t.close());
  return t;
}

const get = (origin: string, path = '/x', timeoutMs = 5000): HttpRequest => ({
  method: 'GET',
  url: new URL(path, origin),
  headers: { accept: 'application/json' },
  timeoutMs,
});

describe('socketTransport', () => {
  it('sends what node:http would, and reads a Content-Length answer, on one kept-alive connection', async () => {
    const seen: { method?: string; url?: string; headers: IncomingMessage['headers']; body: string }[] = [];
    const s = await httpServer((req, res, body) => {
      seen.push({ method: req.method, url: req.url, headers: req.headers, body: body.toString() });
      res.writeHead(201, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const t = transport();
    const body = Buffer.from(JSON.stringify({ run_id: 'r', params: [{ key: 'k', value: 'é' }] }));
    for (let i = 0; i < 3; i++) {
      const res = await t({
        method: 'POST',
        url: new URL('/api/2.0/mlflow/runs/log-batch?a=1&b=%20', s.origin),
        headers: { 'content-type': 'application/json', authorization: 'Bearer t' },
        body,
        timeoutMs: 5000,
      });
      expect(res).toEqual({ status: 201, contentType: 'application/json', body: Buffer.from('{"ok":true}') });
    }
    expect(seen).toHaveLength(3);
    expect(seen[0]).toMatchObject({
      method: 'POST',
      url: '/api/2.0/mlflow/runs/log-batch?a=1&b=%20',
      body: body.toString(),
      headers: {
        host: new URL(s.origin).host,
        'content-type': 'application/json',
        authorization: 'Bearer t',
        'content-length': String(body.length),
      },
    });
    expect(s.connections()).toBe(1);
  });

  it('reads chunked answers (with trailers) and large answers that come in many reads', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 'abcdefgh');
    const s = await httpServer((req, res) => {
      if (req.url === '/big') return void res.writeHead(200, { 'content-length': big.length }).end(big);
      res.writeHead(200, { 'content-type': 'text/plain', trailer: 'x-check' });
      res.write('first,');
      res.write('');
      res.write('second');
      res.addTrailers({ 'x-check': 'done' });
      res.end();
    });
    const t = transport();
    expect((await t(get(s.origin, '/chunked'))).body.toString()).toBe('first,second');
    expect((await t(get(s.origin, '/big'))).body.equals(big)).toBe(true);
    // the chunked answer was read to its end: the connection served the next request
    expect((await t(get(s.origin, '/chunked'))).body.toString()).toBe('first,second');
    expect(s.connections()).toBe(1);
  });

  it('takes a large chunk as it comes (copied once, not once per read); refuses a head with no end', async () => {
    const big = Buffer.alloc(4 * 1024 * 1024, 'chunk data');
    const s = await httpServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      // one chunk of 4 MB: the socket delivers it in many reads of at most 64 KB
      res.end(big);
    });
    const concat = vi.spyOn(Buffer, 'concat');
    cleanups.push(() => concat.mockRestore());
    const body = (await transport()(get(s.origin))).body;
    expect(body.equals(big)).toBe(true);
    // once into the body, plus leftovers of a size line or a CRLF: not 64 reads x 2 MB on average
    const concatenated = concat.mock.calls.reduce((n, [list]) => n + list.reduce((m, b) => m + b.length, 0), 0);
    expect(concatenated).toBeLessThan(2 * big.length);

    const endless = await rawServer(`HTTP/1.1 200 OK\r\n${'x-filler: y\r\n'.repeat(2000)}`);
    await expect(transport()(get(endless))).rejects.toMatchObject({ code: 'HPE_HEADER_OVERFLOW' });
    const sizeLine = await rawServer(`HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n${'0'.repeat(8000)}`);
    await expect(transport()(get(sizeLine))).rejects.toMatchObject({ code: 'HPE_INVALID_CHUNK_SIZE' });
  });

  it('reads an answer framed by the connection closing, and skips a 100 Continue', async () => {
    const closing = await rawServer('HTTP/1.0 200 OK\r\ncontent-type: text/plain\r\n\r\nuntil the end', true);
    expect((await transport()(get(closing))).body.toString()).toBe('until the end');
    const interim = await rawServer('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n');
    const t = transport();
    expect((await t(get(interim))).status).toBe(204);
    expect((await t(get(interim))).status).toBe(204);
  });

  it('opens a new connection after `Connection: close` and after the server drops an idle one', async () => {
    const s = await httpServer((req, res) => {
      res.writeHead(200, req.url === '/close' ? { connection: 'close' } : {}).end('x');
    });
    const t = transport();
    await t(get(s.origin, '/close'));
    await t(get(s.origin, '/keep'));
    expect(s.connections()).toBe(2);
    s.server.closeIdleConnections();
    await new Promise((r) => setTimeout(r, 100)); // the close reaches the client
    expect((await t(get(s.origin, '/keep'))).body.toString()).toBe('x');
    expect(s.connections()).toBe(3);
  });

  it('fails with node-like codes: refused, cut short, timed out, a bad answer, a line break in a header', async () => {
    const t = transport();
    const closedPort = net.createServer().listen(0, '127.0.0.1');
    await once(closedPort, 'listening');
    const port = portOf(closedPort);
    await new Promise((r) => closedPort.close(r));
    await expect(t(get(`http://127.0.0.1:${port}`))).rejects.toMatchObject({ code: 'ECONNREFUSED' });

    const cut = await rawServer('HTTP/1.1 200 OK\r\ncontent-length: 100\r\n\r\nonly part', true);
    await expect(t(get(cut))).rejects.toMatchObject({ code: 'ECONNRESET' });

    const silent = await httpServer(() => {});
    await expect(t(get(silent.origin, '/', 200))).rejects.toMatchObject({ code: 'TIMEOUT' });

    const garbage = await rawServer('SSH-2.0-OpenSSH\r\n\r\n');
    await expect(t(get(garbage))).rejects.toBeInstanceOf(TransportError);

    const s = await httpServer((_req, res) => res.end('x'));
    const injected = { ...get(s.origin), headers: { 'x-a': 'b\r\nx-evil: 1' } };
    await expect(t(injected)).rejects.toMatchObject({ code: 'ERR_INVALID_CHAR' });
    expect(s.connections()).toBe(0);
  });

  it('after close(), as node:http after its agent is destroyed, a request opens a new connection', async () => {
    const s = await httpServer((_req, res) => res.end('x'));
    const t = transport();
    await t(get(s.origin));
    t.close();
    expect((await t(get(s.origin))).body.toString()).toBe('x');
    expect(s.connections()).toBe(2);
  });

  it('keeps at most maxSockets requests in flight to an origin; the rest wait their turn', async () => {
    let inFlight = 0;
    let most = 0;
    const s = await httpServer((_req, res) => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => {
        inFlight--;
        res.end('x');
      }, 30);
    });
    const t = transport(2);
    const answers = await Promise.all(Array.from({ length: 6 }, () => t(get(s.origin))));
    expect(answers.map((a) => a.body.toString())).toEqual(Array(6).fill('x'));
    expect(most).toBe(2);
    expect(s.connections()).toBe(2);
  });

  it('checks the server certificate over https (a self-signed one is refused)', async (ctx) => {
    let dir: string;
    try {
      dir = mkdtempSync(join(tmpdir(), 'trackbench-tls-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      execFileSync(
        'openssl',
        [
          ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'],
          ...['-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')],
        ],
        { stdio: 'ignore' },
      );
    } catch {
      return ctx.skip(); // no openssl to make a certificate with
    }
    const server = tls.createServer(
      { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) },
      (socket) => socket.end('HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok'),
    );
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    cleanups.push(() => new Promise((r) => server.close(r)));
    await expect(transport()(get(`https://localhost:${portOf(server)}`))).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
  });
});

describe('defaultTransport', () => {
  it('sends to an origin answered in this process through node:http, others on its own sockets', async () => {
    const s = await httpServer((_req, res) => res.end('direct'));
    const t = defaultTransport();
    cleanups.push(() => t.close());
    expect((await t(get(s.origin))).body.toString()).toBe('direct');
    // While routed through node:http the same server still answers (node:http's agent, a second connection).
    const unroute = routeThroughNodeHttp(s.origin);
    expect((await t(get(s.origin))).body.toString()).toBe('direct');
    expect(s.connections()).toBe(2);
    unroute();
    unroute(); // twice is harmless
    expect((await t(get(s.origin))).body.toString()).toBe('direct');
    expect(s.connections()).toBe(2);
  });
});

describe('socketTransport and the process', () => {
  it('does not keep a process alive with an idle socket (as node:http does not)', async () => {
    const s = await httpServer((_req, res) => res.end('x'));
    s.server.keepAliveTimeout = 60_000; // the server would keep the connection open for a minute
    const module = new URL('../src/mlflow/socket-transport.ts', import.meta.url).pathname;
    const url = `new URL('/x', ${JSON.stringify(s.origin)})`;
    const script = [
      `import { socketTransport } from ${JSON.stringify(module)};`,
      'const t = socketTransport();',
      `const r = await t({ method: 'GET', url: ${url}, headers: {}, timeoutMs: 5000 });`,
      'console.log(r.body.toString());',
    ].join('\n');
    const started = Date.now();
    // asynchronously: the server answering it lives in this process
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        timeout: 20_000,
      },
    );
    expect(stdout.trim()).toBe('x');
    // exited by itself (a kept socket would have held it past the 20 s timeout, a failure)
    expect(Date.now() - started).toBeLessThan(20_000);
    expect(s.connections()).toBe(1);
  });
});
