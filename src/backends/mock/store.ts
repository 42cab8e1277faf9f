// The mock's in-memory tracking store and model registry, with MLflow's write semantics:
// params write-once, tags overwrite, metrics append, deleted runs refuse writes.
import { randomBytes } from 'node:crypto';
import type {
  Experiment,
  FileInfo,
  KeyValue,
  Metric,
  ModelVersion,
  RegisteredModel,
  Run,
  RunInfo,
  RunStatus,
} from '../../mlflow/wire.ts';
import { storedMetricValue } from '../../mlflow/limits.ts';
import { LOG_MODEL_HISTORY_TAG, RUN_STATUSES } from '../../mlflow/wire.ts';
import { logModelEntry } from './log-model.ts';
import { LoggedModelStore } from './logged-models.ts';
import { pyDumps } from './py-json.ts';
import { listArtifactsUnder } from './artifact-list.ts';
import { generateRunName } from './run-names.ts';
import {
  invalid,
  MockMlflowError,
  notFound,
  validateBatchLimits,
  validateMetric,
  validateParam,
  validateRunId,
  validateTag,
} from './validation.ts';

interface StoredExperiment {
  id: string;
  name: string;
  stage: 'active' | 'deleted';
  created: number;
  updated: number;
  tags: Map<string, string>;
}

interface StoredRun {
  info: RunInfo;
  params: Map<string, string>;
  tags: Map<string, string>;
  /** Every value ever logged, per key, in arrival order. */
  metrics: Map<string, Metric[]>;
  /** For keys with long histories: their values by slotOf(), to find exact repeats without a scan. */
  metricIndex: Map<string, Map<number, Metric[]>>;
  /** Logged models the run produced (runs/outputs), in arrival order. */
  modelOutputs: { model_id: string; step: number }[];
}

interface StoredModel {
  name: string;
  created: number;
  updated: number;
  description?: string;
  tags: Map<string, string>;
  versions: ModelVersion[];
}

const kv = (m: Map<string, string>): KeyValue[] => [...m].map(([key, value]) => ({ key, value }));

export class MockStore {
  private readonly experiments = new Map<string, StoredExperiment>();
  private readonly runs = new Map<string, StoredRun>();
  private readonly models = new Map<string, StoredModel>();
  /** Artifact bytes by full path: `<experiment>/<run>/artifacts/<relative path>`. */
  readonly artifacts = new Map<string, Buffer>();
  private nextExperimentId = 1;
  private readonly now: () => number;
  /** MLflow 3's logged models; their files share `artifacts` (under `<experiment>/models/<id>/artifacts/`). */
  readonly loggedModels: LoggedModelStore;

  constructor(now: () => number = Date.now) {
    this.now = now;
    const t = now();
    this.experiments.set('0', { id: '0', name: 'Default', stage: 'active', created: t, updated: t, tags: new Map() });
    this.loggedModels = new LoggedModelStore(now, (id) => void this.getExperiment(id), this.artifacts);
  }

  // ---- experiments
  createExperiment(name: string, tags: KeyValue[] = []): string {
    if ([...this.experiments.values()].some((e) => e.name === name)) {
      throw new MockMlflowError('RESOURCE_ALREADY_EXISTS', `Experiment(name=${name}) already exists.`);
    }
    const id = String(this.nextExperimentId++);
    const t = this.now();
    this.experiments.set(id, {
      id,
      name,
      stage: 'active',
      created: t,
      updated: t,
      tags: new Map(tags.map((x) => [x.key, x.value ?? ''])),
    });
    return id;
  }

  getExperiment(id: string): Experiment {
    const e = this.experiments.get(id);
    if (!e) throw notFound(`No Experiment with id=${id} exists`);
    return this.experimentJson(e);
  }

  getExperimentByName(name: string): Experiment {
    const e = [...this.experiments.values()].find((x) => x.name === name);
    if (!e) throw notFound(`Could not find experiment with name '${name}'`);
    return this.experimentJson(e);
  }

