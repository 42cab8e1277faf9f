// Runs one target in one scenario against the backend (a fresh mock by default), then reads back
// everything that reached it through the REST API: the observation every requirement is checked on.
import { createHash } from 'node:crypto';
import type { ScenarioBackend } from './backend.ts';
import { MLFLOW_CREDENTIAL_VARIABLES } from '../mlflow/auth.ts';
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
  // A clean MLflow environment of its own: the caller's credentials never reach the backend or a
  // target, and the verdict does not depend on them. Only the test secret is set.
  const previous = Object.fromEntries(MLFLOW_CREDENTIAL_VARIABLES.map((n) => [n, process.env[n]]));
  for (const name of MLFLOW_CREDENTIAL_VARIABLES) delete process.env[name];
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
    for (const [name, value] of Object.entries(previous))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    await mock.release();
  }
}
