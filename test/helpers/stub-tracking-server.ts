// A stand-in tracking server on loopback answering each request as a test says (after a delay, if it says): servers
// that page for ever, answer slowly or page healthily, to test how the read-back bounds its reading.
import { createServer, type Server } from 'node:http';

/** What the stub answers one request with: a JSON body (200 unless `status`), after `delayMs`. */
export interface StubAnswer {
  body: unknown;
  status?: number;
  delayMs?: number;
}

/** A request the stub got: its path (no query), its JSON body (POST) or query (GET) as an object. */
export interface StubRequest {
  path: string;
  fields: Record<string, unknown>;
}

export interface StubServer {
  uri: string;
  /** Requests answered. */
  answered: number;
  /** Requests whose client closed the connection before their answer was sent (aborted in flight). */
  abandoned: number;
  stop(): Promise<void>;
}

export async function startStubServer(answer: (req: StubRequest) => StubAnswer): Promise<StubServer> {
  const stub = { answered: 0, abandoned: 0 } as StubServer;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://stub');
      const text = Buffer.concat(chunks).toString();
      // the test's own JSON bodies
      const fields = text ? (JSON.parse(text) as Record<string, unknown>) : Object.fromEntries(url.searchParams);
      const a = answer({ path: url.pathname, fields });
      const timer = setTimeout(() => {
        stub.answered++;
        res.writeHead(a.status ?? 200, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
      }, a.delayMs ?? 0);
      res.on('close', () => {
        if (res.writableFinished) return;
        clearTimeout(timer);
        stub.abandoned++;
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  stub.uri = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  stub.stop = async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  };
  return stub;
}
