// What every MLflow backend gives the stages above it: a tracking URI, a request log when the
// backend can see requests, and a way to stop. Mock, local server, container and remote all fit.
import type { FaultSpec } from './mock/faults.ts';
import type { RequestLog } from './mock/request-log.ts';

/** The backends a scenario can ask for (`backend.kind`). */
export type BackendKind = 'mock' | 'local' | 'container' | 'remote';

/** A scenario's `backend:` section, defaults filled in (scenarios/scenario.schema.json). */
export interface BackendSpec {
  kind: BackendKind;
  uri?: string;
  mlflowVersion: string;
  latencyMs: number;
}

export interface RunningBackend {
  kind: BackendKind;
  trackingUri: string;
  /** Every request the backend answered; absent where requests are not visible (a remote server). */
  requestLog?: RequestLog;
  /** A one-line description for reports, without credentials. */
  describe: string;
  /** How long the backend took from start to answering /health (containers, servers), when measured. */
  startupMs?: number;
  /** Mock backends only: change the injected faults while running. */
  setFaults?(spec: FaultSpec): void;
  stop(): Promise<void>;
}
