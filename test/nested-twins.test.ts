// NST-002 on hand-made observations: twin child runs are found in any healthy situation, a node's child counted
// within its own pipeline run's parent (twice has two parents with the same children's names).
import { describe, expect, it } from 'vitest';
import { NESTED } from '../src/conformance/requirements/nested.ts';
import { SCENARIOS } from '../src/conformance/scenarios.ts';
import type { Observation, ScenarioId } from '../src/conformance/types.ts';
import type { RunState } from '../src/mlflow/readback.ts';
import { runState } from './helpers/run-state.ts';

const nst002 = NESTED.find((r) => r.id === 'NST-002')!;
const child = (id: string, name: string, parent: string): RunState =>
  runState(name, { run_id: id }, { tags: [{ key: 'mlflow.parentRunId', value: parent }] });

function observe(scenario: ScenarioId, runs: RunState[]): Observation {
  // Only the fields NST-002 reads; the rest of an observation plays no part in it.
  return { scenario, pipeline: SCENARIOS[scenario].pipeline, runs, childRunPerNode: true } as unknown as Observation;
}

describe('NST-002: at most one child run per node in each pipeline run', () => {
  it('is checked in every healthy situation, not basic alone', () => {
    expect(nst002.scenario).toBe('healthy');
  });

  it('twice: two pipeline runs, each with its own child of the same node, pass', () => {
    const runs = [runState('p1'), runState('p2'), child('a', 'node_1', 'p1'), child('b', 'node_1', 'p2')];
    expect(nst002.check(observe('twice', runs))).toMatchObject({ status: 'pass', found: '2 unique' });
  });

  it('parallel: a node with two children under one parent (a create raced by two threads) fails, named', () => {
    const runs = [runState('p'), child('a', 'node_1', 'p'), child('b', 'node_1', 'p'), child('c', 'node_2', 'p')];
    const f = nst002.check(observe('parallel', runs));
    expect(f.status).toBe('fail');
    expect(f.found).toBe('duplicated: node_1');
  });

  it('a situation other than basic with no child run at all is not judged here; in basic it fails', () => {
    expect(nst002.check(observe('node-failure', [runState('p')])).status).toBe('skip');
    expect(nst002.check(observe('basic', [runState('p')])).status).toBe('fail');
  });
});
