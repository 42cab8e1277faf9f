// Requirements: nested.
import type { Requirement } from '../types.ts';
import { children, skip, verdict, list, withChildren, TERMINAL, tag } from './queries.ts';

export const NESTED: Requirement[] = [
  {
    id: 'NST-001',
    source: 'MLflow REST API docs: system tag mlflow.parentRunId names the parent run',
    level: 'MUST',
    scenario: 'basic',
    features: ['child runs (when the hook makes them)'],
    dependsOn: ['childRunPerNode'],
    statement: 'A child run links to its parent with mlflow.parentRunId naming an existing run of the same experiment.',
    rationale: 'The MLflow UI nests runs by this tag; a dangling link orphans the child.',
    check: (o) =>
      withChildren(o, 'children linked to an existing parent', (c) => {
        const ids = new Map(o.runs.map((r) => [r.run.info.run_id, r.run.info.experiment_id]));
        const bad = c
          .filter((r) => ids.get(tag(r, 'mlflow.parentRunId')!) !== r.run.info.experiment_id)
          .map((r) => r.run.info.run_name);
        return verdict(
          bad.length === 0,
          'every child linked',
          bad.length ? `dangling: ${list(bad)}` : `${c.length} linked`,
        );
      }),
  },
  {
    id: 'NST-002',
    source: "trackbench's own guarantee: one child run per node (trackbench.childRunPerNode)",
    level: 'MUST',
    // Twins come from what basic may not have: a race between threads (parallel), state kept into a second session
    // (twice), a bigger pipeline (scale). A pipeline run is one parent: its own children count.
    scenario: 'healthy',
    features: ['child runs (when the hook makes them)'],
    dependsOn: ['childRunPerNode'],
    statement: 'With child runs per node, each node has at most one child run in each pipeline run.',
    rationale: "Duplicate child runs split a node's values and double counts.",
    check: (o) =>
      // Elsewhere a situation may end before any node ran; a hook that never makes one is basic's finding.
      o.scenario !== 'basic' && !children(o).length
        ? skip('at most one child per node', 'no child run in this situation')
        : withChildren(o, 'at most one child per node', (c) => {
            const names = c.map((r) => `${tag(r, 'mlflow.parentRunId')}/${r.run.info.run_name}`);
            const dup = names.filter((n, i) => names.indexOf(n) !== i).map((n) => n.slice(n.indexOf('/') + 1));
            return verdict(
              dup.length === 0,
              'unique child per node',
              dup.length ? `duplicated: ${list([...new Set(dup)])}` : `${c.length} unique`,
            );
          }),
  },
  {
    id: 'NST-003',
    source: 'MLflow REST API docs: runs/update; MLflow server behaviour: children do not end with their parent',
    level: 'MUST',
    scenario: 'basic',
    features: ['child runs (when the hook makes them)'],
    dependsOn: ['childRunPerNode'],
    statement: 'Child runs end, like their parent.',
    rationale: 'Open child runs look like work still in progress.',
    check: (o) =>
      withChildren(o, 'children ended', (c) => {
        const open = c.filter((r) => !TERMINAL.has(r.run.info.status)).map((r) => r.run.info.run_name);
        return verdict(open.length === 0, 'every child ended', open.length ? `open: ${list(open)}` : 'all ended');
      }),
  },
];
