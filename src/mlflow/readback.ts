// What reached MLflow for a set of runs, read back through the REST API (so it works the same
// against the mock and a real server): params, every metric value, tags, artifacts, model versions.
import type { MlflowClient } from './client.ts';
import type { FileInfo, Metric, ModelVersion, Run } from './wire.ts';

export interface RunState {
  run: Run;
  /** Every logged value per metric key, in server order. */
  metricHistory: Record<string, Metric[]>;
  /** Every file under the run's artifact root, recursively. */
  artifacts: FileInfo[];
  modelVersions: ModelVersion[];
}

export async function readRun(client: MlflowClient, runId: string): Promise<RunState> {
  const run = await client.getRun(runId);
  const metricHistory: Record<string, Metric[]> = {};
  for (const m of run.data.metrics ?? []) {
    const all: Metric[] = [];
    let page_token: string | undefined;
    do {
      const page = await client.getMetricHistory(runId, m.key, { page_token });
      all.push(...page.metrics);
      page_token = page.next_page_token;
    } while (page_token);
    metricHistory[m.key] = all;
  }
  const artifacts: FileInfo[] = [];
  const walk = async (path?: string): Promise<void> => {
    for (const f of (await client.listArtifacts(runId, path)).files) {
      if (f.is_dir) await walk(f.path);
      else artifacts.push(f);
    }
  };
  await walk();
  const modelVersions = (await client.searchModelVersions({ filter: `run_id='${runId}'` })).model_versions;
  return { run, metricHistory, artifacts, modelVersions };
}

export interface DeliveredCounts {
  params: number;
  metrics: number;
  /** Tags other than MLflow's own `mlflow.*` system tags. */
  tags: number;
  /** Files outside `models/`. */
  artifacts: number;
  models: number;
}

export function countDelivered(states: RunState[]): DeliveredCounts {
  const c: DeliveredCounts = { params: 0, metrics: 0, tags: 0, artifacts: 0, models: 0 };
  for (const s of states) {
    c.params += s.run.data.params?.length ?? 0;
    c.tags += (s.run.data.tags ?? []).filter((t) => !t.key.startsWith('mlflow.')).length;
    c.metrics += Object.values(s.metricHistory).reduce((n, h) => n + h.length, 0);
    c.artifacts += s.artifacts.filter((f) => !f.path.startsWith('models/')).length;
    c.models += s.modelVersions.length;
  }
  return c;
}
