// Requirements: each child run (one per node) holds to its node: it starts and ends while its node ran on
// trackbench's clock, and its name and node tags say which node it is.
import type { RunState } from '../../mlflow/readback.ts';
import type { PipelineNode } from '../../pipeline/types.ts';
import type { Finding, Observation, Requirement } from '../types.ts';
import { children, list, nodeNameOf, skip, tag, verdict } from './queries.ts';
import { pipelineRunViews } from './expected.ts';
import { CLOCK_SLACK_MS, inside, nodeTiming, pipelineRunOf, windowOf } from './windows.ts';

/** The node a child run records (see nodeNameOf). */
function nodeOf(o: Observation, r: RunState): PipelineNode | undefined {
  const name = nodeNameOf(r);
  return o.pipeline.nodes.find((n) => n.name === name);
}

const NO_CHILD = 'no child run in this situation (NST-001 to NST-003 hold a hook asked to nest to making them)';

/** Each child run's start or end held to the window of its node in the pipeline run it records. */
function childTimes(o: Observation, which: 'start' | 'end'): Finding {
  const expected = `every child run's ${which} within its node's run (±${CLOCK_SLACK_MS} ms)`;
  const timing = nodeTiming(o, expected);
  if (!Array.isArray(timing)) return timing;
  const kids = children(o);
  if (!kids.length) return skip(expected, NO_CHILD);
  const views = pipelineRunViews(o);
  const bad: string[] = [];
  let n = 0;
  for (const r of kids) {
    const node = nodeOf(o, r);
    const t = which === 'start' ? r.run.info.start_time : r.run.info.end_time;
    // A child naming no node is NST-012's finding; one never ended is NST-003's.
    if (!node || typeof t !== 'number') continue;
    n++;
    const at = pipelineRunOf(o, timing, r, views);
    const windows = (at === undefined ? timing : [timing[at]!]).flatMap((p) => windowOf(p, node.name) ?? []);
    if (windows.some((w) => inside(t, w))) continue;
    const w = windows[0];
    bad.push(
      w
        ? `${r.run.info.run_name} ${which}_time ${t} (${
            t < w.startMs ? `${w.startMs - t} ms before its node started` : `${t - w.endMs} ms after its node ended`
          })`
        : `${r.run.info.run_name}: its node ${node.name} did not run`,
    );
  }
  return verdict(
    bad.length === 0,
    expected,
    bad.length ? `${bad.length} of ${n}: ${list(bad, 2)}` : `${n} child runs within their nodes`,
  );
}

/** What is false about one child run's name and node tags, if anything. */
function falseChild(o: Observation, r: RunState): string | undefined {
  const name = r.run.info.run_name;
  const node = nodeOf(o, r);
  if (!node) return `${name}: names no node of the pipeline (by run name or kedro.node_name)`;
  if (name !== node.name) return `${name}: run name is not its node's name "${node.name}"`;
  const ns = tag(r, 'kedro.namespace');
  if (ns !== undefined && ns !== (node.namespace ?? ''))
    return `${name}: kedro.namespace="${ns}" (its node's namespace is "${node.namespace ?? ''}")`;
  return undefined;
}

const TERMINAL_UPDATE = /"status"\s*:\s*"(FINISHED|FAILED|KILLED)"/;

/** The requests (their seq) that first and last ended each run: runs/update the server took with a terminal status.
 * A run re-opened and ended again (a plugin re-entering its run at each node) has both. */
function terminalUpdates(o: Observation): Map<string, { first: number; last: number }> {
  const ended = new Map<string, { first: number; last: number }>();
  for (const r of o.requests)
    if (r.runId && r.endpoint === 'runs/update' && r.status < 400 && TERMINAL_UPDATE.test(r.body?.toString() ?? ''))
      ended.set(r.runId, { first: ended.get(r.runId)?.first ?? r.seq, last: r.seq });
  return ended;
}

/** What the two time requirements share: every situation, child runs, node windows. */
const TIMED_CHILD: Pick<Requirement, 'level' | 'scenario' | 'features' | 'dependsOn'> = {
  level: 'MUST',
  scenario: 'every',
  features: ['child runs (when the hook makes them)', "node runs timed on trackbench's clock"],
  dependsOn: ['childRunPerNode'],
};

