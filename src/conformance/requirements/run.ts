// Requirements: run.
import type { Requirement } from '../types.ts';
import { extraTopRuns, oneRun, pipelineRunViews } from './expected.ts';
import { LIMITS, pythonLength } from '../../mlflow/limits.ts';
import { INJECTED_PIPELINE_ERROR } from '../scenarios.ts';
import { topLevel, allTags, allParams, verdict, list, skip, TERMINAL } from './queries.ts';

export const RUN: Requirement[] = [
  {
    id: 'RUN-001',
    source: 'kedro-mlflow docs: one mlflow run per `kedro run` (MlflowHook.before_pipeline_run)',
    level: 'MUST',
    scenario: 'healthy',
    features: ['every situation', 'two pipeline runs'],
    dependsOn: ['childRunPerNode'],
    statement: 'In every situation, each pipeline run creates exactly one top-level MLflow run.',
    rationale:
      'An audit trail maps one execution to one record; missing or duplicate runs break lineage. The other ' +
      'per-run checks read the run that holds the most of each pipeline run: an extra run is found here only.',
    check: (o) => {
      const found = pipelineRunViews(o).length;
      const extra = extraTopRuns(o).map((r) => `${r.run.info.run_name} (${r.run.info.status})`);
      const short = o.pipelineRuns - found;
      return verdict(
        extra.length === 0 && short === 0,
        `${o.pipelineRuns} top-level runs`,
        `${found + extra.length}${extra.length ? `, extra: ${list(extra)}` : ''}` +
          (short > 0 ? `, ${short} pipeline run(s) without one` : ''),
      );
    },
  },
  {
    id: 'RUN-002',
    source: 'MLflow REST API docs: runs/update sets status (RunStatus FINISHED) at the end of a run',
    level: 'MUST',
    scenario: 'basic',
    features: [],
    statement: 'After a successful pipeline run, its run is FINISHED.',
    rationale: 'A run left RUNNING looks like a crashed or still-running job.',
    check: (o) =>
      verdict(
        oneRun(o)?.run.info.status === 'FINISHED',
        'status FINISHED',
        oneRun(o)?.run.info.status ?? `${topLevel(o).length} top-level runs`,
      ),
  },
  {
    id: 'RUN-003',
    source: 'MLflow REST API docs: RunInfo start_time and end_time, Unix ms; runs/update sets end_time',
    level: 'MUST',
    scenario: 'basic',
    features: [],
    statement: 'An ended run has an end time, not before its start time.',
    rationale: 'Durations and ordering in the UI and in audits come from these times.',
    check: (o) => {
      const i = oneRun(o)?.run.info;
      return verdict(
        Boolean(i && i.end_time !== undefined && i.end_time >= i.start_time && i.start_time > 0),
        'start_time > 0 and end_time >= start_time',
        i ? `start ${i.start_time}, end ${i.end_time ?? 'unset'}` : 'no single run',
      );
    },
  },
  {
    id: 'RUN-004',
    source: 'kedro-mlflow docs: on_pipeline_error ends the run with status FAILED',
    level: 'MUST',
    scenario: 'node-failure',
    features: ['failAt'],
    statement: 'When a node fails, the run ends FAILED.',
    rationale: 'A failed execution recorded as FINISHED is a false audit record.',
    check: (o) =>
      verdict(
        oneRun(o)?.run.info.status === 'FAILED',
        'status FAILED',
        oneRun(o)?.run.info.status ?? `${topLevel(o).length} top-level runs`,
      ),
  },
  {
    id: 'RUN-005',
    source: 'Kedro hook spec: on_pipeline_error; kedro-mlflow ends the run FAILED there',
    level: 'MUST',
    scenario: 'pipeline-error',
    features: ['hook error'],
    statement: 'When the pipeline fails for a reason other than a node (on_pipeline_error), the run ends FAILED.',
    rationale:
      'Kedro reports such failures only through on_pipeline_error; a hook must not rely on on_node_error alone.',
    check: (o) =>
      verdict(
        oneRun(o)?.run.info.status === 'FAILED',
        'status FAILED',
        oneRun(o)?.run.info.status ?? `${topLevel(o).length} top-level runs`,
      ),
  },
  {
    id: 'RUN-006',
    source: "trackbench's own guarantee: the error is on the run (tag trackbench.error)",
    level: 'SHOULD',
    scenario: ['node-failure', 'pipeline-error'],
    features: ['failAt', 'hook error'],
    statement: 'A failed run records the error message (as a tag or param), whether a node or a hook failed it.',
    rationale: 'Why a run failed must be readable from the run, without the logs, whether a node or a hook failed.',
    check: (o) => {
      // The situation's own error: the node's, or the extra hook's (pipeline-error).
      const message = o.hookErrorAt === undefined ? 'injected failure' : 'injected pipeline error';
      const hit = allTags(o)
        .concat(allParams(o))
        .find((t) => t.value.includes(message));
      return verdict(Boolean(hit), `a tag or param containing "${message}"`, hit ? `${hit.key}` : 'none');
    },
  },
  {
    id: 'RUN-015',
    source:
      'MLflow server (mlflow/utils/validation.py _validate_tag): a tag value over 8000 characters is refused, or ' +
      'cut to 8000 without a word when MLFLOW_TRUNCATE_LONG_VALUES is on (its default since it exists)',
    // SHOULD, as RUN-006 is: recording the error is trackbench's own guarantee, and a server that cuts long values
    // keeps the error's start; on one that refuses them the whole batch is lost, which LIM-002 cannot see here.
    level: 'SHOULD',
    scenario: 'pipeline-error',
    features: ['hook error'],
    statement:
      "A recorded error longer than MLflow's value limit is cut by the hook to fit it, not sent whole for the " +
      "server to refuse or cut: cut to exactly the limit, it is marked as cut ('…', '...' or 'truncated' at " +
      'either end), as the silent server cut never is.',
    rationale:
      'Real errors (tracebacks, cause chains) often pass 8000 characters. A server that refuses the value loses ' +
      'the error and everything batched with it (the failed node too); one that cuts it silently stores a ' +
      'message that reads as whole.',
    check: (o) => {
      // The situation's error is over every limit (injectedPipelineError): a value holding it is a cut one. Cut
      // exactly at its limit and unmarked is what the server's own cut leaves, whoever made it.
      const recorded = [
        ...allTags(o).map((t) => ({ ...t, limit: LIMITS.tagValueLength })),
        ...allParams(o).map((p) => ({ ...p, limit: LIMITS.paramValueLength })),
      ].filter((t) => t.value.includes(INJECTED_PIPELINE_ERROR));
      if (!recorded.length) return skip('the error recorded, cut and marked by the hook', 'no error (see RUN-006)');
      // at its end, or at its start when the hook kept the error's end (a traceback's last lines)
      const marked = (v: string) =>
        /(…|\.\.\.)\s*$|^\s*(…|\.\.\.)/.test(v) || [v.slice(0, 200), v.slice(-200)].some((e) => /truncat/i.test(e));
      const silent = recorded.filter((t) => pythonLength(t.value) >= t.limit && !marked(t.value));
      return verdict(
        silent.length === 0,
        `the error cut by the hook under its limit (${LIMITS.tagValueLength} characters a tag, ` +
          `${LIMITS.paramValueLength} a param), or marked as cut`,
        silent.length
          ? `${list(silent.map((t) => t.key))}: ${pythonLength(silent[0]!.value)} characters, unmarked`
          : list(recorded.map((t) => `${t.key} (${pythonLength(t.value)} characters)`)),
      );
    },
  },
  {
    id: 'RUN-007',
    source: "trackbench's own guarantee: the failing node is on the run (tag trackbench.failed_node)",
    level: 'SHOULD',
    scenario: 'node-failure',
    features: ['failAt'],
    statement: 'A failed run records which node failed.',
    rationale: 'In a pipeline of thousands of nodes the failing one must be findable from the run.',
    check: (o) => {
      const node = o.failedNode ?? '';
      const hit = o.runs.some(
        (r) =>
          (r.run.data.tags ?? []).some((t) => t.value === node && /fail|error/i.test(t.key)) ||
          (r.run.info.status === 'FAILED' && r.run.info.run_name === node),
      );
      return verdict(
        Boolean(node) && hit,
        `a failure tag naming ${node || 'the failed node'} (or a FAILED child run of that name)`,
        hit ? 'found' : 'none',
      );
    },
  },
  {
    id: 'RUN-008',
    source: 'kedro-mlflow docs: tracking.run.name defaults to the pipeline name',
    level: 'SHOULD',
    scenario: 'healthy',
    features: ['every situation', 'two pipeline runs'],
    statement: 'In every situation, the run of each pipeline run is named after the pipeline (or the configured name).',
    rationale: 'A random name cannot be found or compared across runs (a later session of the process included).',
    check: (o) => {
      const views = pipelineRunViews(o);
      const off = views
        .map((v, i) => ({ name: v.top.run.info.run_name, i }))
        .filter((x) => x.name !== o.pipeline.name)
        .map((x) => (views.length > 1 ? `pipeline run ${x.i + 1}: ${x.name}` : x.name));
      return verdict(
        views.length > 0 && off.length === 0,
        `run name "${o.pipeline.name}"`,
        views.length ? (off.length ? list(off) : o.pipeline.name) : 'no run',
      );
    },
  },
  {
    id: 'RUN-009',
    source: 'MLflow REST API docs: RunStatus; MLflow server behaviour: a run never updated stays RUNNING',
    level: 'MUST',
    scenario: 'node-failure',
    features: ['failAt'],
    dependsOn: ['childRunPerNode'],
    statement: 'No run (top-level or child) is left RUNNING after the pipeline ends, even when it fails.',
    rationale: 'Dangling RUNNING runs accumulate and hide real failures.',
    check: (o) => {
      const open = o.runs.filter((r) => !TERMINAL.has(r.run.info.status)).map((r) => r.run.info.run_name);
      return verdict(
        open.length === 0,
        'every run FINISHED, FAILED or KILLED',
        open.length ? `RUNNING: ${list(open)}` : 'all ended',
      );
    },
  },
  {
    id: 'EXP-001',
    source: 'kedro-mlflow docs: tracking.experiment.name (default: the package name), not Default',
    level: 'MUST',
    scenario: 'basic',
    features: [],
    statement: 'Runs are logged to a named experiment, not the Default one.',
    rationale: 'The Default experiment mixes unrelated work; projects are found by experiment.',
    check: (o) =>
      verdict(
        o.runs.length > 0 && o.runs.every((r) => r.run.info.experiment_id !== '0'),
        'experiment other than Default (id 0)',
        list([...new Set(o.runs.map((r) => r.run.info.experiment_id))]),
      ),
  },
  {
    id: 'EXP-002',
    source: 'kedro-mlflow docs: every run of the project goes to tracking.experiment.name',
    level: 'SHOULD',
    scenario: 'twice',
    features: ['two pipeline runs'],
    statement: 'Repeated runs of the same project go to the same experiment.',
    rationale: 'Comparing runs over time needs them side by side.',
    check: (o) => {
      const ids = new Set(topLevel(o).map((r) => r.run.info.experiment_id));
      return verdict(
        topLevel(o).length >= 2 && ids.size === 1,
        'both runs in one experiment',
        `${ids.size} experiment(s) for ${topLevel(o).length} runs`,
      );
    },
  },
];
