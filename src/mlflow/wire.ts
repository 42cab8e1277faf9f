// MLflow's REST wire format (protobuf-JSON: snake_case, unset fields omitted, int64 as numbers).
// Shared by the client and the mock; nothing else crosses that boundary.

export const API_PREFIX = '/api/2.0/mlflow';
export const ARTIFACTS_PREFIX = '/api/2.0/mlflow-artifacts/artifacts';

export type RunStatus = 'RUNNING' | 'SCHEDULED' | 'FINISHED' | 'FAILED' | 'KILLED';
export const RUN_STATUSES: readonly RunStatus[] = ['RUNNING', 'SCHEDULED', 'FINISHED', 'FAILED', 'KILLED'];
export type LifecycleStage = 'active' | 'deleted';
export type ViewType = 'ACTIVE_ONLY' | 'DELETED_ONLY' | 'ALL';

export interface KeyValue {
  key: string;
  value: string;
}
export type Param = KeyValue;
export type RunTag = KeyValue;

export interface Metric {
  key: string;
  value: number;
  timestamp: number;
  step: number;
}

/** A double as protobuf-JSON writes it: JSON has no NaN or infinities, so they travel as these strings. */
export type WireDouble = number | 'NaN' | 'Infinity' | '-Infinity';

export function wireDouble(v: number): WireDouble {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  return v === -Infinity ? '-Infinity' : v;
}

/** JSON as MLflow's REST API writes it: every non-finite number spelt as protobuf-JSON does (JSON.stringify
 * alone would write null, which MLflow refuses as a missing value). */
export function wireJson(value: object, indent?: number): string {
  // Plain JSON.stringify first (a replacer costs on every value of a 1000-metric batch): it writes null for
  // a non-finite number, so text without null needs nothing more.
  const plain = JSON.stringify(value, null, indent);
  if (!plain.includes('null')) return plain;
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' ? wireDouble(v) : v), indent);
}

const SPELT = new Set<unknown>(['NaN', 'Infinity', '-Infinity']);

/** MLflow's JSON read back: a metric's (an object with key, value and timestamp) spelt value becomes its number;
 * a param or tag whose text is "NaN" stays text. */
export function parseWireJson(text: string): unknown {
  if (!text.includes('NaN"') && !text.includes('Infinity"')) return JSON.parse(text);
  return JSON.parse(text, (_key, v: unknown) => {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
    // checked: a non-array object
    const o = v as Record<string, unknown>;
    if (SPELT.has(o.value) && typeof o.key === 'string' && 'timestamp' in o) o.value = Number(o.value);
    return o;
  });
}

export interface Experiment {
  experiment_id: string;
  name: string;
  artifact_location: string;
  lifecycle_stage: LifecycleStage;
  last_update_time: number;
  creation_time: number;
  tags?: KeyValue[];
  workspace?: string;
}

export interface RunInfo {
  run_id: string;
  run_uuid: string;
  run_name: string;
  experiment_id: string;
  user_id: string;
  status: RunStatus;
  start_time: number;
  end_time?: number;
  artifact_uri: string;
  lifecycle_stage: LifecycleStage;
}

export interface RunData {
  metrics?: Metric[];
  params?: Param[];
  tags?: RunTag[];
}

export interface Run {
  info: RunInfo;
  data: RunData;
  inputs?: Record<string, unknown>;
  outputs?: Record<string, unknown>;
}

export interface FileInfo {
  path: string;
  is_dir: boolean;
  file_size?: number;
}

export interface ModelVersion {
  name: string;
  version: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  current_stage: string;
  description: string;
  source: string;
  run_id?: string;
  status: string;
  run_link: string;
  tags?: KeyValue[];
}

export type LoggedModelStatus =
  'LOGGED_MODEL_STATUS_UNSPECIFIED' | 'LOGGED_MODEL_PENDING' | 'LOGGED_MODEL_READY' | 'LOGGED_MODEL_UPLOAD_FAILED';
/** In proto enum order: a status sent as a number is its index here. */
export const LOGGED_MODEL_STATUSES: readonly LoggedModelStatus[] = [
  'LOGGED_MODEL_STATUS_UNSPECIFIED',
  'LOGGED_MODEL_PENDING',
  'LOGGED_MODEL_READY',
  'LOGGED_MODEL_UPLOAD_FAILED',
];

/** An MLflow 3 logged model: its files live under its own artifact_uri, not the run's. */
export interface LoggedModel {
  info: {
    model_id: string;
    experiment_id: string;
    name: string;
    creation_timestamp_ms: number;
    last_updated_timestamp_ms: number;
    artifact_uri: string;
    status: LoggedModelStatus;
    model_type: string;
    /** The run that produced it; empty when none was named. */
    source_run_id: string;
    tags?: KeyValue[];
  };
  data: { params?: KeyValue[] };
}

/** One entry of a run's `mlflow.log-model.history` tag (MLflow 2's runs/log-model). */
export interface LogModelEntry {
  run_id?: string;
  artifact_path?: string;
  utc_time_created: string;
  model_uuid: string | null;
  flavors: Record<string, unknown>;
}

/** The run tag runs/log-model appends to. */
export const LOG_MODEL_HISTORY_TAG = 'mlflow.log-model.history';

export interface RegisteredModel {
  name: string;
  creation_timestamp: number;
  last_updated_timestamp: number;
  description?: string;
  latest_versions?: ModelVersion[];
  tags?: KeyValue[];
}

/** The body of every MLflow error answer. */
export interface ErrorBody {
  error_code: string;
  message: string;
  sqlstate?: string;
  error_class?: string;
}

/** error_code -> HTTP status, as mlflow/server/handlers.py maps them. */
export const ERROR_STATUS: Record<string, number> = {
  INVALID_PARAMETER_VALUE: 400,
  BAD_REQUEST: 400,
  RESOURCE_ALREADY_EXISTS: 400,
  INVALID_STATE: 400,
  RESOURCE_DOES_NOT_EXIST: 404,
  ENDPOINT_NOT_FOUND: 404,
  UNAUTHENTICATED: 401,
  PERMISSION_DENIED: 403,
  REQUEST_LIMIT_EXCEEDED: 429,
  INTERNAL_ERROR: 500,
  TEMPORARILY_UNAVAILABLE: 503,
  DEADLINE_EXCEEDED: 504,
};