  /** Newest first, as the SQL store orders by default; `view`: ACTIVE_ONLY (the default), DELETED_ONLY or ALL. */
  searchExperiments(view = 'ACTIVE_ONLY'): Experiment[] {
    return [...this.experiments.values()]
      .filter((e) => inView(e.stage, view))
      .sort((a, b) => b.created - a.created || Number(b.id) - Number(a.id))
      .map((e) => this.experimentJson(e));
  }

  /** As the SQL store: the experiment's runs are deleted (or restored) with it. */
  setExperimentStage(id: string, stage: 'active' | 'deleted'): void {
    const e = this.experiments.get(id);
    // Deleting needs an active experiment, restoring a deleted one: either way, otherwise "does not exist".
    if (!e || e.stage === stage) throw notFound(`No Experiment with id=${id} exists`);
    e.stage = stage;
    e.updated = this.now();
    for (const r of this.runs.values()) if (r.info.experiment_id === id) r.info.lifecycle_stage = stage;
  }

  private experimentJson(e: StoredExperiment): Experiment {
    const out: Experiment = {
      experiment_id: e.id,
      name: e.name,
      artifact_location: `mlflow-artifacts:/${e.id}`,
      lifecycle_stage: e.stage,
      last_update_time: e.updated,
      creation_time: e.created,
    };
    if (e.tags.size) out.tags = kv(e.tags);
    out.workspace = 'default';
    return out;
  }

  // ---- runs
  createRun(experimentId: string, runName: string | undefined, startTime: number, tags: KeyValue[]): Run {
    const exp = this.experiments.get(experimentId);
    if (!exp) throw notFound(`No Experiment with id=${experimentId} exists`);
    if (exp.stage !== 'active')
      throw invalid(`The experiment ${experimentId} must be in the 'active' state. Current state is ${exp.stage}.`);
    const id = randomBytes(16).toString('hex');
    const userTags = new Map(tags.map((t) => [t.key, t.value ?? '']));
    const name = runName || userTags.get('mlflow.runName') || generateRunName();
    const info: RunInfo = {
      run_uuid: id,
      experiment_id: experimentId,
      run_name: name,
      user_id: '',
      status: 'RUNNING',
      start_time: startTime,
      artifact_uri: `mlflow-artifacts:/${experimentId}/${id}/artifacts`,
      lifecycle_stage: 'active',
      run_id: id,
    };
    userTags.set('mlflow.runName', name);
    const run: StoredRun = {
      info,
      params: new Map(),
      tags: userTags,
      metrics: new Map(),
      metricIndex: new Map(),
      modelOutputs: [],
    };
    this.runs.set(id, run);
    return { info: { ...info }, data: { tags: kv(run.tags) }, inputs: {} };
  }

  private run(runId: string): StoredRun {
    const r = this.runs.get(runId);
    if (!r) throw notFound(`Run with id=${runId} not found`);
    return r;
  }

  private activeRun(runId: string): StoredRun {
    const r = this.run(runId);
    if (r.info.lifecycle_stage !== 'active') {
      throw invalid(`The run ${runId} must be in the 'active' state. Current state is ${r.info.lifecycle_stage}.`);
    }
    return r;
  }

  getRun(runId: string): Run {
    return this.runJson(this.run(runId));
  }

  updateRun(
    runId: string,
    status: string | undefined,
    endTime: number | undefined,
    runName: string | undefined,
  ): RunInfo {
    const r = this.activeRun(runId);
    // An unknown status name is dropped by proto parsing, so the status stays as it was.
    // includes() is the check: only a known status is assigned
    if (status && RUN_STATUSES.includes(status as RunStatus)) r.info.status = status as RunStatus;
    if (endTime !== undefined) r.info.end_time = endTime;
    if (runName) {
      r.info.run_name = runName;
      r.tags.set('mlflow.runName', runName);
    }
    return { ...r.info };
  }

  deleteRun(runId: string): void {
    this.run(runId).info.lifecycle_stage = 'deleted';
  }

  restoreRun(runId: string): void {
    this.run(runId).info.lifecycle_stage = 'active';
  }

