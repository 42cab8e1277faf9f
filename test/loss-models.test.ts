// Loss accounting (FLT-005) for models a target stores in its own format (a Kedro project's pickles and MLflow
// flavours): a model is delivered by a version whose source is its run's model, one version per model; for
// targets that upload the node's bytes, only those bytes count.
import { describe, expect, it } from 'vitest';
import { produced } from '../src/conformance/requirements/loss.ts';
import { SCENARIOS } from '../src/conformance/scenarios.ts';
import type { Observation } from '../src/conformance/types.ts';
import type { RunState } from '../src/mlflow/readback.ts';

const pipeline = SCENARIOS.basic.pipeline;
const models = pipeline.nodes.flatMap((n) => n.outputs.filter((x) => pipeline.datasets[x]?.kind === 'model'));

/** One finished run holding `versions` model versions whose source is a model of the run (a pickle, not bytes):
 * a path in its artifacts (MLflow 2, runs:/) or, with `logged`, one of its logged models (MLflow 3, models:/). */
function runWithVersions(versions: number, sourceRunId = 'r', logged = false, names = versions): RunState {
  const info = { run_id: 'r', run_uuid: 'r', run_name: 'r', experiment_id: '1', user_id: '', status: 'FINISHED' };
  return {
    run: {
      info: {
        ...info,
        status: 'FINISHED',
        start_time: 1,
        end_time: 2,
        artifact_uri: 'mlflow-artifacts:/1/r/artifacts',
      },
      data: { tags: [] },
    },
    metricHistory: {},
    artifacts: [],
    modelVersions: Array.from({ length: versions }, (_, i) => ({
      name: `m${i % names}`,
      version: String(1 + Math.floor(i / names)),
      run_id: 'r',
      source: logged ? `models:/m-${i}` : `runs:/${sourceRunId}/model_${i}`,
    })),
    loggedModels: logged
      ? Array.from({ length: versions }, (_, i) => ({
          model: { info: { model_id: `m-${i}`, artifact_uri: `mlflow-artifacts:/1/models/m-${i}/artifacts` } },
        }))
      : [],
    logModelHistory: [],
  } as unknown as RunState; // Only the fields `produced` reads about models; the rest plays no part.
}

function modelsDelivered(run: RunState, modelsInOwnFormat: boolean | undefined): boolean[] {
  // Only the fields `produced` reads; every node ran.
  const o = {
    pipeline,
    runs: [run],
    pipelineRuns: 1,
    completedNodes: pipeline.nodes.map((n) => n.name),
    artifactBytes: [],
    modelsInOwnFormat,
  } as unknown as Observation;
  return produced(o)
    .filter((x) => x.kind === 'models')
    .map((x) => x.delivered);
}

describe('FLT-005 accounting of models stored in the target own format', () => {
  it('has several models to account for', () => {
    expect(models.length).toBeGreaterThan(2);
  });

  it('counts each model delivered when its run holds one version of its own per model', () => {
    expect(modelsDelivered(runWithVersions(models.length), true)).toEqual(models.map(() => true));
  });

  it('counts the models beyond the versions as not delivered', () => {
    const got = modelsDelivered(runWithVersions(models.length - 2), true);
    expect(got.filter((d) => !d)).toHaveLength(2);
  });

  it("counts models logged as MLflow 3's logged models of the run (models:/ sources)", () => {
    expect(modelsDelivered(runWithVersions(models.length, 'r', true), true)).toEqual(models.map(() => true));
  });

  it('does not let two versions of one model stand for another', () => {
    const got = modelsDelivered(runWithVersions(models.length, 'r', false, models.length - 1), true);
    expect(got.filter((d) => !d)).toHaveLength(1);
  });

  it("does not count versions whose source is another run's", () => {
    expect(modelsDelivered(runWithVersions(models.length, 'other'), true).some((d) => d)).toBe(false);
  });

  it('counts nothing delivered by versions alone when the target uploads the node bytes', () => {
    expect(modelsDelivered(runWithVersions(models.length), undefined).some((d) => d)).toBe(false);
  });
});
