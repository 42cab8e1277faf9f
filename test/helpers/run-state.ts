// A run as readRun gives it back, for checks on hand-made observations: a finished, empty run named `name`, with
// only what a test sets differing.
import type { RunState } from '../../src/mlflow/readback.ts';
import type { RunData, RunInfo } from '../../src/mlflow/wire.ts';

export function runState(
  name: string,
  info: Partial<RunInfo> = {},
  data: RunData = { tags: [] },
  held: Partial<Omit<RunState, 'run'>> = {},
): RunState {
  return {
    run: {
      info: {
        run_id: name,
        run_uuid: name,
        run_name: name,
        experiment_id: '1',
        user_id: '',
        status: 'FINISHED',
        start_time: 100,
        end_time: 110,
        artifact_uri: '',
        lifecycle_stage: 'active',
        ...info,
      },
      data,
    },
    metricHistory: {},
    artifacts: [],
    modelVersions: [],
    loggedModels: [],
    logModelHistory: [],
    ...held,
  };
}
