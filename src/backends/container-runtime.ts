// Finds the container runtime testcontainers should talk to, and sets what it needs for it:
// DOCKER_HOST, and for Podman no Ryuk (its image would come from a registry) and the loopback host
// (with /.dockerenv present testcontainers would use the bridge gateway instead of the mapped port).
// Without a running API socket but with `podman` installed, starts `podman system service` for this
// process and stops it with the backend, so nothing is left running.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { threadId } from 'node:worker_threads';
import { watchGroup } from '../common/watchdog.ts';

export interface ContainerRuntime {
  kind: 'docker' | 'podman';
  /** The Docker-compatible API endpoint, as DOCKER_HOST spells it. */
  dockerHost: string;
  /** The command-line client, for the last-resort cleanup at exit. */
  cli: string;
  /** Stops the API service when this process started it; otherwise nothing. */
  release(): Promise<void>;
  /** Synchronous variant for process exit. */
  releaseSync(): void;
}

export const SETUP_HINT = 'run `npm run setup:container`';

function onPath(command: string, env: NodeJS.ProcessEnv = process.env): boolean {
  return (env.PATH ?? '').split(delimiter).some((dir) => dir && existsSync(join(dir, command)));
}

/** Answers the Docker API's /_ping on a unix socket within a second. */
export function socketAnswers(socketPath: string): Promise<boolean> {
  if (!existsSync(socketPath)) return Promise.resolve(false);
  return new Promise((resolve) => {
    const req = http.get({ socketPath, path: '/_ping', timeout: 1000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => {
      req.destroy();
      resolve(false);
    });
  });
}

const nothing = { release: async () => {}, releaseSync: () => {} };

// The API service this process started, shared by its backends (a stable socket per process, because
// testcontainers caches its client) and stopped when the last one releases it.
// Per module instance (worker threads share the pid), fixed for its life.
const INSTANCE = `${threadId}-${randomBytes(3).toString('hex')}`;
let service: { runtime: Promise<ContainerRuntime>; users: number } | undefined;
let ownHost: string | undefined;

/** Undefined when no runtime can be found; never starts anything but Podman's own API service. */
export async function findContainerRuntime(
  env: NodeJS.ProcessEnv = process.env,
): Promise<ContainerRuntime | undefined> {
  const userHost = env.DOCKER_HOST && env.DOCKER_HOST !== ownHost ? env.DOCKER_HOST : undefined;
  if (userHost) {
    const podman = userHost.includes('podman');
    return { kind: podman ? 'podman' : 'docker', dockerHost: userHost, cli: podman ? 'podman' : 'docker', ...nothing };
  }
  if (await socketAnswers('/var/run/docker.sock'))
    return { kind: 'docker', dockerHost: 'unix:///var/run/docker.sock', cli: 'docker', ...nothing };
  for (const socket of ['/run/podman/podman.sock', join(env.XDG_RUNTIME_DIR ?? '/nonexistent', 'podman/podman.sock')])
    if (await socketAnswers(socket))
      return { kind: 'podman', dockerHost: `unix://${socket}`, cli: 'podman', ...nothing };
  if (onPath('podman', env)) return sharedPodmanService();
  return undefined;
}

async function sharedPodmanService(): Promise<ContainerRuntime> {
  if (!service) {
    const started = { runtime: startPodmanService(), users: 0 };
    service = started;
    started.runtime.catch(() => {
      if (service === started) service = undefined;
    });
  }
  const current = service;
  const runtime = await current.runtime;
  current.users++;
  ownHost = runtime.dockerHost;
  let released = false;
  const last = (): boolean => {
    if (released) return false;
    released = true;
    current.users--;
    if (current.users > 0) return false;
    if (service === current) service = undefined;
    return true;
  };
  return {
    ...runtime,
    release: async () => void (last() && (await runtime.release())),
    releaseSync: () => void (last() && runtime.releaseSync()),
  };
}

/** `podman system service` on a socket of this process, in its own process group (Ctrl-C at a terminal
 *  must not stop it before the container it serves is stopped). */
async function startPodmanService(): Promise<ContainerRuntime> {
  const socket = join(tmpdir(), `trackbench-podman-${process.pid}-${INSTANCE}.sock`);
  rmSync(socket, { force: true });
  const child: ChildProcess = spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Gone with this process however it ends (the container it served is removed by label; see container-cleanup.ts).
  const watchdog = child.pid ? watchGroup(child.pid, { remove: socket }) : undefined;
  let stderr = '';
  child.stderr!.on('data', (b: Buffer) => void (stderr = (stderr + b.toString('utf8')).slice(-2000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const releaseSync = (): void => {
    watchdog?.release();
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    rmSync(socket, { force: true });
  };
  const release = async (): Promise<void> => {
    releaseSync();
    await Promise.race([exited, sleep(5000)]);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  const deadline = Date.now() + 15_000;
  while (!(await socketAnswers(socket))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await release();
      const why = stderr.trim().split('\n').at(-1) ?? 'no output';
      throw new Error(`podman system service did not start (${why}); ${SETUP_HINT}`);
    }
    await sleep(100);
  }
  return { kind: 'podman', dockerHost: `unix://${socket}`, cli: 'podman', release, releaseSync };
}

// What this process set for testcontainers, restored when the last backend using it is released,
// so child processes (trials, nested runs) never inherit a socket that is gone.
let configured: { saved: Record<string, string | undefined>; users: number } | undefined;
const VARS = ['DOCKER_HOST', 'TESTCONTAINERS_RYUK_DISABLED', 'TESTCONTAINERS_HOST_OVERRIDE'] as const;

/** Sets what testcontainers reads from the environment (at its first call) unless the user did;
 *  returns the function that puts the environment back once every user is done. */
export function configureTestcontainers(runtime: ContainerRuntime, env: NodeJS.ProcessEnv = process.env): () => void {
  if (!configured) configured = { saved: Object.fromEntries(VARS.map((v) => [v, env[v]])), users: 0 };
  const current = configured;
  current.users++;
  env.DOCKER_HOST = runtime.dockerHost;
  if (runtime.kind === 'podman') env.TESTCONTAINERS_RYUK_DISABLED ??= 'true';
  if (runtime.dockerHost.startsWith('unix://')) env.TESTCONTAINERS_HOST_OVERRIDE ??= '127.0.0.1';
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (--current.users > 0) return;
    if (configured === current) configured = undefined;
    for (const v of VARS) {
      if (current.saved[v] === undefined) delete env[v];
      else env[v] = current.saved[v];
    }
  };
}
