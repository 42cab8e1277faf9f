// Requirements: tags.
import { LOG_MODEL_HISTORY_TAG } from '../../mlflow/wire.ts';
import type { Requirement } from '../types.ts';
import { oneRun, pipelineRunViews } from './expected.ts';
import { verdict, list } from './queries.ts';
import { namesPipeline } from './run-tags.ts';

export const TAGS: Requirement[] = [
  {
    id: 'TAG-001',
    source: "kedro-mlflow docs: the run is tagged with kedro's run parameters (pipeline name)",
    level: 'MUST',
    scenario: 'basic',
    features: [],
    statement:
      'The run is tagged with the pipeline name (a tag whose key names the pipeline: the name, or a list of ' +
      'exactly that name, as Kedro 1 gives it).',
    rationale: 'The article names pipeline tags as the basis of traceability.',
    check: (o) => {
      // The name, or Kedro 1's `pipeline_names` list of exactly it: the value TAG-010 accepts.
      const hit = (oneRun(o)?.run.data.tags ?? []).find(
        (t) => /pipeline/i.test(t.key) && namesPipeline(t.value, o.pipeline.name),
      );
      return verdict(Boolean(hit), `a *pipeline* tag = "${o.pipeline.name}" (or a list of it)`, hit ? hit.key : 'none');
    },
  },
  {
    id: 'TAG-002',
    source: 'kedro-mlflow docs: the run is tagged with the command (kedro_command)',
    level: 'SHOULD',
    scenario: 'basic',
    features: [],
    statement: 'The run is tagged with the command that ran it.',
    rationale: 'Reproducing a run starts from its command.',
    check: (o) => {
      const hit = (oneRun(o)?.run.data.tags ?? []).find((t) => t.value.startsWith('kedro run'));
      return verdict(Boolean(hit), 'a tag "kedro run ..."', hit ? `${hit.key}=${hit.value}` : 'none');
    },
  },
  {
    id: 'TAG-003',
    source: "trackbench's own guarantee: each node is named on the run (tag kedro.node.<name>) or is a child run",
    level: 'MUST',
    scenario: 'healthy',
    features: [],
    dependsOn: ['childRunPerNode'],
    statement:
      'In every pipeline run, every node that ran is identified in MLflow (a tag naming it, or a child run of ' +
      'its name).',
    rationale: 'The article claims node-id tags; without them nothing ties values to nodes.',
    check: (o) => {
      const views = pipelineRunViews(o);
      const missing: string[] = [];
      views.forEach((view, i) => {
        const text = view.family.flatMap((r) => [
          r.run.info.run_name,
          // MLflow's own record of logged models holds their artifact paths (a dataset named after its node), not
          // the hook naming a node.
          ...(r.run.data.tags ?? []).filter((t) => t.key !== LOG_MODEL_HISTORY_TAG).flatMap((t) => [t.key, t.value]),
        ]);
        for (const n of o.completedNodes)
          if (!text.some((s) => s === n || s.endsWith(`.${n}`) || s.includes(n)))
            missing.push(views.length > 1 ? `${n} (pipeline run ${i + 1})` : n);
      });
      return verdict(
        missing.length === 0 && views.length > 0,
        `${o.completedNodes.length} nodes named in each pipeline run`,
        !views.length ? 'no run' : missing.length ? `unnamed: ${list(missing)}` : 'all named',
      );
    },
  },
  {
    id: 'TAG-004',
    source: "trackbench's own guarantee: each node's namespace is recorded",
    level: 'SHOULD',
    scenario: 'basic',
    features: ['namespaces'],
    statement: "Each node's namespace (modular pipeline) is recorded.",
    rationale: 'Modular pipelines are how large projects are organised and reviewed.',
    check: (o) => {
      const values = o.runs.flatMap((r) => (r.run.data.tags ?? []).map((t) => t.value));
      const missing = [
        ...new Set(o.pipeline.nodes.map((n) => n.namespace).filter((x): x is string => Boolean(x))),
      ].filter((ns) => !values.includes(ns));
      return verdict(
        missing.length === 0,
        'every namespace as a tag value',
        missing.length ? `missing: ${list(missing)}` : 'all recorded',
      );
    },
  },
];
