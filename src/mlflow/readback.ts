// What reached MLflow for a set of runs, read back through the REST API (so it works the same
// against the mock and a real server): params, every metric value, tags, artifacts, model versions,
// and the models themselves however the client logged them: MLflow 3's logged models (files under
// the model's own location) or MLflow 2's runs/log-model records (files in the run).
import { allPages, type MlflowClient } from './client.ts';
import { MlflowApiError } from './errors.ts';
import {
  LOG_MODEL_HISTORY_TAG,
  type FileInfo,
  type LoggedModel,
  type LogModelEntry,
  type Metric,
  type ModelVersion,
  type Run,
} from './wire.ts';

/** An MLflow 3 logged model the run produced, with every file under its artifact location. */
export interface RunLoggedModel {
  model: LoggedModel;
  files: FileInfo[];
}

export interface RunState {
  run: Run;
  /** Every logged value per metric key, in server order. */
  metricHistory: Record<string, Metric[]>;
  /** Every file under the run's artifact root, recursively. */
  artifacts: FileInfo[];
  modelVersions: ModelVersion[];
  /** MLflow 3: logged models whose source_run_id is this run. */
  loggedModels: RunLoggedModel[];
  /** MLflow 2: the run's `mlflow.log-model.history` (each model's artifact_path under the run's root). */
  logModelHistory: LogModelEntry[];
}

export async function readRun(client: MlflowClient, runId: string): Promise<RunState> {
  const run = await client.getRun(runId);
  const metricHistory: Record<string, Metric[]> = {};
  for (const m of run.data.metrics ?? []) {
    const page = (page_token: string | undefined) => client.getMetricHistory(runId, m.key, { page_token });
    metricHistory[m.key] = await allPages('metrics/get-history', page, (p) => p.metrics);
  }
  const artifacts: FileInfo[] = [];
  const walk = async (path?: string): Promise<void> => {
    for (const f of (await client.listArtifacts(runId, path)).files) {
      if (f.is_dir) await walk(f.path);
      else artifacts.push(f);
    }
  };
  await walk();
  const versions = (page_token: string | undefined) =>
    client.searchModelVersions({ filter: `run_id='${runId}'`, page_token });
  const modelVersions = await allPages('model-versions/search', versions, (p) => p.model_versions);
  const loggedModels = await readLoggedModels(client, run);
  return { run, metricHistory, artifacts, modelVersions, loggedModels, logModelHistory: logModelHistory(run) };
}

/** Every file of each logged model the run produced; none from a server without MLflow 3's API. */
async function readLoggedModels(client: MlflowClient, run: Run): Promise<RunLoggedModel[]> {
  let asked = 0;
  const page = (page_token: string | undefined) => {
    asked++;
    return client.searchLoggedModels({
      experiment_ids: [run.info.experiment_id],
      filter: `source_run_id = '${run.info.run_id}'`,
      page_token,
    });
  };
  let models: LoggedModel[];
  try {
    models = await allPages('logged-models/search', page, (p) => p.models);
  } catch (err) {
    // An MLflow 2 server has no such endpoint (its first page is not found): its models are in the run.
    if (err instanceof MlflowApiError && err.status === 404 && asked === 1) return [];
    throw err;
  }
  const out: RunLoggedModel[] = [];
  for (const model of models) {
    const files: FileInfo[] = [];
    const walk = async (path?: string): Promise<void> => {
      for (const f of (await client.listLoggedModelArtifacts(model.info.model_id, path)).files) {
        if (f.is_dir) await walk(f.path);
        else files.push(f);
      }
    };
    await walk();
    out.push({ model, files });
  }
  return out;
}

/** The run's MLflow 2 model records; a tag that is not a JSON list reads as none. */
export function logModelHistory(run: Run): LogModelEntry[] {
  const tag = run.data.tags?.find((t) => t.key === LOG_MODEL_HISTORY_TAG)?.value;
  if (!tag) return [];
  try {
    const parsed: unknown = JSON.parse(tag);
    // entries as the server wrote them (runs/log-model checks their fields)
    return Array.isArray(parsed) ? (parsed as LogModelEntry[]) : [];
  } catch {
    return [];
  }
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

/**
 * What the runs hold that is counted as stored: tags (not MLflow's own), files outside `models/`, model versions
 * (one per source).
 * Params and metric values are not: they count as delivered only when they match what was produced (the
 * measure stage matches them).
 */
export function countStored(states: readonly RunState[]): Pick<DeliveredCounts, 'tags' | 'artifacts' | 'models'> {
  const c = { tags: 0, artifacts: 0, models: 0 };
  for (const s of states) {
    c.tags += (s.run.data.tags ?? []).filter((t) => !t.key.startsWith('mlflow.')).length;
    c.artifacts += s.artifacts.filter((f) => !f.path.startsWith('models/')).length;
    // A model registered twice (a retried request that had gone through) is one model: versions by their source.
    c.models += new Set(s.modelVersions.map((v) => v.source)).size;
  }
  return c;
}
