// The routes by which models reach MLflow: MLflow 3's logged models (and runs/outputs, which links
// one to its run) and MLflow 2's runs/log-model. Fields are checked in handlers.py's schema order.
import { keyValues, list, page, str, text, type Json } from './request-fields.ts';
import type { MockStore } from './store.ts';
import { assertArray, parseInt64, required, requiredString } from './validation.ts';

type AddRoute = (
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
  endpoint: string,
  fn: (input: Json, params: string[]) => Json,
) => void;

/** SEARCH_LOGGED_MODEL_MAX_RESULTS_DEFAULT in MLflow's SQL store. */
const SEARCH_DEFAULT = 100;

export function loggedModelRoutes(store: MockStore, route: AddRoute): void {
  const models = store.loggedModels;
  // `params[0]`: each route below has exactly one {model_id} segment, so the match has it.
  const id = (params: string[]): string => params[0]!;

  route('POST', 'logged-models', (b) => {
    const experimentId = requiredString(b, 'experiment_id');
    assertArray(b, 'params');
    assertArray(b, 'tags');
    return {
      model: models.create(
        experimentId,
        str(b.name),
        str(b.model_type) ?? '',
        str(b.source_run_id) ?? '',
        keyValues(b.params, 'params'),
        keyValues(b.tags, 'tags'),
      ),
    };
  });
  route('GET', 'logged-models/{model_id}', (q, p) => ({
    model: models.get(id(p), text(q.allow_deleted ?? 'false').toLowerCase() === 'true'),
  }));
  route('PATCH', 'logged-models/{model_id}', (b) => {
    const modelId = requiredString(b, 'model_id');
    return { model: models.finalize(modelId, required(b, 'status')) };
  });
  route('DELETE', 'logged-models/{model_id}', (_, p) => (models.delete(id(p)), {}));
  route('POST', 'logged-models/search', (b) => {
    assertArray(b, 'experiment_ids');
    required(b, 'experiment_ids');
    const max = b.max_results === undefined ? SEARCH_DEFAULT : parseInt64(b.max_results, 'max_results');
    const found = models.search(list<unknown>(b.experiment_ids).map(text), str(b.filter));
    return page(found, b.page_token, max || SEARCH_DEFAULT, 'models');
  });
  route('PATCH', 'logged-models/{model_id}/tags', (b, p) => {
    assertArray(b, 'tags');
    models.setTags(id(p), keyValues(b.tags, 'tags'));
    return {};
  });
  route('DELETE', 'logged-models/{model_id}/tags/{tag_key}', (_, p) => {
    // `p[1]`: the route's second segment parameter
    models.deleteTag(id(p), p[1]!);
    return {};
  });
  route('GET', 'logged-models/{model_id}/artifacts/directories', (q, p) =>
    models.listArtifacts(id(p), str(q.artifact_directory_path)),
  );
  route('POST', 'logged-models/{model_id}/params', (b, p) => {
    requiredString(b, 'model_id');
    assertArray(b, 'params');
    models.logParams(id(p), keyValues(b.params, 'params'));
    return {};
  });

  route('POST', 'runs/outputs', (b) => {
    const runId = requiredString(b, 'run_id');
    required(b, 'models');
    assertArray(b, 'models');
    const outputs = list<Json>(b.models).map((m, i) => ({
      model_id: text(required(m, 'model_id', `models[${i}].model_id`)),
      step: m.step === undefined ? 0 : parseInt64(m.step, `models[${i}].step`),
    }));
    store.logOutputs(runId, outputs);
    return {};
  });
  route('POST', 'runs/log-model', (b) => {
    const runId = requiredString(b, 'run_id');
    store.recordLoggedModel(runId, requiredString(b, 'model_json'));
    return {};
  });
}