  /** Runs of the given experiments, newest start first, then by run id. */
  searchRuns(experimentIds: string[], filter: (run: Run) => boolean, view: string): Run[] {
    const wanted = new Set(experimentIds);
    return [...this.runs.values()]
      .filter((r) => wanted.has(r.info.experiment_id))
      .filter((r) => inView(r.info.lifecycle_stage, view))
      .sort((a, b) => b.info.start_time - a.info.start_time || (a.info.run_id < b.info.run_id ? -1 : 1))
      .map((r) => this.runJson(r))
      .filter(filter);
  }

  private runJson(r: StoredRun): Run {
    const data: Run['data'] = {};
    if (r.metrics.size) data.metrics = [...r.metrics.values()].map(latest);
    if (r.params.size) data.params = kv(r.params);
    if (r.tags.size) data.tags = kv(r.tags);
    const outputs = r.modelOutputs.length ? { model_outputs: r.modelOutputs.map((o) => ({ ...o })) } : {};
    return { info: { ...r.info }, data, inputs: {}, outputs };
  }

  // ---- logging
  /** log-batch, in the SQL store's order: validate data, limits, unique keys, then the run. */
  logBatch(runId: string, metrics: Metric[], params: KeyValue[], tags: KeyValue[]): void {
    validateRunId(runId);
    metrics.forEach(validateMetric);
    const cleanParams = params.map((p, i) => {
      const value = validateParam(p.key, p.value ?? '', i);
      return value === p.value ? p : { key: p.key, value };
    });
    const cleanTags = tags.map((t, i) => {
      const value = validateTag(t.key, t.value ?? '', i);
      return value === t.value ? t : { key: t.key, value };
    });
    validateBatchLimits(metrics.length, params.length, tags.length);
    const seen = new Set<string>();
    const dupes: string[] = [];
    for (const p of cleanParams) {
      if (seen.has(p.key)) dupes.push(p.key);
      seen.add(p.key);
    }
    if (dupes.length) {
      throw invalid(
        `Duplicate parameter keys have been submitted: [${dupes.map((k) => `'${k}'`).join(', ')}]. Please ensure ` +
          `the request contains only one param value per param key.`,
      );
    }
    const run = this.activeRun(runId);
    const changed = cleanParams.filter((p) => run.params.has(p.key) && run.params.get(p.key) !== p.value);
    if (changed.length) {
      const list = changed
        .map((p) => `{'key': '${p.key}', 'old_value': '${run.params.get(p.key)}', 'new_value': '${p.value}'}`)
        .join(', ');
      throw invalid(
        `Changing param values is not allowed. Params were already logged='[${list}]' for run ID='${runId}'.`,
      );
    }
    for (const p of cleanParams) run.params.set(p.key, p.value ?? '');
    for (const t of cleanTags) this.setRunTag(run, t.key, t.value ?? '');
    for (const m of metrics) appendMetric(run, m);
  }

  logParam(runId: string, key: string, value: string): void {
    validateRunId(runId);
    const clean = validateParam(key, value);
    const run = this.activeRun(runId);
    const old = run.params.get(key);
    if (old !== undefined && old !== clean) {
      throw invalid(
        `Changing param values is not allowed. Param with key='${key}' was already logged with value='${old}' for ` +
          `run ID='${runId}'. Attempted logging new value '${clean}'.`,
      );
    }
    run.params.set(key, clean);
  }

  logMetric(runId: string, m: Metric): void {
    validateRunId(runId);
    validateMetric(m);
    appendMetric(this.activeRun(runId), m);
  }

  setTag(runId: string, key: string, value: string): void {
    validateRunId(runId);
    const clean = validateTag(key, value);
    this.setRunTag(this.activeRun(runId), key, clean);
  }

  /** runs/outputs: the logged models a run produced. */
  logOutputs(runId: string, models: { model_id: string; step: number }[]): void {
    this.activeRun(runId).modelOutputs.push(...models);
  }

  /** runs/log-model (MLflow 2): the model's MLmodel summary appended to the run's history tag. */
  recordLoggedModel(runId: string, modelJson: string): void {
    const entry = logModelEntry(modelJson);
    const run = this.activeRun(runId);
    const old = run.tags.get(LOG_MODEL_HISTORY_TAG);
    // the tag holds the JSON list this method wrote
    const history = old ? (JSON.parse(old) as unknown[]) : [];
    this.setRunTag(run, LOG_MODEL_HISTORY_TAG, pyDumps([...history, entry]));
  }

