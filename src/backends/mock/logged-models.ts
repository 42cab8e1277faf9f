// MLflow 3's logged models in the mock: a model of its own in an experiment, with params, tags, a
// status the client finalises, and files under `mlflow-artifacts:/<experiment>/models/<id>/artifacts`
// (uploaded through the same proxied artifact routes as a run's). Semantics of MLflow 3.17's SQL store.
import { randomBytes } from 'node:crypto';
import {
  LOGGED_MODEL_STATUSES,
  type FileInfo,
  type KeyValue,
  type LoggedModel,
  type LoggedModelStatus,
} from '../../mlflow/wire.ts';
import { listArtifactsUnder } from './artifact-list.ts';
import { pyDumps } from './py-json.ts';
import { generateRunName } from './run-names.ts';
import { invalid, MockMlflowError, notFound } from './validation.ts';

interface StoredLoggedModel {
  info: Omit<LoggedModel['info'], 'tags'>;
  deleted: boolean;
  params: Map<string, string>;
  tags: Map<string, string>;
}

/** Sorted by key, as the SQL store returns a logged model's params and tags. */
const kv = (m: Map<string, string>): KeyValue[] =>
  [...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([key, value]) => ({ key, value }));

/** The search filter the mock understands: `<attribute> = '<value>'` clauses joined by AND. */
const CLAUSE = /^\s*(name|model_id|model_type|status|source_run_id)\s*=\s*'([^']*)'\s*$/;

export class LoggedModelStore {
  private readonly models = new Map<string, StoredLoggedModel>();
  /** Creation times strictly increase (a real server never creates two in one millisecond here), so
   * "newest first" is the order of creation, as on the real server, and not the random id order of a tie. */
  private lastCreated = 0;

  constructor(
    private readonly now: () => number,
    /** Throws MLflow's "No Experiment" error for an unknown id. */
    private readonly checkExperiment: (id: string) => void,
    private readonly artifacts: Map<string, Buffer>,
  ) {}

  create(
    experimentId: string,
    name: string | undefined,
    modelType: string,
    sourceRunId: string,
    params: KeyValue[],
    tags: KeyValue[],
  ): LoggedModel {
    this.checkExperiment(experimentId);
    const id = `m-${randomBytes(16).toString('hex')}`;
    const t = Math.max(this.now(), this.lastCreated + 1);
    this.lastCreated = t;
    const model: StoredLoggedModel = {
      info: {
        model_id: id,
        experiment_id: experimentId,
        name: name || generateRunName(),
        creation_timestamp_ms: t,
        last_updated_timestamp_ms: t,
        artifact_uri: `mlflow-artifacts:/${experimentId}/models/${id}/artifacts`,
        status: 'LOGGED_MODEL_PENDING',
        model_type: modelType,
        source_run_id: sourceRunId,
      },
      deleted: false,
      params: new Map(params.map((p) => [p.key, p.value])),
      tags: new Map(tags.map((x) => [x.key, x.value])),
    };
    this.models.set(id, model);
    return json(model);
  }

  private find(id: string, allowDeleted = false): StoredLoggedModel {
    const m = this.models.get(id);
    if (!m || (m.deleted && !allowDeleted)) throw notFound(`Logged model with ID '${id}' not found.`);
    return m;
  }

  get(id: string, allowDeleted = false): LoggedModel {
    return json(this.find(id, allowDeleted));
  }

  /** A status the proto parser does not know reads as UNSPECIFIED, as in MLflow. */
  finalize(id: string, status: unknown): LoggedModel {
    const m = this.find(id);
    const known =
      typeof status === 'number'
        ? LOGGED_MODEL_STATUSES[status]
        : LOGGED_MODEL_STATUSES.find((s) => s === String(status));
    m.info.status = known ?? ('LOGGED_MODEL_STATUS_UNSPECIFIED' satisfies LoggedModelStatus);
    m.info.last_updated_timestamp_ms = this.now();
    return json(m);
  }

  delete(id: string): void {
    this.find(id).deleted = true;
  }

  logParams(id: string, params: KeyValue[]): void {
    const m = this.find(id);
    for (const p of params) m.params.set(p.key, p.value);
  }

  setTags(id: string, tags: KeyValue[]): void {
    const m = this.find(id);
    for (const t of tags) m.tags.set(t.key, t.value);
  }

  deleteTag(id: string, key: string): void {
    const m = this.find(id);
    if (!m.tags.delete(key)) throw notFound(`No tag with key '${key}' found for model with ID '${id}'.`);
  }

  /** Newest first, then by id (the SQL store's default order); deleted models are left out. */
  search(experimentIds: string[], filter: string | undefined): LoggedModel[] {
    const clauses = (filter?.trim() ? filter.split(/\s+AND\s+/i) : []).map((part) => {
      const m = part.match(CLAUSE);
      if (!m) throw invalid(`Invalid filter '${filter}'. The mock understands <attribute> = '<value>' only.`);
      // both groups are not optional in CLAUSE
      return { key: m[1] as keyof StoredLoggedModel['info'], value: m[2]! };
    });
    const wanted = new Set(experimentIds);
    return [...this.models.values()]
      .filter((m) => !m.deleted && wanted.has(m.info.experiment_id))
      .filter((m) => clauses.every((c) => String(m.info[c.key]) === c.value))
      .sort(
        (a, b) =>
          b.info.creation_timestamp_ms - a.info.creation_timestamp_ms || (a.info.model_id < b.info.model_id ? -1 : 1),
      )
      .map(json);
  }

  listArtifacts(id: string, path: string | undefined): { root_uri: string; files?: FileInfo[] } {
    return listArtifactsUnder(this.artifacts, this.find(id).info.artifact_uri, path);
  }

  /** The server's own record of a registration: `mlflow.modelVersions` gains {name, version}. */
  addModelVersion(id: string, name: string, version: number): void {
    const m = this.find(id);
    const old = m.tags.get('mlflow.modelVersions');
    const list = old ? (JSON.parse(old) as unknown[]) : [];
    list.push({ name, version });
    m.tags.set('mlflow.modelVersions', pyDumps(list));
  }

  /** Whether `source` is this model: `models:/<id>` (not looked up, as the server's check) or a path under the
   * location of an existing logged model. */
  contains(id: string, source: string): boolean {
    if (source === `models:/${id}`) return true;
    const m = this.models.get(id);
    if (!m) return false;
    return source === m.info.artifact_uri || source.startsWith(`${m.info.artifact_uri}/`);
  }

  /** The registry store's lineage: the request's run, else the run of the logged model a `models:/<id>`
   * source names (a missing one is an internal error there), else that of the model_id (a missing resource). */
  lineage(source: string, runId: string | undefined, modelId: string | undefined): string | undefined {
    let run = runId;
    const named = source.match(/^models:\/([^/]+)$/)?.[1];
    if (named) {
      const m = this.models.get(named);
      if (!m) {
        throw new MockMlflowError(
          'INTERNAL_ERROR',
          `Unable to fetch model from model URI source artifact location '${source}'.` +
            `Error: Logged model with ID '${named}' not found.`,
        );
      }
      run ||= m.info.source_run_id;
    }
    if (!run && modelId) run = this.find(modelId).info.source_run_id;
    return run || undefined;
  }
}

function json(m: StoredLoggedModel): LoggedModel {
  const info: LoggedModel['info'] = { ...m.info };
  if (m.tags.size) info.tags = kv(m.tags);
  return { info, data: m.params.size ? { params: kv(m.params) } : {} };
}
