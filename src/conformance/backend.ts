// Where conformance scenarios run: a fresh mock per scenario (faults injectable), or one real MLflow for
// the whole suite (a local `mlflow server` or a container), counted through the recording proxy, each
// scenario seeing only the runs and experiments it created. Fault situations need the mock.
import { startContainer } from '../backends/container.ts';
import { startLocalServer } from '../backends/local-server.ts';
import { startHttpMock } from '../backends/mock/http-server.ts';
import type { RequestLog } from '../backends/mock/request-log.ts';
import { withRequestLog } from '../backends/recording-proxy.ts';
import type { RunningBackend } from '../backends/types.ts';
import { allPages, MlflowClient } from '../mlflow/client.ts';
import type { Experiment } from '../mlflow/wire.ts';
import type { ConformanceScenario } from './scenarios.ts';

export const CONFORMANCE_BACKENDS = ['mock', 'local', 'container'] as const;
export type ConformanceBackendKind = (typeof CONFORMANCE_BACKENDS)[number];

/** One scenario's view of the backend. */
export interface ScenarioBackend {
  trackingUri: string;
  requestLog: RequestLog;
  /** Request-log position when the scenario started. */
  mark: number;
  /** Whether its request log holds each request's body and run (the checks that read them say n/a otherwise). */
  keepsBodies: boolean;
  /** Ids of the runs the scenario created. */
  runIds(client: MlflowClient): Promise<string[]>;
  /** The Default experiment and those the scenario created. */
  experiments(client: MlflowClient): Promise<Experiment[]>;
  clearFaults(): void;
  /** Takes the server down or brings it back (mock only: the `outage` situation). */
  setDown(down: boolean): void;
  release(): Promise<void>;
}

export interface ConformanceBackend {
  kind: ConformanceBackendKind;
  /** Undefined when the scenario cannot run on this backend; `skipReason` says why. */
  open(scenario: ConformanceScenario): Promise<ScenarioBackend | undefined>;
  skipReason: string;
  close(): Promise<void>;
}

/** Deleted ones too (view type ALL): a hook that deletes its experiment, or runs with it, is seen doing so. */
async function allExperiments(client: MlflowClient): Promise<Experiment[]> {
  const page = (page_token: string | undefined) =>
    client.searchExperiments({ max_results: 1000, view_type: 'ALL', page_token });
  return allPages('experiments/search', page, (p) => p.experiments);
}

function mockBackend(): ConformanceBackend {
  return {
    kind: 'mock',
    skipReason: '',
    async open(scenario) {
      // Bodies kept: the secrets and writes-after-end checks read them.
      const faults = scenario.paceMs ? { latencyMs: scenario.paceMs, ...scenario.faults } : scenario.faults;
      const mock = await startHttpMock({ faults, keepBodies: true });
      return {
        trackingUri: mock.trackingUri,
        requestLog: mock.requestLog,
        mark: 0,
        keepsBodies: true,
        // Every run in the store, deleted ones too (as the real backends' search of view type ALL).
        runIds: () => Promise.resolve(mock.mock.store.runIds()),
        experiments: (client) => allExperiments(client),
        clearFaults: () => mock.setFaults!({}), // `!`: the HTTP mock always has faults
        setDown: (down) => mock.setFaults!({ ...faults, down }),
        release: () => mock.stop(),
      };
    },
    close: async () => {},
  };
}

function sharedRealBackend(kind: 'local' | 'container'): ConformanceBackend {
  let running: Promise<RunningBackend> | undefined;
  return {
    kind,
    skipReason: `needs the mock's fault injection (this target runs against the ${kind} backend)`,
    async open(scenario) {
      if (scenario.faults || scenario.outage) return undefined;
      // Bodies kept, as the mock keeps them: the secrets and writes-after-end checks read them.
      running ??= (kind === 'local' ? startLocalServer() : startContainer()).then((b) =>
        withRequestLog(b, { keepBodies: true }),
      );
      const backend = await running;
      const requestLog = backend.requestLog!; // `!`: withRequestLog always adds one over http
      const client = new MlflowClient({ trackingUri: backend.trackingUri, retry: { maxRetries: 0 } });
      const seenExperiments = new Set((await allExperiments(client)).map((e) => e.experiment_id));
      const runsIn = async (c: MlflowClient): Promise<string[]> => {
        const ids = (await allExperiments(c)).map((e) => e.experiment_id);
        const runs = await c.searchAllRuns({ experiment_ids: ids, run_view_type: 'ALL' });
        return runs.map((r) => r.info.run_id);
      };
      const seenRuns = new Set(await runsIn(client));
      client.close();
      return {
        trackingUri: backend.trackingUri,
        requestLog,
        mark: requestLog.mark(),
        keepsBodies: true,
        runIds: async (c) => (await runsIn(c)).filter((id) => !seenRuns.has(id)),
        experiments: async (c) =>
          (await allExperiments(c)).filter((e) => e.experiment_id === '0' || !seenExperiments.has(e.experiment_id)),
        clearFaults: () => {},
        setDown: () => {},
        release: async () => {},
      };
    },
    async close() {
      const backend = await running?.catch(() => undefined);
      running = undefined;
      await backend?.stop();
    },
  };
}

export function conformanceBackend(kind: ConformanceBackendKind = 'mock'): ConformanceBackend {
  return kind === 'mock' ? mockBackend() : sharedRealBackend(kind);
}
