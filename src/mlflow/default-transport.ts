// The client's transport unless it is given one: its own HTTP/1.1 on kept-alive sockets (cheaper on the
// pipeline's thread, socket-transport.ts), and node:http for origins an interceptor of node:http answers
// inside this process (msw serves the in-process mock that way; it would never see a raw socket).
import { socketTransport } from './socket-transport.ts';
import { keepAliveTransport, type Transport } from './transport.ts';

/**
 * Origins answered in this process through node:http, with how many servers answer each. One map for the process,
 * not per copy of this module: a TypeScript hook loaded as CommonJS by tsx gets a copy of trackbench of its own, and
 * its client must still reach the in-process mock.
 */
const SHARED = Symbol.for('trackbench.interceptedOrigins');
const shared = globalThis as { [SHARED]?: Map<string, number> };
const intercepted = (shared[SHARED] ??= new Map<string, number>());

/** Sends requests to `origin` through node:http until the returned function is called. */
export function routeThroughNodeHttp(origin: string): () => void {
  const key = new URL(origin).origin;
  intercepted.set(key, (intercepted.get(key) ?? 0) + 1);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    const n = (intercepted.get(key) ?? 1) - 1;
    if (n > 0) intercepted.set(key, n);
    else intercepted.delete(key);
  };
}

export function defaultTransport(): Transport & { close(): void } {
  const direct = socketTransport();
  let viaNodeHttp: (Transport & { close(): void }) | undefined;
  const send: Transport = (req) => {
    if (!intercepted.has(req.url.origin)) return direct(req);
    viaNodeHttp ??= keepAliveTransport();
    return viaNodeHttp(req);
  };
  return Object.assign(send, {
    close: () => {
      direct.close();
      viaNodeHttp?.close();
    },
  });
}
