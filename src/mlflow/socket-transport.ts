// HTTP/1.1 exchanges written and read directly on kept-alive net/tls sockets. It does what node:http's
// client does for this one client's requests (Content-Length bodies, answers framed by Content-Length,
// chunks or the connection's end, 1xx answers skipped, keep-alive unless the server closes) at a
// fraction of its cost: a tracking hook pays it on the pipeline's own thread, once per request
// (`npx tsx scripts/transport-cost.ts` measures both; README, "MLflow: client, mock, real servers").
import net from 'node:net';
import tls from 'node:tls';
import { TransportError, type HttpRequest, type HttpResponse, type Transport } from './transport.ts';

const CRLF_CRLF = Buffer.from('\r\n\r\n');
/** node:http's limit on an answer's head (--max-http-header-size), and on a chunk's size line. */
const MAX_HEAD_BYTES = 16 * 1024;
const MAX_LINE_BYTES = 4 * 1024;

/** How an answer's body ends: after a length, after the last chunk (`data` bytes of the current one still
 * to come, then its CRLF), or with the connection. */
type Framing =
  { kind: 'length'; remaining: number } | { kind: 'chunked'; data: number; crlf: boolean } | { kind: 'close' };

/** An answer being read from a socket's bytes. */
class ResponseReader {
  /** Bytes read and not yet taken: at most a head, a chunk's size line or a chunk's CRLF (data is taken at once). */
  private buffer: Buffer = Buffer.alloc(0);
  private head?: { status: number; headers: Map<string, string>; keepAlive: boolean };
  private framing?: Framing;
  private readonly body: Buffer[] = [];

  /** Takes bytes; returns the answer once complete (and whether the socket can serve another). */
  push(bytes: Buffer): { response: HttpResponse; keepAlive: boolean } | undefined {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, bytes]) : bytes;
    for (;;) {
      if (!this.head) {
        const end = this.buffer.indexOf(CRLF_CRLF);
        if (end < 0) return this.bounded(MAX_HEAD_BYTES, 'HPE_HEADER_OVERFLOW', 'header overflow');
        const text = this.buffer.subarray(0, end).toString('latin1');
        this.buffer = this.buffer.subarray(end + 4);
        const head = parseHead(text);
        // An interim answer (100 Continue): the real one follows.
        if (head.status >= 100 && head.status < 200) continue;
        this.head = head;
        this.framing = framingOf(head.status, head.headers);
      }
      return this.readBody();
    }
  }

  /** The connection ended: an answer framed by its end is complete; any other is cut short. */
  end(): HttpResponse | undefined {
    if (this.head && this.framing?.kind === 'close') {
      this.body.push(this.buffer);
      return this.response();
    }
    return undefined;
  }

  /** Waiting for more of something that must end within `max` bytes (a server could send it for ever). */
  private bounded(max: number, code: string, message: string): undefined {
    if (this.buffer.length > max) throw new TransportError(code, message);
    return undefined;
  }

  /** Moves up to `n` buffered bytes into the body; how many it moved. */
  private take(n: number): number {
    const took = Math.min(n, this.buffer.length);
    if (took === 0) return 0;
    this.body.push(this.buffer.subarray(0, took));
    this.buffer = this.buffer.subarray(took);
    return took;
  }

  private readBody(): { response: HttpResponse; keepAlive: boolean } | undefined {
    // set together with the head
    const framing = this.framing!;
    if (framing.kind === 'close') {
      this.take(this.buffer.length);
      return undefined;
    }
    if (framing.kind === 'length') {
      framing.remaining -= this.take(framing.remaining);
      return framing.remaining === 0 ? this.done() : undefined;
    }
    for (;;) {
      // A chunk's data goes to the body as it comes, so a large chunk is never copied once per read.
      framing.data -= this.take(framing.data);
      if (framing.data > 0) return undefined;
      if (framing.crlf) {
        if (this.buffer.length < 2) return undefined;
        this.buffer = this.buffer.subarray(2);
        framing.crlf = false;
      }
      const line = this.buffer.indexOf('\r\n');
      if (line < 0) return this.bounded(MAX_LINE_BYTES, 'HPE_INVALID_CHUNK_SIZE', 'chunk size line too long');
      const sizeText = this.buffer.subarray(0, line).toString('latin1').split(';')[0]!.trim();
      const size = /^[0-9a-f]+$/i.test(sizeText) ? parseInt(sizeText, 16) : NaN;
      if (!Number.isSafeInteger(size)) throw new TransportError('HPE_INVALID_CHUNK_SIZE', 'bad chunk size');
      if (size === 0) {
        // The last chunk, then trailers (ignored) up to an empty line.
        const after = line + 2;
        let end: number;
        if (this.buffer.length >= after + 2 && this.buffer[after] === 13 && this.buffer[after + 1] === 10)
          end = after + 2;
        else {
          const trailers = this.buffer.indexOf(CRLF_CRLF, after);
          if (trailers < 0) return this.bounded(MAX_HEAD_BYTES, 'HPE_HEADER_OVERFLOW', 'trailer overflow');
          end = trailers + 4;
        }
        this.buffer = this.buffer.subarray(end);
        return this.done();
      }
      this.buffer = this.buffer.subarray(line + 2);
      framing.data = size;
      framing.crlf = true;
    }
  }

  private done(): { response: HttpResponse; keepAlive: boolean } {
    // Bytes past the answer were not asked for: the socket cannot be trusted for another.
    return { response: this.response(), keepAlive: this.head!.keepAlive && this.buffer.length === 0 };
  }

  private response(): HttpResponse {
    // called once the head is read
    const head = this.head!;
    return {
      status: head.status,
      contentType: head.headers.get('content-type') ?? '',
      body: this.body.length === 1 ? this.body[0]! : Buffer.concat(this.body),
    };
  }
}