  private setRunTag(run: StoredRun, key: string, value: string): void {
    run.tags.set(key, value);
    if (key === 'mlflow.runName') run.info.run_name = value;
  }

  deleteTag(runId: string, key: string): void {
    const run = this.activeRun(runId);
    if (!run.tags.has(key)) throw notFound(`No tag with name: ${key} in run with id ${runId}`);
    run.tags.delete(key);
  }

  /** Ordered by timestamp, then step, then value (NaN's stored 0), as the SQL store returns them. */
  metricHistory(runId: string, key: string): Metric[] {
    const history = this.run(runId).metrics.get(key) ?? [];
    return [...history].sort(
      (a, b) => a.timestamp - b.timestamp || a.step - b.step || sqlValue(a.value) - sqlValue(b.value),
    );
  }

  // ---- artifacts
  putArtifact(path: string, bytes: Buffer): void {
    this.artifacts.set(path, bytes);
  }

  getArtifact(path: string): Buffer | undefined {
    return this.artifacts.get(path);
  }

  /** Direct children of `path` under the run's artifact root, sorted by path. */
  listArtifacts(runId: string, path: string | undefined): { root_uri: string; files?: FileInfo[] } {
    return listArtifactsUnder(this.artifacts, this.run(runId).info.artifact_uri, path);
  }

  // ---- model registry
  createRegisteredModel(name: string, tags: KeyValue[], description: string | undefined): RegisteredModel {
    if (this.models.has(name))
      throw new MockMlflowError('RESOURCE_ALREADY_EXISTS', `Registered Model (name=${name}) already exists.`);
    const t = this.now();
    const m: StoredModel = {
      name,
      created: t,
      updated: t,
      description,
      tags: new Map(tags.map((x) => [x.key, x.value ?? ''])),
      versions: [],
    };
    this.models.set(name, m);
    return this.modelJson(m);
  }

  getRegisteredModel(name: string): RegisteredModel {
    const m = this.models.get(name);
    if (!m) throw notFound(`Registered Model with name=${name} not found`);
    return this.modelJson(m);
  }

