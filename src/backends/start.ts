// Scenario backend spec -> a running backend.
import { startContainer } from './container.ts';
import { startLocalServer } from './local-server.ts';
import { startHttpMock } from './mock/http-server.ts';
import { startInProcessMock } from './mock/in-process.ts';
import { remoteBackend } from './remote.ts';
import type { BackendSpec, RunningBackend } from './types.ts';

/** `inProcess` serves the mock through msw in this process (tests); otherwise over loopback HTTP. */
export async function startBackend(spec: BackendSpec, options: { inProcess?: boolean } = {}): Promise<RunningBackend> {
  switch (spec.kind) {
    case 'mock':
      return options.inProcess
        ? startInProcessMock({ latencyMs: spec.latencyMs })
        : startHttpMock({ faults: { latencyMs: spec.latencyMs } });
    case 'local':
      return startLocalServer({ version: spec.mlflowVersion });
    case 'container':
      return startContainer({ version: spec.mlflowVersion });
    case 'remote':
      return remoteBackend(spec.uri!);
  }
}
