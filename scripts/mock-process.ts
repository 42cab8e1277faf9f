// The mock MLflow in a child process, as trials see it (for the scripts that run a pipeline in-process).
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** Starts `trackbench mock-mlflow` on a free port; `stop()` ends it. */
export async function startMockProcess(): Promise<{ uri: string; stop(): void }> {
  const mock = spawn(process.execPath, ['bin/trackbench.js', 'mock-mlflow', '--port', '0'], {
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