function parseHead(text: string): { status: number; headers: Map<string, string>; keepAlive: boolean } {
  const lines = text.split('\r\n');
  const m = /^HTTP\/1\.([01]) (\d{3})/.exec(lines[0] ?? '');
  if (!m) throw new TransportError('HPE_INVALID_CONSTANT', `not an HTTP/1.x answer: ${JSON.stringify(lines[0])}`);
  const headers = new Map<string, string>();
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
  }
  const connection = (headers.get('connection') ?? '').toLowerCase();
  // HTTP/1.1 keeps the connection unless told to close; HTTP/1.0 closes unless told to keep it.
  const keepAlive = m[1] === '1' ? !connection.includes('close') : connection.includes('keep-alive');
  return { status: Number(m[2]), headers, keepAlive };
}

function framingOf(status: number, headers: Map<string, string>): Framing {
  if (status === 204 || status === 304) return { kind: 'length', remaining: 0 };
  if ((headers.get('transfer-encoding') ?? '').toLowerCase().includes('chunked'))
    return { kind: 'chunked', data: 0, crlf: false };
  const length = headers.get('content-length');
  if (length !== undefined) {
    const n = Number(length);
    if (!Number.isInteger(n) || n < 0) throw new TransportError('HPE_INVALID_CONTENT_LENGTH', 'bad Content-Length');
    return { kind: 'length', remaining: n };
  }
  return { kind: 'close' };
}

/** As node:http names an exchange its AbortSignal ended. */
const abortedError = (): TransportError => new TransportError('ABORT_ERR', 'the request was aborted');

interface Origin {
  /** Sockets waiting for a request, each with what removes it from here should the server close it. */
  idle: { socket: net.Socket; drop: () => void }[];
  active: number;
  waiting: (() => void)[];
}

/**
 * A transport on kept-alive sockets, at most `maxSockets` per origin at once (others wait their turn).
 * `timeoutMs` of a request is how long its socket may stay silent, as node:http's setTimeout.
 */
