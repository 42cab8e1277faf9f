// MLflow in a container through testcontainers: the pinned image (the official ghcr.io/mlflow/mlflow,
// or the equivalent `npm run setup:container` builds where no registry is reachable), one worker, no
// job runner, the port mapped on 127.0.0.1 only, a wait on /health. Stopped with the backend, and on
// SIGINT/SIGTERM/exit (container-cleanup.ts). Missing runtime or image: one line naming the setup.
import { randomUUID } from 'node:crypto';
import { EnvironmentError, errorMessage } from '../errors.ts';
import { removeBySession, SESSION_LABEL, trackContainer } from './container-cleanup.ts';
import {
  configureTestcontainers,
  findContainerRuntime,
  SETUP_HINT,
  type ContainerRuntime,
} from './container-runtime.ts';
import { DEFAULT_MLFLOW_VERSION } from './local-server.ts';
import type { RunningBackend } from './types.ts';

type Testcontainers = typeof import('testcontainers');

export const officialImage = (version: string): string => `ghcr.io/mlflow/mlflow:v${version}`;
export const localImage = (version: string): string => `localhost/trackbench-mlflow:${version}`;

const MLFLOW_PORT = 5000;

interface Prepared {
  tc: Testcontainers;
  runtime: ContainerRuntime;
  image: string;
}

/** The runtime and an image that is there; EnvironmentError (one line, naming the setup) otherwise. */
async function prepare(version: string, env: NodeJS.ProcessEnv = process.env): Promise<Prepared> {
  let tc: Testcontainers;
  try {
    tc = await import('testcontainers');
  } catch {
    throw new EnvironmentError(
      'container backend unavailable: the optional dependency testcontainers is not installed',
    );
  }
  let found: ContainerRuntime | undefined;
  try {
    found = await findContainerRuntime(env);
  } catch (err) {
    throw new EnvironmentError(`container backend unavailable: ${errorMessage(err).split('\n')[0]}`);
  }
  if (!found)
    throw new EnvironmentError(`container backend unavailable: no container runtime (Docker or Podman); ${SETUP_HINT}`);
  const restoreEnv = configureTestcontainers(found, env);
  const runtime: ContainerRuntime = {
    ...found,
    release: async () => {
      restoreEnv();
      await found.release();
    },
    releaseSync: () => {
      restoreEnv();
      found.releaseSync();
    },
  };
  try {
    const client = await tc.getContainerRuntimeClient();
    const candidates = [env.TRACKBENCH_MLFLOW_IMAGE, officialImage(version), localImage(version)].filter(
      (c): c is string => Boolean(c),
    );
    for (const image of candidates)
      if (await client.image.exists(tc.ImageName.fromString(image))) return { tc, runtime, image };
    throw new EnvironmentError(
      `container backend unavailable: no MLflow ${version} image in ${runtime.kind} (looked for ${candidates.join(', ')}); ${SETUP_HINT}`,
    );
  } catch (err) {
    await runtime.release();
    if (err instanceof EnvironmentError) throw err;
    throw new EnvironmentError(
      `container backend unavailable: ${runtime.kind} at ${runtime.dockerHost} does not answer ` +
        `(${errorMessage(err).split('\n')[0]}); ${SETUP_HINT}`,
    );
  }
}

/** Undefined when a container can be started here; otherwise the one-line reason it cannot. */
export async function containerRuntimeProblem(version = DEFAULT_MLFLOW_VERSION): Promise<string | undefined> {
  try {
    const { runtime } = await prepare(version);
    await runtime.release();
    return undefined;
  } catch (err) {
    return errorMessage(err);
  }
}

export interface ContainerBackend extends RunningBackend {
  image: string;
  runtime: 'docker' | 'podman';
  containerId: string;
  /** The SESSION_LABEL value on the container, to find it from outside. */
  session: string;
}

export async function startContainer(
  options: { version?: string; startupTimeoutMs?: number } = {},
): Promise<ContainerBackend> {
  const t0 = performance.now();
  const version = options.version ?? DEFAULT_MLFLOW_VERSION;
  const { tc, runtime, image } = await prepare(version);
  const session = `${process.pid}-${randomUUID().slice(0, 8)}`;
  let stopping: Promise<void> | undefined;
  let started: import('testcontainers').StartedTestContainer | undefined;
  const tracked = { session, runtime, stop: () => stop() };
  const forget = trackContainer(tracked);
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      try {
        // Killed at once: its state is thrown away with it, and `mlflow server` ignores SIGTERM for seconds.
        // Not started (start failed or timed out): it may still exist, created; remove it by label.
        if (started) await started.stop({ timeout: 0 });
        else removeBySession(tracked);
      } catch {
        removeBySession(tracked); // the API failed us: the command-line client still removes it
      } finally {
        forget();
        await runtime.release();
      }
    })());

  // testcontainers binds mapped ports on every interface; trackbench keeps servers on loopback.
  class LoopbackContainer extends tc.GenericContainer {
    override async start(): Promise<import('testcontainers').StartedTestContainer> {
      // Cast: dockerode types PortBindings loosely; withExposedPorts fills it as {"5000/tcp": [{HostPort}]}.
      const portBindings = (this.hostConfig.PortBindings ?? {}) as Record<string, { HostIp?: string }[]>;
      for (const bindings of Object.values(portBindings)) for (const binding of bindings) binding.HostIp = '127.0.0.1';
      return super.start();
    }
  }
  try {
    started = await new LoopbackContainer(image)
      .withExposedPorts(MLFLOW_PORT)
      .withLabels({ [SESSION_LABEL]: session })
      .withEnvironment({ MLFLOW_SERVER_ENABLE_JOB_EXECUTION: 'false' })
      .withCommand([
        'mlflow',
        'server',
        '--host',
        '0.0.0.0',
        '--port',
        String(MLFLOW_PORT),
        '--workers',
        '1',
        '--backend-store-uri',
        'sqlite:////tmp/mlflow.db',
        '--artifacts-destination',
        '/tmp/artifacts',
      ])
      .withWaitStrategy(tc.Wait.forHttp('/health', MLFLOW_PORT).forStatusCode(200))
      .withStartupTimeout(options.startupTimeoutMs ?? 120_000)
      .start();
  } catch (err) {
    await stop().catch(() => {});
    throw new EnvironmentError(
      `MLflow container (${image}) did not become healthy: ${errorMessage(err).split('\n')[0]}`,
    );
  }
  const uri = `http://127.0.0.1:${started.getMappedPort(MLFLOW_PORT)}`;
  const startupMs = performance.now() - t0;
  return {
    kind: 'container',
    trackingUri: uri,
    describe: `${image} (container, ${runtime.kind}, ${uri}, sqlite)`,
    startupMs,
    image,
    runtime: runtime.kind,
    containerId: started.getId(),
    session,
    stop,
  };
}
