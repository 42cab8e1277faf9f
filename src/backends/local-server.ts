// A real `mlflow server` on a free 127.0.0.1 port, sqlite store and artifacts in a temp dir.
// Started in its own process group so stopping it leaves no orphan (uvicorn workers included).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { registerCleanup } from '../common/cleanup.ts';
import { watchGroup } from '../common/watchdog.ts';
import { EnvironmentError } from '../errors.ts';
import type { RunningBackend } from './types.ts';
import { listeningPort } from './listening.ts';

export const DEFAULT_MLFLOW_VERSION = '3.17.2';

/** Where `npm run setup:mlflow` puts the `mlflow` executable for a version. */
export function mlflowExecutable(version = DEFAULT_MLFLOW_VERSION, env: NodeJS.ProcessEnv = process.env): string {
  if (env.TRACKBENCH_MLFLOW) return env.TRACKBENCH_MLFLOW;
  const cache = env.TRACKBENCH_CACHE ?? join(homedir(), '.cache', 'trackbench');
  return join(cache, `mlflow-${version}`, 'bin', 'mlflow');
}

export function localServerAvailable(version = DEFAULT_MLFLOW_VERSION): boolean {
  return existsSync(mlflowExecutable(version));
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = listeningPort(s);
      s.close(() => resolve(port));
    });
  });
}

export interface LocalServer extends RunningBackend {
  port: number;
  pid: number;
  dir: string;
}

export async function startLocalServer(
  options: { version?: string; healthTimeoutMs?: number } = {},
): Promise<LocalServer> {
  const t0 = performance.now();
  const version = options.version ?? DEFAULT_MLFLOW_VERSION;
  const exe = mlflowExecutable(version);
  if (!existsSync(exe)) {
    throw new EnvironmentError(
      `no mlflow ${version} at ${exe}: run \`npm run setup:mlflow\` (or set TRACKBENCH_MLFLOW to an mlflow executable)`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), 'trackbench-mlflow-'));
  const port = await freePort();
  const args = [
    'server',
    '--backend-store-uri',
    `sqlite:///${join(dir, 'mlflow.db')}`,
    '--artifacts-destination',
    join(dir, 'artifacts'),
    '--host',
    '127.0.0.1',
    '--port',
    String(port),
    '--workers',
    '1',
  ];
  const child = spawn(exe, args, {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, MLFLOW_TRACKING_URI: '' },
  });
  const output: string[] = [];
  const keep = (b: Buffer): void => {
    output.push(...b.toString('utf8').split('\n').filter(Boolean));
    if (output.length > 40) output.splice(0, output.length - 40);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  // Should this process die without its cleanups (SIGKILL, a test worker stopped), the server must not stay.
  const watchdog = child.pid ? watchGroup(child.pid, { remove: dir }) : undefined;
  let stopping: Promise<void> | undefined;
  // On a signal or at exit: the whole group (uvicorn and job-runner workers too) and the folder.
  const unregister = registerCleanup({
    name: `mlflow server (pid ${child.pid})`,
    stop: () => stop(),
    kill: () => {
      watchdog?.release();
      killGroup(child, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    },
  });

  const stop = (): Promise<void> => (stopping ??= stopOnce());
  const stopOnce = async (): Promise<void> => {
    unregister();
    watchdog?.release();
    // The leader exiting is not enough: its workers share the group and may outlive it.
    killGroup(child, 'SIGTERM');
    const deadline = Date.now() + 8000;
    while (groupAlive(child) && Date.now() < deadline) await sleep(100);
    if (groupAlive(child)) {
      killGroup(child, 'SIGKILL');
      while (groupAlive(child)) await sleep(50);
    }
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };

  const uri = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.healthTimeoutMs ?? 90_000);
  for (;;) {
    if (child.exitCode !== null) {
      await stop();
      throw new EnvironmentError(
        `mlflow server exited with code ${child.exitCode} before answering /health:\n  ` +
          `${output.slice(-8).join('\n  ')}`,
      );
    }
    try {
      const res = await fetch(`${uri}/health`, { signal: AbortSignal.timeout(1000) });
      if (res.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new EnvironmentError(
        `mlflow server did not answer ${uri}/health within ${options.healthTimeoutMs ?? 90_000} ms; last output:\n ` +
          ` ${output.slice(-8).join('\n  ')}`,
      );
    }
    await sleep(250);
  }
  return {
    kind: 'local',
    trackingUri: uri,
    port,
    // spawn succeeded (the server answered /health), so the child has a pid
    pid: child.pid!,
    dir,
    describe: `mlflow server ${version} (local, ${uri}, sqlite)`,
    startupMs: performance.now() - t0,
    stop,
  };
}

/** Signal 0 to the group: throws ESRCH once no process of it is left. */
function groupAlive(child: ChildProcess): boolean {
  try {
    // only called on a spawned child: it has a pid
    process.kill(-child.pid!, 0);
    return true;
  } catch {
    return false;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    // only called on a spawned child: it has a pid
    process.kill(-child.pid!, signal);
  } catch {
    // already gone
  }
}
