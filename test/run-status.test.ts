// RUN-010 on hand-made observations: a child run that belongs to no node (a plugin's own extra run) is held to
// ending, not to a status; a node's child run is held to its node's fate.
import { describe, expect, it } from 'vitest';
import { RUN_PER_RUN } from '../src/conformance/requirements/run-per-run.ts';
import { SCENARIOS } from '../src/conformance/scenarios.ts';
import type { Observation } from '../src/conformance/types.ts';
import type { RunState } from '../src/mlflow/readback.ts';
import type { RunStatus } from '../src/mlflow/wire.ts';
import { runState } from './helpers/run-state.ts';

const pipeline = SCENARIOS.basic.pipeline;
const START = 1_700_000_000_000;

const run = (name: string, status: RunStatus, parent?: string): RunState =>
  runState(
    name,
    { status, start_time: START, end_time: START + 5 },
    { tags: parent ? [{ key: 'mlflow.parentRunId', value: parent }] : [] },
  );

function observe(runs: RunState[], failedNode?: string): Observation {
  // Only the fields RUN-010 reads; the rest of an observation plays no part in it.
  const completedNodes = pipeline.nodes.map((n) => n.name).filter((n) => n !== failedNode);
  const pipelineError = failedNode ? `node ${failedNode} failed` : undefined;
  return { pipeline, runs, completedNodes, failedNode, pipelineError, pipelineRuns: 1 } as unknown as Observation;
}

const run010 = (o: Observation) => RUN_PER_RUN.find((r) => r.id === 'RUN-010')!.check(o);

describe('RUN-010: every run ends with the status of what it recorded', () => {
  it('a healthy run with an extra child run of no node, FINISHED: passes (it said "expected FAILED")', () => {
    const o = observe([run('top', 'FINISHED'), run('model-upload', 'FINISHED', 'top')]);
    expect(run010(o)).toMatchObject({ status: 'pass', found: 'all right' });
  });

  it('the extra child run still has to end', () => {
    const f = run010(observe([run('top', 'FINISHED'), run('model-upload', 'RUNNING', 'top')]));
    expect(f.status).toBe('fail');
    expect(f.found).toContain('model-upload RUNNING');
  });

  it("a node's child run FINISHED though its node failed: found, named", () => {
    const failed = pipeline.nodes[1]!.name;
    const f = run010(observe([run('top', 'FAILED'), run(failed, 'FINISHED', 'top')], failed));
    expect(f.status).toBe('fail');
    expect(f.found).toContain(`${failed} FINISHED (expected FAILED)`);
  });

  it('a top-level run FINISHED though the pipeline failed says why it was expected FAILED', () => {
    // A situation that fails no node: the command crashed or was stopped, which the finding must not hide.
    const o = { ...observe([run('conformance', 'FINISHED')]), pipelineError: 'command exited with code 1: boom' };
    const f = run010(o);
    expect(f.status).toBe('fail');
    expect(f.found).toContain('conformance FINISHED (expected FAILED: command exited with code 1: boom)');
  });
});
