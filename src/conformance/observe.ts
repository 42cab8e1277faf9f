// Runs one target in one scenario against the backend (a fresh mock by default), then reads back
// everything that reached it through the REST API: the observation every requirement is checked on.
import { createHash } from 'node:crypto';
import type { ScenarioBackend } from './backend.ts';
import { MlflowClient } from '../mlflow/client.ts';
import { readRun } from '../mlflow/readback.ts';
import type { ConformanceScenario } from './scenarios.ts';
import type { Target } from './targets.ts';
import type { Observation } from './types.ts';

/** The secret placed in MLFLOW_TRACKING_TOKEN during every conformance run. */
export const CONFORMANCE_SECRET = 'tb-conformance-secret-5f3a9c1e7d';

export async function observe(
  target: Target,
  scenario: ConformanceScenario,
  mock: ScenarioBackend,
): Promise<Observation> {
  const previous = process.env.MLFLOW_TRACKING_TOKEN;
  process.env.MLFLOW_TRACKING_TOKEN = CONFORMANCE_SECRET;
  try {
    const experimentName = `conformance-${scenario.id}`;
    let run = await target.run(scenario, mock.trackingUri, experimentName);
    // `twice`: a second pipeline run in the same backend (command targets repeat by themselves).
    if (scenario.repeat > 1 && target.inProcess)
      for (let i = 1; i < scenario.repeat; i++) run = await target.run(scenario, mock.trackingUri, experimentName);
    const requests = mock.requestLog.since(mock.mark);
    mock.clearFaults();
    const client = new MlflowClient({ trackingUri: mock.trackingUri, retry: { maxRetries: 0 } });
    try {
      const runs = [];
      for (const id of await mock.runIds(client)) runs.push(await readRun(client, id));
      const artifactBytes = [];
      for (const r of runs)
        for (const f of r.artifacts)
          artifactBytes.push({
            runId: r.run.info.run_id,
            path: f.path,
            bytes: await client.downloadArtifact(r.run.info.artifact_uri, f.path),
          });
      const experiments = await mock.experiments(client);
      return {
        scenario: scenario.id,
        pipeline: scenario.pipeline,
        completedNodes: run.completedNodes,
        failedNode: run.failedNode,
        runs,
        experiments,
        requests,
        pipelineError: run.pipelineError,
        output: run.output,
        artifactBytes,
        secret: CONFORMANCE_SECRET,
        expectedAuthSha256: createHash('sha256').update(`Bearer ${CONFORMANCE_SECRET}`).digest('hex'),
        pipelineRuns: scenario.repeat,
      };
    } finally {
      client.close();
    }
  } finally {
    if (previous === undefined) delete process.env.MLFLOW_TRACKING_TOKEN;
    else process.env.MLFLOW_TRACKING_TOKEN = previous;
    await mock.release();
  }
}
