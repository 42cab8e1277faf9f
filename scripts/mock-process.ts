// The mock MLflow in a child process, as trials see it (for the scripts that run a pipeline in-process).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { HttpResponse } from '../src/mlflow/transport.ts';

/** Starts `trackbench mock-mlflow` on a free port; `stop()` ends it. */
export function startMockProcess(): Promise<{ uri: string; stop(): void }> {
  return startServerProcess();
}

/** Starts a server process (`args` after node's own; the mock by default) that prints its URI first. */
export async function startServerProcess(
  args = ['bin/trackbench.js', 'mock-mlflow', '--port', '0'],
): Promise<{ uri: string; stop(): void }> {
  const mock = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const stop = (): void => void mock.kill('SIGTERM');
  const [line] = (await once(mock.stdout, 'data')) as [Buffer];
  const uri = /http:\/\/\S+/.exec(line.toString())?.[0];
  if (!uri) {
    stop();
    throw new Error(`the mock did not say where it listens: ${line.toString()}`);
  }
  return { uri, stop };
}

/**
 * A bare HTTP server (for a child process started by startServerProcess): answers every request at once
 * with `reply(path)`, no store, no checks, so that its own cost is not in a client's figures. Prints its URI.
 */
export function serveBare(reply: (path: string) => HttpResponse): void {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      const answer = reply(new URL(req.url ?? '/', 'http://bare').pathname);
      res.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': answer.body.length });
      res.end(answer.body);
    });
  });
  server.keepAliveTimeout = 60_000;
  // listening on a TCP port: the address is an object
  const uri = (): string => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  server.listen(0, '127.0.0.1', () => console.log(`listening on ${uri()}`));
}
