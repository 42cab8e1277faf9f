// runs/log-model (MLflow 2's record of a model logged in a run): the request's MLmodel JSON checked
// and reduced to what the server keeps in the run's `mlflow.log-model.history` tag (Model.get_tags_dict).
import type { LogModelEntry } from '../../mlflow/wire.ts';
import { invalid } from './validation.ts';

const MANDATORY = ['artifact_path', 'flavors', 'utc_time_created', 'run_id'] as const;

export function logModelEntry(modelJson: string): LogModelEntry {
  let model: unknown;
  try {
    model = JSON.parse(modelJson);
  } catch {
    throw invalid(`Malformed model info. \n ${modelJson} \n is not a valid JSON.`);
  }
  if (model === null || typeof model !== 'object' || Array.isArray(model))
    throw invalid(`Malformed model info. \n ${modelJson} \n is not a valid JSON object.`);
  // checked above: a JSON object
  const m = model as Record<string, unknown>;
  // Python prints a set: with one field missing the message is exact; with several, its order varies.
  const missing = MANDATORY.filter((k) => !(k in m));
  if (missing.length)
    throw invalid(`Model json is missing mandatory fields: {${missing.map((k) => `'${k}'`).join(', ')}}`);
  const flavors: Record<string, unknown> = {};
  for (const [flavor, config] of Object.entries((m.flavors ?? {}) as Record<string, unknown>)) {
    flavors[flavor] =
      config !== null && typeof config === 'object' && !Array.isArray(config)
        ? Object.fromEntries(Object.entries(config).filter(([k]) => k !== 'config'))
        : config;
  }
  const entry: LogModelEntry = {
    utc_time_created: String(m.utc_time_created),
    model_uuid: typeof m.model_uuid === 'string' ? m.model_uuid : null,
    flavors,
  };
  // Key order as MLflow writes them: run_id, artifact_path, utc_time_created, model_uuid, flavors. Values are
  // kept as sent (MLflow stores what it parsed); a client sends strings here.
  return {
    ...(m.run_id === null ? {} : { run_id: m.run_id as string }),
    ...(m.artifact_path === null ? {} : { artifact_path: m.artifact_path as string }),
    ...entry,
  };
}