  searchRegisteredModels(filter: (m: RegisteredModel) => boolean, maxResults: number): RegisteredModel[] {
    return [...this.models.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .map((m) => this.modelJson(m))
      .filter(filter)
      .slice(0, maxResults);
  }

  createModelVersion(
    name: string,
    source: string,
    runId: string | undefined,
    tags: KeyValue[],
    runLink: string,
    description: string,
    modelId?: string,
  ): ModelVersion {
    // A logged model's source (`models:/<id>`, or its location) needs the model_id naming that model.
    const modelSource = modelId
      ? /^(models|mlflow-artifacts):/.test(source) && !this.loggedModels.contains(modelId, source)
      : /^models:\/[^/]+$/.test(source);
    if (modelSource) {
      throw invalid(
        `Invalid model version source: '${source}'. The model_id request parameter must identify the resource ` +
          `that contains the source.`,
      );
    } else if (!/^[a-zA-Z][\w+.-]*:/.test(source)) {
      throw invalid(
        `Invalid model version source: '${source}'. To use a local path as a model version source, the run_id ` +
          `request parameter has to be specified and the local path has to be contained within the artifact ` +
          `directory of the run specified by the run_id.`,
      );
    }
    const lineageRun = this.loggedModels.lineage(source, runId, modelId);
    const m = this.models.get(name);
    if (!m) throw notFound(`Registered Model with name=${name} not found`);
    const t = this.now();
    const v: ModelVersion = {
      name,
      version: String(m.versions.length + 1),
      creation_timestamp: t,
      last_updated_timestamp: t,
      current_stage: 'None',
      description,
      source,
      run_id: lineageRun ?? '',
      status: 'READY',
      run_link: runLink,
    };
    if (tags.length) v.tags = tags.map((x) => ({ key: x.key, value: x.value ?? '' }));
    m.versions.push(v);
    m.updated = t;
    if (modelId) this.loggedModels.addModelVersion(modelId, name, m.versions.length);
    return { ...v };
  }

  /** Every version of every model, as the SQL store orders them: by model name, then newest version first. */
  searchModelVersions(filter: (v: ModelVersion) => boolean): ModelVersion[] {
    return [...this.models.values()]
      .sort((a, b) => (a.name < b.name ? -1 : 1))
      .flatMap((m) => [...m.versions].reverse())
      .filter(filter)
      .map((v) => ({ ...v }));
  }

  private modelJson(m: StoredModel): RegisteredModel {
    const out: RegisteredModel = { name: m.name, creation_timestamp: m.created, last_updated_timestamp: m.updated };
    if (m.description !== undefined) out.description = m.description;
    // latest_versions: the newest version in each stage; every version here stays in stage "None".
    const newest = m.versions[m.versions.length - 1];
    if (newest) out.latest_versions = [{ ...newest }];
    if (m.tags.size) out.tags = kv(m.tags);
    return out;
  }

  // ---- for checks and tests
  runIds(): string[] {
    return [...this.runs.keys()];
  }
}

/** Whether a run or experiment in this lifecycle stage is in a search of this view type. */
function inView(stage: string, view: string): boolean {
  return view === 'ALL' || stage === (view === 'DELETED_ONLY' ? 'deleted' : 'active');
}

/** A key's history is scanned for repeats up to this length; from it on, its values are indexed. */
const INDEX_FROM = 16;

/** A value identical to one the run holds (key, timestamp, step, value) is not stored again: the SQL
 * store's primary key drops it (MLflow 3 re-logs a run's metrics when a model is logged in it). */
function appendMetric(run: StoredRun, logged: Metric): void {
  const value = storedMetricValue(logged.value);
  const m = value === logged.value ? logged : { ...logged, value };
  const history = run.metrics.get(m.key);
  if (!history) {
    run.metrics.set(m.key, [m]);
    return;
  }
  const index = run.metricIndex.get(m.key);
  const slot = index ? slotOf(m) : 0;
  const candidates = index ? index.get(slot) : history;
  if (candidates) for (const old of candidates) if (sameMetric(old, m)) return;
  history.push(m);
  if (index) {
    if (candidates) candidates.push(m);
    else index.set(slot, [m]);
  } else if (history.length >= INDEX_FROM) {
    const built = new Map<number, Metric[]>();
    for (const old of history) {
      const at = slotOf(old);
      const bucket = built.get(at);
      if (bucket) bucket.push(old);
      else built.set(at, [old]);
    }
    run.metricIndex.set(m.key, built);
  }
}

/** Equal as numbers, NaN equal to NaN and -0 to 0 (as their text is: "NaN", "0"). */
const same = (a: number, b: number): boolean => a === b || (a !== a && b !== b);

/** The same (timestamp, step, value): a repeat, when the key is the same too. */
const sameMetric = (a: Metric, b: Metric): boolean =>
  same(a.timestamp, b.timestamp) && same(a.step, b.step) && same(a.value, b.value);

/** A number from (timestamp, step) that is equal for equal pairs (exact integer arithmetic: timestamp and step
 * are integers; -0 and 0 give the same Map key, a NaN gives NaN, one Map key too). Different pairs may share one:
 * the values under a slot are compared in full. */
const slotOf = (m: Metric): number => (m.timestamp % 4294967296) * 1048576 + (m.step % 1048576);

/** The value column of the SQL store: a NaN is stored as 0 (beside its is_nan flag). */
const sqlValue = (v: number): number => (Number.isNaN(v) ? 0 : v);

/** MLflow's "latest" value of a metric: the largest (step, timestamp, value), comparing NaN as its stored 0. */
function latest(history: Metric[]): Metric {
  return history.reduce((best, m) =>
    m.step > best.step ||
    (m.step === best.step &&
      (m.timestamp > best.timestamp || (m.timestamp === best.timestamp && sqlValue(m.value) > sqlValue(best.value))))
      ? m
      : best,
  );
}
