// The run-level tag checks on hand-made observations: the forms real plugins write (kedro-mlflow's str() of
// run_params under Kedro 1) count as true, a wrong value in any of them is found, and a missing runner is not
// held against a target that ran the pipeline itself.
import { describe, expect, it } from 'vitest';
import { RUN_TAGS } from '../src/conformance/requirements/run-tags.ts';
import { TAGS } from '../src/conformance/requirements/tags.ts';
import { SCENARIOS } from '../src/conformance/scenarios.ts';
import type { Observation } from '../src/conformance/types.ts';
import type { RunState } from '../src/mlflow/readback.ts';
import { runState } from './helpers/run-state.ts';

const pipeline = SCENARIOS.basic.pipeline;

const run = (name: string, start: number, tags: Record<string, string>): RunState =>
  runState(
    name,
    { start_time: start, end_time: start + 1 },
    {
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    },
  );

function observe(runs: RunState[], runner?: string): Observation {
  // Only the fields the run-tag checks read; the rest of an observation plays no part in them.
  return { pipeline, runs, runner, pipelineRuns: runs.length } as unknown as Observation;
}

const check = (id: string, o: Observation) => [...RUN_TAGS, ...TAGS].find((r) => r.id === id)!.check(o);

/** What the real kedro-mlflow 2.0.3 sets on Kedro 1.7 (set_tags of run_params, each value str()'d). */
const kedroMlflow = {
  pipeline_names: "['conformance']",
  runner: '<kedro.runner.sequential_runner.SequentialRunner object at 0x7f3a2c1d0e50>',
  kedro_command: 'kedro run --pipeline=conformance',
};

describe('run-level tags', () => {
  it("accepts kedro-mlflow's forms: a list naming the pipeline, the runner's str(), the generated command", () => {
    const o = observe([run('a', 1, kedroMlflow)], 'SequentialRunner');
    expect(['TAG-010', 'TAG-011', 'TAG-012'].map((id) => check(id, o).status)).toEqual(['pass', 'pass', 'pass']);
    expect(check('TAG-012', o).found).toBe('3 tags true');
  });

  it('finds a false runner, node count, pipeline or command, each named', () => {
    const bad = {
      'kedro.runner': 'SequentialRunner',
      'trackbench.node_count': String(pipeline.nodes.length - 1),
      'kedro.pipeline_name': '__default__',
      kedro_command: 'kedro run --pipeline=conformance --node=x',
    };
    const f = check('TAG-012', observe([run('a', 1, bad)], 'ParallelRunner'));
    expect(f.status).toBe('fail');
    expect(f.found).toContain('kedro.runner="SequentialRunner" (ParallelRunner ran)');
    expect(f.found).toContain(`(the pipeline has ${pipeline.nodes.length} nodes)`);
    expect(f.found).toContain('and 1 more');
    expect(check('TAG-011', observe([run('a', 1, bad)], 'ParallelRunner')).found).toContain('--node=x');
  });

  it('holds a runner tag to nothing when the target ran the pipeline itself, and says so', () => {
    const f = check(
      'TAG-012',
      observe([run('a', 1, { runner: 'ParallelRunner', kedro_command: 'kedro run -p conformance' })]),
    );
    expect(f.status).toBe('pass');
    expect(f.expected).toContain('runner tags unchecked');
    expect(f.found).toBe('1 tags true, 1 runner tag(s) unchecked');
    expect(check('TAG-012', observe([run('a', 1, { runner: 'ParallelRunner' })])).status).toBe('skip');
  });

  it('checks every top-level run: the second pipeline run without tags fails; no such tag at all is n/a', () => {
    const o = observe([run('a', 1, kedroMlflow), run('b', 2, {})], 'SequentialRunner');
    expect(check('TAG-010', o).found).toBe('pipeline run 2: b has no pipeline tag "conformance"');
    expect(check('TAG-011', o).found).toBe('pipeline run 2: b has no command tag');
    expect(check('TAG-012', observe([run('b', 2, { other: 'x' })])).status).toBe('skip');
  });

  it("TAG-001 holds the pipeline's tag as TAG-010 does: Kedro 1's list of exactly the name, not another list", () => {
    const finding = (tags: Record<string, string>) => check('TAG-001', observe([run('a', 1, tags)]));
    expect(finding(kedroMlflow)).toMatchObject({ status: 'pass', found: 'pipeline_names' });
    expect(finding({ pipeline_name: 'conformance' })).toMatchObject({ status: 'pass', found: 'pipeline_name' });
    expect(finding({ pipeline_names: "['conformance', 'other']" }).status).toBe('fail');
    expect(finding({ pipeline_names: "['__default__']" }).status).toBe('fail');
    expect(finding({ 'mlflow.runName': 'conformance' }).status).toBe('fail');
  });

  it("TAG-003 does not take MLflow's record of a logged model (its path names the node's dataset) as naming it", () => {
    const nodes = pipeline.nodes.map((n) => n.name);
    const history = JSON.stringify(nodes.map((n) => ({ artifact_path: `models/${n}.model_0`, flavors: {} })));
    // completedNodes: the one field TAG-003 reads beyond the run-tag checks'
    const o = (tags: Record<string, string>) => ({ ...observe([run('a', 1, tags)]), completedNodes: nodes });
    const unnamed = check('TAG-003', o({ 'mlflow.log-model.history': history }));
    expect(unnamed.status).toBe('fail');
    expect(unnamed.found).toContain(`and ${nodes.length - 3} more`);
    const named = Object.fromEntries(nodes.map((n) => [`kedro.node.${n}`, 'true']));
    expect(check('TAG-003', o({ ...named, 'mlflow.log-model.history': history })).status).toBe('pass');
  });
});
