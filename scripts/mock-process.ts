// The mock MLflow in a child process, as trials see it (for the scripts that run a pipeline in-process).
import { spawn } from 'node:child_process';
import { once } from 'node:events';

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