export const NESTED_NODES: Requirement[] = [
  {
    id: 'NST-010',
    source:
      'MLflow REST API docs: RunInfo.start_time is when the run started (Unix ms); ' +
      "trackbench's own guarantee: one child run per node (trackbench.childRunPerNode)",
    ...TIMED_CHILD,
    statement:
      "In every situation, each child run starts while its node runs: start_time not before the node's run began " +
      '(its first input loaded) and not after it ended (its outputs saved), ' +
      `${CLOCK_SLACK_MS} ms for clock granularity.`,
    rationale:
      "A child run is its node's record: one stamped with the pipeline's start or a cached clock gives every " +
      'node the wrong duration and a timeline where the nodes overlap.',
    check: (o) => childTimes(o, 'start'),
  },
  {
    id: 'NST-011',
    source:
      'MLflow REST API docs: RunInfo.end_time is when the run ended (Unix ms); ' +
      "trackbench's own guarantee: one child run per node (trackbench.childRunPerNode)",
    ...TIMED_CHILD,
    statement:
      "In every situation, each child run ends with its node: end_time not after the node's run ended (its " +
      `outputs saved, or its error reported), ${CLOCK_SLACK_MS} ms for clock granularity, nor before it began.`,
    rationale:
      'Child runs all ended when the pipeline ends show every node lasting to the end of the pipeline: which ' +
      'node was slow, and which were still running when it failed, can no longer be read.',
    check: (o) => childTimes(o, 'end'),
  },
  {
    id: 'NST-012',
    source:
      "trackbench's own guarantee: a child run per node named after its node (Kedro's Node.name, namespace " +
      "included), tagged kedro.node_name and kedro.namespace (the reference hook's nodeRunTags)",
    level: 'MUST',
    scenario: 'every',
    features: ['child runs (when the hook makes them)', 'namespaces'],
    dependsOn: ['childRunPerNode'],
    statement:
      "In every situation, each child run is named after its node (the node's full name, namespace included) " +
      'and its node tags, when it has them, are true: kedro.node_name its name, kedro.namespace its namespace.',
    rationale:
      'Nodes of different modular pipelines share short names: a child run named or tagged with part of its ' +
      "node's name is filed under the wrong node, or under two.",
    check: (o) => {
      const kids = children(o);
      const expected = "every child run's name and node tags true";
      if (!kids.length) return skip(expected, NO_CHILD);
      const bad = kids.flatMap((r) => falseChild(o, r) ?? []);
      return verdict(
        bad.length === 0,
        expected,
        bad.length ? `${bad.length} of ${kids.length}: ${list(bad, 2)}` : `${kids.length} true`,
      );
    },
  },
  {
    id: 'NST-013',
    source:
      "trackbench's own guarantee: a run's tag kedro.node.<name> holds that node's namespace (the reference and " +
      'naive hooks set it; kedro-mlflow sets no node tag, so for it this is n/a)',
    level: 'MUST',
    scenario: 'every',
    features: ['every situation', 'namespaces'],
    dependsOn: ['childRunPerNode'],
    statement:
      'In every situation, each tag kedro.node.<name> a run carries names a node of the pipeline and holds ' +
      'that node\'s full namespace ("" for none). That a namespace is recorded at all is TAG-004 (SHOULD).',
    rationale:
      'A namespace cut to its first segment or filled with another value files the node under the wrong ' +
      'modular pipeline: the tag is then a false record, worse than none.',
    check: (o) => {
      const expected = 'every kedro.node.<name> tag true';
      const nodes = new Map(o.pipeline.nodes.map((n) => [n.name, n]));
      const found = o.runs.flatMap((r) =>
        (r.run.data.tags ?? []).filter((t) => t.key.startsWith('kedro.node.')).map((t) => ({ r, t })),
      );
      if (!found.length) return skip(expected, 'no run carries a kedro.node.<name> tag');
      const bad = found.flatMap(({ r, t }) => {
        const node = nodes.get(t.key.slice('kedro.node.'.length));
        if (!node) return [`${r.run.info.run_name} ${t.key}: no such node`];
        const ns = node.namespace ?? '';
        return t.value === ns ? [] : [`${r.run.info.run_name} ${t.key}="${t.value}" (namespace "${ns}")`];
      });
      return verdict(
        bad.length === 0,
        expected,
        bad.length ? `${bad.length} of ${found.length}: ${list(bad, 2)}` : `${found.length} true`,
      );
    },
  },
  {
    id: 'NST-014',
    source:
      "MLflow REST API docs: runs/update ends a run; trackbench's own guarantee: a child run per node, ended " +
      'with its node (trackbench.childRunPerNode)',
    level: 'MUST',
    scenario: 'healthy',
    features: ['child runs (when the hook makes them)', 'request log'],
    dependsOn: ['childRunPerNode'],
    statement:
      'In every situation with a healthy server, each child run is ended (its terminal runs/update) before its ' +
      "parent's terminal update: no parent is FINISHED or FAILED while a child of it is still RUNNING.",
    rationale:
      'A parent that reads as ended is taken as complete (by dashboards, by whoever polls it to compare runs) ' +
      'while its children still change; a process stopped between the two leaves RUNNING children under it.',
    check: (o) => {
      const expected = "every child ended before its parent's end";
      const kids = children(o);
      if (!kids.length) return skip(expected, NO_CHILD);
      if (!o.requestBodies) return skip(expected, 'the request log holds no bodies: the terminal updates are unknown');
      const ended = terminalUpdates(o);
      // A child never ended, or a parent never ended, is RUN-010's finding.
      const late = kids.flatMap((r) => {
        const own = ended.get(r.run.info.run_id)?.first;
        // A parent ended, re-opened and ended again is ended for good at its last end.
        const parent = ended.get(tag(r, 'mlflow.parentRunId')!)?.last;
        return own !== undefined && parent !== undefined && own > parent
          ? [`${r.run.info.run_name} ended at #${own}, its parent at #${parent}`]
          : [];
      });
      return verdict(
        late.length === 0,
        expected,
        late.length ? `${late.length} of ${kids.length}: ${list(late, 2)}` : `${kids.length} ended first`,
      );
    },
  },
];