export function socketTransport(maxSockets = 16): Transport & { close(): void } {
  const origins = new Map<string, Origin>();
  const all = new Set<net.Socket>();

  const originOf = (url: URL): Origin => {
    let o = origins.get(url.origin);
    if (!o) origins.set(url.origin, (o = { idle: [], active: 0, waiting: [] }));
    return o;
  };

  const connect = (url: URL): net.Socket => {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const secure = url.protocol === 'https:';
    const port = Number(url.port) || (secure ? 443 : 80);
    const socket = secure
      ? tls.connect({ host, port, servername: net.isIP(host) ? undefined : host, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host, port });
    socket.setNoDelay(true);
    all.add(socket);
    socket.once('close', () => all.delete(socket));
    return socket;
  };

  const release = (o: Origin, socket: net.Socket | undefined): void => {
    o.active--;
    if (socket && !socket.destroyed) {
      socket.setTimeout(0);
      // As node:http's agent does: an idle kept-alive socket does not keep the process alive.
      socket.unref();
      // An idle socket the server closes leaves the pool (and its error, if any, goes nowhere).
      const entry = {
        socket,
        drop: (): void => {
          const i = o.idle.indexOf(entry);
          if (i >= 0) o.idle.splice(i, 1);
          socket.destroy();
        },
      };
      socket.on('end', entry.drop).on('error', entry.drop).on('close', entry.drop);
      o.idle.push(entry);
    }
    o.waiting.shift()?.();
  };

  const exchange = (req: HttpRequest, o: Origin): Promise<HttpResponse> =>
    new Promise((resolve, reject) => {
      const reused = o.idle.pop();
      if (reused) reused.socket.off('end', reused.drop).off('error', reused.drop).off('close', reused.drop).ref();
      const socket = reused?.socket ?? connect(req.url);
      const reader = new ResponseReader();
      let settled = false;
      const finish = (error: TransportError | undefined, response?: HttpResponse, keep = false): void => {
        if (settled) return;
        settled = true;
        socket.off('data', onData).off('end', onEnd).off('error', onError).off('close', onClose);
        socket.off('timeout', onTimeout);
        req.signal?.removeEventListener('abort', onAbort);
        if (!keep) socket.destroy();
        release(o, keep ? socket : undefined);
        if (error) reject(error);
        else resolve(response!);
      };
      const onData = (bytes: Buffer): void => {
        try {
          const done = reader.push(bytes);
          if (done) finish(undefined, done.response, done.keepAlive);
        } catch (err) {
          finish(err instanceof TransportError ? err : new TransportError('HPE_ERROR', String(err)));
        }
      };
      const cutShort = (): void => {
        const response = reader.end();
        if (response) finish(undefined, response);
        else finish(new TransportError('ECONNRESET', 'socket hang up'));
      };
      const onEnd = cutShort;
      const onClose = cutShort;
      const onError = (err: NodeJS.ErrnoException): void =>
        finish(new TransportError(err.code ?? 'ECONNRESET', err.message));
      const onTimeout = (): void => finish(new TransportError('TIMEOUT', `no answer within ${req.timeoutMs} ms`));
      const onAbort = (): void => finish(abortedError());
      socket.on('data', onData).on('end', onEnd).on('error', onError).on('close', onClose);
      req.signal?.addEventListener('abort', onAbort, { once: true });
      socket.setTimeout(req.timeoutMs, onTimeout);
      const lines = [`${req.method} ${req.url.pathname}${req.url.search} HTTP/1.1`, `host: ${req.url.host}`];
      for (const [name, value] of Object.entries(req.headers)) lines.push(`${name}: ${value}`);
      if (req.body || req.method !== 'GET') lines.push(`content-length: ${req.body?.length ?? 0}`);
      socket.cork();
      socket.write(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
      if (req.body?.length) socket.write(req.body);
      socket.uncork();
    });

  const send: Transport = async (req) => {
    // As node:http refuses them: a line break in a header would start a header (or a request) of its own.
    for (const [name, value] of Object.entries(req.headers)) {
      if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name) || /[\r\n\0]/.test(value))
        throw new TransportError('ERR_INVALID_CHAR', `Invalid character in header content ["${name}"]`);
    }
    const o = originOf(req.url);
    while (o.active >= maxSockets) await new Promise<void>((resolve) => o.waiting.push(resolve));
    // Aborted before it was sent (or while it waited for a socket): nothing to send.
    if (req.signal?.aborted) {
      o.waiting.shift()?.();
      throw abortedError();
    }
    o.active++;
    return exchange(req, o);
  };

  return Object.assign(send, {
    // As node:http's agent.destroy(): every socket is closed (a request in flight fails); a later request
    // opens a new one.
    close: () => {
      for (const socket of all) socket.destroy();
      for (const o of origins.values()) o.idle.length = 0;
    },
  });
}
