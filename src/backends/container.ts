// MLflow in a container (ghcr.io/mlflow/mlflow) through testcontainers. Detects up front when no
// container runtime exists and says so in one line, instead of a stack trace from deep inside.
import { registerCleanup } from '../common/cleanup.ts';
import { EnvironmentError, errorMessage } from '../errors.ts';
import { DEFAULT_MLFLOW_VERSION } from './local-server.ts';
import type { RunningBackend } from './types.ts';

/** Undefined when a container runtime answers; otherwise the one-line reason it cannot be used. */
export async function containerRuntimeProblem(): Promise<string | undefined> {
  let tc: typeof import('testcontainers');
  try {
    tc = await import('testcontainers');
  } catch {
    return 'the optional dependency testcontainers is not installed';
  }
  try {
    await tc.getContainerRuntimeClient();
    return undefined;
  } catch (err) {
    return `no container runtime: ${errorMessage(err).split('\n')[0]}`;
  }
}

export async function startContainer(options: { version?: string } = {}): Promise<RunningBackend> {
  const problem = await containerRuntimeProblem();
  if (problem)
    throw new EnvironmentError(`container backend unavailable (${problem}); use backend kind "local" or "mock"`);
  const version = options.version ?? DEFAULT_MLFLOW_VERSION;
  const { GenericContainer, Wait } = await import('testcontainers');
  const image = `ghcr.io/mlflow/mlflow:v${version}`;
  const container = await new GenericContainer(image)
    .withExposedPorts(5000)
    .withCommand([
      'mlflow',
      'server',
      '--host',
      '0.0.0.0',
      '--port',
      '5000',
      '--backend-store-uri',
      'sqlite:////tmp/mlflow.db',
      '--artifacts-destination',
      '/tmp/artifacts',
      '--allowed-hosts',
      '*',
    ])
    .withWaitStrategy(Wait.forHttp('/health', 5000))
    .start();
  const uri = `http://${container.getHost()}:${container.getMappedPort(5000)}`;
  // Interrupted runs stop the container too (see src/common/cleanup.ts).
  const unregister = registerCleanup({ name: `container ${image}`, stop: async () => void (await container.stop()) });
  return {
    kind: 'container',
    trackingUri: uri,
    describe: `${image} (container, ${uri})`,
    stop: async () => {
      unregister();
      await container.stop();
    },
  };
}
