// PAR-011 on hand-made observations: a hook that flattens dict parameters (as kedro-mlflow's
// flatten_dict_params does) but logs an empty mapping as `{}` where kedro-mlflow logs nothing has logged a
// parameter the pipeline gave, with its value: not an invented one. A key the pipeline never gave still is.
import { describe, expect, it } from 'vitest';
import { expectedForms, nodeParams } from '../src/conformance/requirements/expected.ts';
import { PARAMS_PER_RUN } from '../src/conformance/requirements/params-per-run.ts';
import { SCENARIOS } from '../src/conformance/scenarios.ts';
import type { Observation, ParamsConfig } from '../src/conformance/types.ts';
import type { RunState } from '../src/mlflow/readback.ts';

const pipeline = SCENARIOS.basic.pipeline;
const flattened: ParamsConfig = { flatten: true, recursive: true, sep: '.', longStrategy: 'fail' };
const first = pipeline.nodes[0]!.name;

function observe(extra: { key: string; value: string }[]): Observation {
  const params = pipeline.nodes.flatMap((n) =>
    nodeParams({ pipeline } as unknown as Observation, n).flatMap(([k, v]) =>
      expectedForms(k, v, flattened).map((e) => ({ key: e.key, value: e.shown })),
    ),
  );
  const run = {
    run: {
      info: { run_id: 'r', run_uuid: 'r', run_name: 'r', experiment_id: '1', status: 'FINISHED', start_time: 1 },
      data: { params: [...params, ...extra], tags: [] },
    },
    metricHistory: {},
    artifacts: [],
    modelVersions: [],
  } as unknown as RunState; // only the fields the parameter checks read
  // Likewise: the fields PAR-010/011 read, every node completed, the settings known.
  return {
    pipeline,
    runs: [run],
    pipelineRuns: 1,
    completedNodes: pipeline.nodes.map((n) => n.name),
    paramsConfig: flattened,
  } as unknown as Observation;
}

const check = (id: string, o: Observation) => PARAMS_PER_RUN.find((r) => r.id === id)!.check(o);

describe('flattened parameters with an empty mapping', () => {
  it('accepts an empty mapping logged as {} under its key (PAR-011), the rest exact (PAR-010)', () => {
    const o = observe([{ key: `${first}.empty_mapping`, value: '{}' }]);
    expect(check('PAR-010', o).status).toBe('pass');
    expect(check('PAR-011', o)).toMatchObject({ status: 'pass', found: 'none extra' });
  });

  it('still finds a key the pipeline never gave, and an empty mapping logged as another value', () => {
    const o = observe([
      { key: `${first}.invented`, value: '{}' },
      { key: `${first}.empty_mapping`, value: 'None' },
    ]);
    expect(check('PAR-011', o)).toMatchObject({ status: 'fail' });
    expect(check('PAR-011', o).found).toContain(`${first}.invented in r`);
    expect(check('PAR-011', o).found).toContain(`${first}.empty_mapping in r`);
  });
});
