// The requirement catalogue: what any tracking hook must (MUST), should (SHOULD) or may (MAY) do,
// each with its reason and a check on what actually reached MLflow (read back through the REST API)
// and on the server's request log.
import { readFileSync } from 'node:fs';
import { LIMITS } from '../mlflow/limits.ts';
import type { RunState } from '../mlflow/readback.ts';
import { resolveParam } from '../pipeline/params.ts';
import type { ParamValue, PipelineNode } from '../pipeline/types.ts';
import { paramValueString } from '../tracking/params.ts';
import type { Finding, Observation, Requirement } from './types.ts';

// ---- what the observation holds
const tag = (r: RunState, key: string): string | undefined => r.run.data.tags?.find((t) => t.key === key)?.value;
const topLevel = (o: Observation): RunState[] => o.runs.filter((r) => !tag(r, 'mlflow.parentRunId'));
const children = (o: Observation): RunState[] => o.runs.filter((r) => tag(r, 'mlflow.parentRunId'));
const completed = (o: Observation): PipelineNode[] => o.pipeline.nodes.filter((n) => o.completedNodes.includes(n.name));
const allTags = (o: Observation): { key: string; value: string }[] =>
  o.runs.flatMap((r) => r.run.data.tags ?? []).filter((t) => !t.key.startsWith('mlflow.'));
const allParams = (o: Observation): { key: string; value: string }[] => o.runs.flatMap((r) => r.run.data.params ?? []);

function expectedParams(o: Observation): Map<string, ParamValue> {
  const out = new Map<string, ParamValue>();
  for (const n of completed(o))
    for (const i of n.inputs)
      if (i.startsWith('params:')) out.set(i.slice('params:'.length), resolveParam(o.pipeline.parameters, i)!);
  return out;
}

function expectedMetrics(o: Observation): Map<string, number[]> {
  return new Map(completed(o).flatMap((n) => n.metrics.map((m) => [m.key, m.values] as [string, number[]])));
}

function expectedFiles(o: Observation, kind: 'artifact' | 'model'): { node: PipelineNode; bytes: number }[] {
  return completed(o).flatMap((n) =>
    n.outputs
      .filter((x) => o.pipeline.datasets[x]?.kind === kind)
      .map(() => ({ node: n, bytes: kind === 'artifact' ? n.artifactBytes : n.modelBytes })),
  );
}

/** A param is present as `key`, or flattened under `key<sep>...` for dict values. */
function paramPresent(params: Map<string, string>, key: string): boolean {
  if (params.has(key)) return true;
  for (const k of params.keys()) if (k.startsWith(key) && /^[._/:-]/.test(k.slice(key.length))) return true;
  return false;
}

const pass = (expected: string, found: string): Finding => ({ status: 'pass', expected, found });
const fail = (expected: string, found: string): Finding => ({ status: 'fail', expected, found });
const skip = (expected: string, found: string): Finding => ({ status: 'skip', expected, found });
const verdict = (ok: boolean, expected: string, found: string): Finding => (ok ? pass : fail)(expected, found);
const list = (xs: string[], max = 3): string =>
  xs.length ? `${xs.slice(0, max).join(', ')}${xs.length > max ? ` and ${xs.length - max} more` : ''}` : 'none';

/** Nested-run checks apply only to hooks that make child runs; others are not applicable. */
function withChildren(o: Observation, expected: string, check: (c: RunState[]) => Finding): Finding {
  const c = children(o);
  return c.length ? check(c) : skip(expected, 'the hook makes no child runs');
}

function oneRun(o: Observation): RunState | undefined {
  const t = topLevel(o);
  return t.length === 1 ? t[0] : undefined;
}

const TERMINAL = new Set(['FINISHED', 'FAILED', 'KILLED']);
const LIMIT_ERROR = /batch logging request can contain at most|exceeds the maximum length/;

export const REQUIREMENTS: Requirement[] = [
  // ---- experiment and run lifecycle
  {
    id: 'RUN-001',
    level: 'MUST',
    scenario: 'twice',
    features: ['two pipeline runs'],
    statement: 'Each pipeline run creates exactly one top-level MLflow run.',
    rationale: 'An audit trail maps one execution to one record; missing or duplicate runs break lineage.',
    check: (o) =>
      verdict(topLevel(o).length === o.pipelineRuns, `${o.pipelineRuns} top-level runs`, `${topLevel(o).length}`),
  },
  {
    id: 'RUN-002',
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
    level: 'SHOULD',
    scenario: 'node-failure',
    features: ['failAt'],
    statement: 'A failed run records the error message (as a tag or param).',
    rationale: 'Whoever reads the run later needs to know why it failed without the logs.',
    check: (o) => {
      const hit = allTags(o)
        .concat(allParams(o))
        .find((t) => t.value.includes('injected failure'));
      return verdict(Boolean(hit), "a tag or param containing the node's error message", hit ? `${hit.key}` : 'none');
    },
  },
  {
    id: 'RUN-007',
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
    level: 'SHOULD',
    scenario: 'basic',
    features: [],
    statement: 'The run is named after the pipeline (or the configured run name).',
    rationale: 'A random name cannot be found or compared across runs.',
    check: (o) =>
      verdict(
        oneRun(o)?.run.info.run_name === o.pipeline.name,
        `run name "${o.pipeline.name}"`,
        oneRun(o)?.run.info.run_name ?? 'no single run',
      ),
  },
  {
    id: 'RUN-009',
    level: 'MUST',
    scenario: 'node-failure',
    features: ['failAt'],
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
  // ---- parameters
  {
    id: 'PAR-001',
    level: 'MUST',
    scenario: 'basic',
    features: ['paramsPerNode'],
    statement: 'Every params: input of every node is logged.',
    rationale: "The article's core promise: parameters are captured without manual calls.",
    check: (o) => {
      const params = new Map(allParams(o).map((p) => [p.key, p.value]));
      const missing = [...expectedParams(o).keys()].filter((k) => !paramPresent(params, k));
      return verdict(
        missing.length === 0,
        `${expectedParams(o).size} params`,
        missing.length ? `missing ${missing.length}: ${list(missing)}` : 'all present',
      );
    },
  },
  {
    id: 'PAR-002',
    level: 'MUST',
    scenario: 'basic',
    features: ['namespaces'],
    statement: 'Parameter keys keep their namespace: params:<ns>.<key> is logged as <ns>.<key>.',
    rationale: "Without the namespace, modular pipelines' parameters collide or cannot be told apart.",
    check: (o) => {
      const keys = allParams(o).map((p) => p.key);
      const namespaced = [...expectedParams(o).keys()].filter((k) => k.includes('.'));
      const bare = namespaced.filter((k) => !keys.some((x) => x === k || x.startsWith(`${k}.`)));
      return verdict(
        bare.length === 0 && namespaced.length > 0,
        'namespaced keys such as ' + (namespaced[0] ?? ''),
        bare.length ? `not found: ${list(bare)}` : 'all namespaced',
      );
    },
  },
  {
    id: 'PAR-003',
    level: 'MUST',
    scenario: 'basic',
    features: ['number and string params'],
    statement: 'Logged parameter values equal the values the node received.',
    rationale: 'A parameter record that differs from what ran is worse than none.',
    check: (o) => {
      const params = new Map(allParams(o).map((p) => [p.key, p.value]));
      const wrong = [...expectedParams(o)]
        .filter(([, v]) => typeof v !== 'object')
        .filter(([k, v]) => params.has(k) && params.get(k) !== paramValueString(v))
        .map(([k]) => `${k}=${params.get(k)}`);
      return verdict(wrong.length === 0, 'values as received', wrong.length ? `differ: ${list(wrong)}` : 'all equal');
    },
  },
  {
    id: 'PAR-004',
    level: 'MUST',
    scenario: 'basic',
    features: [],
    statement: 'Each parameter is logged once: the server never refuses a change of a logged parameter.',
    rationale: 'MLflow parameters are write-once; a second value is an error that loses data.',
    check: (o) => {
      const changed = o.requests.filter((r) => r.error?.includes('Changing param values is not allowed')).length;
      return verdict(changed === 0, 'no "Changing param values" refusals', `${changed}`);
    },
  },
  {
    id: 'PAR-005',
    level: 'SHOULD',
    scenario: 'basic',
    features: ['dict params'],
    statement: 'Dictionary parameters are logged whole (as JSON) or flattened into one key per leaf.',
    rationale: 'A dict logged as an opaque string loses the values it holds.',
    check: (o) => {
      const params = new Map(allParams(o).map((p) => [p.key, p.value]));
      const bad = [...expectedParams(o)]
        .filter(([, v]) => typeof v === 'object')
        .filter(([k, v]) => {
          const whole = params.get(k);
          if (whole !== undefined) {
            try {
              return JSON.stringify(JSON.parse(whole)) !== JSON.stringify(v);
            } catch {
              return true;
            }
          }
          return ![...params.keys()].some((x) => x.startsWith(k) && x !== k);
        })
        .map(([k]) => k);
      return verdict(
        bad.length === 0,
        'dicts as JSON or flattened',
        bad.length ? `unreadable: ${list(bad)}` : 'all readable',
      );
    },
  },
  {
    id: 'PAR-006',
    level: 'MUST',
    scenario: 'long-params',
    features: ['7000-character string params'],
    statement:
      "A parameter longer than MLflow's 6000 characters is never silently lost: it is truncated, logged as a tag, or the run fails saying so.",
    rationale: 'kedro-mlflow users hit this limit (issue #491); silent loss breaks reproducibility.',
    check: (o) => {
      const keys = [...expectedParams(o).keys()];
      const present = (k: string) =>
        allParams(o).some((p) => p.key === k) ||
        allTags(o).some((t) => t.key === k && t.value.length > LIMITS.paramValueLength);
      const failedLoudly =
        topLevel(o).some((r) => r.run.info.status === 'FAILED') && /length|long|6000/i.test(o.pipelineError ?? '');
      const lost = keys.filter((k) => !present(k));
      return verdict(
        lost.length === 0 || failedLoudly,
        'each long param truncated, tagged, or a FAILED run saying why',
        lost.length ? `lost silently: ${list(lost)}` : 'all kept',
      );
    },
  },
  {
    id: 'PAR-007',
    level: 'SHOULD',
    scenario: 'basic',
    features: [],
    statement: 'No parameter is logged that the pipeline did not have.',
    rationale: 'Invented parameters make runs look different when they are not.',
    check: (o) => {
      const expected = [...expectedParams(o).keys()];
      const extra = allParams(o)
        .map((p) => p.key)
        .filter(
          (k) => !expected.some((e) => k === e || k.startsWith(`${e}.`) || k.startsWith(`${e}/`)) && k !== 'parameters',
        );
      return verdict(
        extra.length === 0,
        "only the pipeline's params",
        extra.length ? `extra: ${list(extra)}` : 'none extra',
      );
    },
  },
  // ---- metrics
  {
    id: 'MET-001',
    level: 'MUST',
    scenario: 'basic',
    features: ['metricsPerNode', 'metricSteps'],
    statement: 'Every metric value a node outputs is logged.',
    rationale: 'A missing value breaks curves and comparisons.',
    check: (o) => {
      const want = [...expectedMetrics(o).values()].reduce((n, v) => n + v.length, 0);
      const got = o.runs.reduce((n, r) => n + Object.values(r.metricHistory).reduce((m, h) => m + h.length, 0), 0);
      return verdict(got === want, `${want} metric values`, `${got}`);
    },
  },
  {
    id: 'MET-002',
    level: 'MUST',
    scenario: 'basic',
    features: ['metricSteps'],
    statement: 'Each metric value is logged at its step.',
    rationale: 'Steps order a history; a wrong step reorders training curves.',
    check: (o) => {
      const wrong: string[] = [];
      for (const [key, values] of expectedMetrics(o)) {
        const h = o.runs.flatMap((r) => r.metricHistory[key] ?? []);
        values.forEach((v, step) => {
          if (!h.some((m) => m.step === step && m.value === v)) wrong.push(`${key}@${step}`);
        });
      }
      return verdict(
        wrong.length === 0,
        'value v_s at step s for every key',
        wrong.length ? `not at their step: ${list(wrong)}` : 'all at their step',
      );
    },
  },
  {
    id: 'MET-003',
    level: 'MUST',
    scenario: 'basic',
    features: ['metricSteps'],
    statement: 'The full history of a metric is kept, not only its latest value.',
    rationale: 'Only the history shows convergence or regression within a run.',
    check: (o) => {
      const short = [...expectedMetrics(o)]
        .filter(([key, values]) => o.runs.flatMap((r) => r.metricHistory[key] ?? []).length < values.length)
        .map(([k]) => k);
      return verdict(
        short.length === 0,
        'history length = steps for every key',
        short.length ? `short: ${list(short)}` : 'complete',
      );
    },
  },
  {
    id: 'MET-004',
    level: 'MUST',
    scenario: 'basic',
    features: ['namespaces'],
    statement: 'Metric keys are the names the pipeline gave them (namespaced).',
    rationale: 'Dashboards and comparisons select metrics by key.',
    check: (o) => {
      const keys = new Set(o.runs.flatMap((r) => Object.keys(r.metricHistory)));
      const missing = [...expectedMetrics(o).keys()].filter((k) => !keys.has(k));
      return verdict(
        missing.length === 0,
        'every expected key',
        missing.length ? `missing: ${list(missing)}` : 'all present',
      );
    },
  },
  {
    id: 'MET-005',
    level: 'MUST',
    scenario: 'basic',
    features: [],
    statement: 'Metric values are logged exactly, without rounding.',
    rationale: 'Rounded metrics hide small regressions.',
    check: (o) => {
      const got = new Set(
        o.runs.flatMap((r) =>
          Object.values(r.metricHistory)
            .flat()
            .map((m) => m.value),
        ),
      );
      const lost = [...expectedMetrics(o).values()].flat().filter((v) => !got.has(v));
      return verdict(
        lost.length === 0,
        'every value bit for bit',
        lost.length ? `${lost.length} not found exactly` : 'exact',
      );
    },
  },
  // ---- tags
  {
    id: 'TAG-001',
    level: 'MUST',
    scenario: 'basic',
    features: [],
    statement: 'The run is tagged with the pipeline name.',
    rationale: 'The article names pipeline tags as the basis of traceability.',
    check: (o) => {
      const hit = (oneRun(o)?.run.data.tags ?? []).find((t) => t.value === o.pipeline.name && /pipeline/i.test(t.key));
      return verdict(Boolean(hit), `a *pipeline* tag = "${o.pipeline.name}"`, hit ? hit.key : 'none');
    },
  },
  {
    id: 'TAG-002',
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
    level: 'MUST',
    scenario: 'basic',
    features: [],
    statement: 'Every node that ran is identified in MLflow (a tag naming it, or a child run of its name).',
    rationale: 'The article claims node-id tags; without them nothing ties values to nodes.',
    check: (o) => {
      const text = o.runs.flatMap((r) => [
        r.run.info.run_name,
        ...(r.run.data.tags ?? []).flatMap((t) => [t.key, t.value]),
      ]);
      const missing = o.completedNodes.filter(
        (n) => !text.some((s) => s === n || s.endsWith(`.${n}`) || s.includes(n)),
      );
      return verdict(
        missing.length === 0,
        `${o.completedNodes.length} nodes named`,
        missing.length ? `unnamed: ${list(missing)}` : 'all named',
      );
    },
  },
  {
    id: 'TAG-004',
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
  // ---- nested runs
  {
    id: 'NST-001',
    level: 'MUST',
    scenario: 'basic',
    features: ['child runs (when the hook makes them)'],
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
    level: 'MUST',
    scenario: 'basic',
    features: ['child runs (when the hook makes them)'],
    statement: 'With child runs per node, each node has at most one child run.',
    rationale: "Duplicate child runs split a node's values and double counts.",
    check: (o) =>
      withChildren(o, 'at most one child per node', (c) => {
        const names = c.map((r) => r.run.info.run_name);
        const dup = names.filter((n, i) => names.indexOf(n) !== i);
        return verdict(
          dup.length === 0,
          'unique child per node',
          dup.length ? `duplicated: ${list([...new Set(dup)])}` : `${c.length} unique`,
        );
      }),
  },
  {
    id: 'NST-003',
    level: 'MUST',
    scenario: 'basic',
    features: ['child runs (when the hook makes them)'],
    statement: 'Child runs end, like their parent.',
    rationale: 'Open child runs look like work still in progress.',
    check: (o) =>
      withChildren(o, 'children ended', (c) => {
        const open = c.filter((r) => !TERMINAL.has(r.run.info.status)).map((r) => r.run.info.run_name);
        return verdict(open.length === 0, 'every child ended', open.length ? `open: ${list(open)}` : 'all ended');
      }),
  },
  // ---- artifacts and models
  {
    id: 'ART-001',
    level: 'MUST',
    scenario: 'basic',
    features: ['artifactsPerNode'],
    statement: 'Every artifact a node outputs is uploaded to the run.',
    rationale: 'Artifacts are the evidence behind metrics (plots, reports, data samples).',
    check: (o) => {
      const want = expectedFiles(o, 'artifact');
      const got = o.runs
        .flatMap((r) => r.artifacts)
        .filter((f) => !f.path.startsWith('models/') && f.file_size === want[0]?.bytes);
      return verdict(got.length >= want.length, `${want.length} artifacts`, `${got.length}`);
    },
  },
  {
    id: 'ART-002',
    level: 'MUST',
    scenario: 'basic',
    features: ['artifactsPerNode'],
    statement: 'Uploaded artifacts have the size the node wrote.',
    rationale: 'A truncated artifact is a corrupted record.',
    check: (o) => {
      const size = expectedFiles(o, 'artifact')[0]?.bytes;
      const uploaded = o.artifactBytes.filter((a) => !a.path.startsWith('models/'));
      // Nothing uploaded is ART-001's failure; a size check with nothing to check does not apply.
      if (!uploaded.length) return skip(`${size} bytes each`, 'no artifacts uploaded (see ART-001)');
      const wrong = uploaded.filter((a) => a.bytes.length !== size).map((a) => `${a.path} (${a.bytes.length} bytes)`);
      return verdict(
        wrong.length === 0 && size !== undefined,
        `${size} bytes each`,
        wrong.length ? `wrong size: ${list(wrong)}` : `${uploaded.length} right`,
      );
    },
  },
  {
    id: 'MOD-001',
    level: 'MUST',
    scenario: 'basic',
    features: ['modelNodes with several models'],
    statement: 'Every model output is registered as a model version, not only the first.',
    rationale: 'The article lists "only the first model is logged" as a limitation; it loses models.',
    check: (o) => {
      const want = expectedFiles(o, 'model').length;
      const got = o.runs.reduce((n, r) => n + r.modelVersions.length, 0);
      return verdict(got === want, `${want} model versions`, `${got}`);
    },
  },
  {
    id: 'MOD-002',
    level: 'MUST',
    scenario: 'basic',
    features: ['modelNodes'],
    statement: 'Each model version names the run that produced it.',
    rationale: "The registry's lineage back to parameters and metrics goes through run_id.",
    check: (o) => {
      const versions = o.runs.flatMap((r) => r.modelVersions.map((v) => ({ v, run: r.run.info.run_id })));
      const bad = versions.filter(({ v, run }) => v.run_id !== run).map(({ v }) => `${v.name} v${v.version}`);
      return verdict(
        versions.length > 0 && bad.length === 0,
        'run_id of the producing run',
        bad.length ? `unlinked: ${list(bad)}` : versions.length ? 'all linked' : 'no versions',
      );
    },
  },
  {
    id: 'MOD-003',
    level: 'SHOULD',
    scenario: 'basic',
    features: ['modelNodes'],
    statement: "A registered model's files are stored in its run, whole.",
    rationale: 'A version whose source is empty cannot be served or audited.',
    check: (o) => {
      const size = expectedFiles(o, 'model')[0]?.bytes;
      const models = o.artifactBytes.filter((a) => a.path.startsWith('models/'));
      const want = expectedFiles(o, 'model').length;
      const ok = models.filter((a) => a.bytes.length === size).length;
      return verdict(
        ok >= want && want > 0,
        `${want} model files of ${size} bytes`,
        `${ok} of ${models.length} files right`,
      );
    },
  },
  // ---- faults
  {
    id: 'FLT-001',
    level: 'MUST',
    scenario: 'server-down',
    features: ['tracking server down'],
    statement: 'When the tracking server is down, the pipeline still completes.',
    rationale: 'Tracking must not take production pipelines down with it.',
    check: (o) =>
      verdict(
        !o.pipelineError,
        'pipeline completes',
        o.pipelineError ? `failed: ${o.pipelineError.slice(0, 120)}` : 'completed',
      ),
  },
  {
    id: 'FLT-002',
    level: 'MUST',
    scenario: 'server-down',
    features: ['tracking server down'],
    statement:
      'When values cannot be delivered, nothing is lost silently: the hook says how many, or the run fails saying why.',
    rationale: 'Regulated users must know when the audit trail has a hole.',
    check: (o) => {
      const warned = /not delivered|undelivered|could not be delivered|\d+ value/i.test(o.output);
      const failedLoudly = Boolean(
        o.pipelineError && /mlflow|tracking|unreachable|503|ECONNREFUSED/i.test(o.pipelineError),
      );
      return verdict(
        warned || failedLoudly,
        'a warning with the count of undelivered values, or a pipeline error naming MLflow',
        warned ? 'warned' : failedLoudly ? 'failed loudly' : `silent (output: ${o.output.slice(0, 80) || 'none'})`,
      );
    },
  },
  {
    id: 'FLT-003',
    level: 'SHOULD',
    scenario: 'slow-server',
    features: ['20 ms server latency'],
    statement: 'With a slow server, every value is still delivered.',
    rationale: 'Timeouts tuned for a fast local server lose data against a busy shared one.',
    check: (o) => {
      const want = expectedParams(o).size;
      const got = allParams(o).length;
      return verdict(
        !o.pipelineError && got >= want,
        `${want} params delivered, pipeline completes`,
        `${got} params${o.pipelineError ? `, pipeline failed: ${o.pipelineError.slice(0, 80)}` : ''}`,
      );
    },
  },
  {
    id: 'FLT-004',
    level: 'SHOULD',
    scenario: 'server-down',
    features: ['tracking server down'],
    statement: 'Values that could not be delivered are kept somewhere they can be replayed from, named in the warning.',
    rationale: 'Knowing values were lost is good; being able to recover them is better.',
    check: (o) => {
      const file = o.output.match(/(\/\S+\.jsonl)/)?.[1];
      if (!file) return fail('a spill file named in the output', 'none named');
      try {
        const lines = readFileSync(file, 'utf8').trim().split('\n').length;
        return verdict(lines > 0, 'a readable spill file', `${file} (${lines} records)`);
      } catch {
        return fail('a readable spill file', `${file} does not exist`);
      }
    },
  },
  // ---- limits
  {
    id: 'LIM-001',
    level: 'MUST',
    scenario: 'basic',
    features: [],
    statement: "No request is refused for breaking MLflow's batch or length limits.",
    rationale: 'A refused batch loses every value in it.',
    check: (o) => {
      const refused = o.requests.filter((r) => r.error && LIMIT_ERROR.test(r.error));
      return verdict(
        refused.length === 0,
        'no limit refusals',
        refused.length ? `${refused.length}: ${refused[0]!.error!.slice(0, 100)}` : 'none',
      );
    },
  },
  {
    id: 'LIM-002',
    level: 'MUST',
    scenario: 'basic',
    features: [],
    statement: 'In a normal run, the server accepts every request the hook sends.',
    rationale: 'Every refused request is a value that did not arrive, or a bug.',
    check: (o) => {
      const refused = o.requests.filter(
        (r) =>
          r.status >= 400 &&
          !(r.status === 404 && r.endpoint === 'experiments/get-by-name') &&
          !(r.status === 404 && r.endpoint === 'model-versions/create') &&
          !(r.status === 400 && r.error?.includes('already exists')),
      );
      return verdict(
        refused.length === 0,
        'no refused requests (lookups of missing experiments and models aside)',
        refused.length
          ? `${refused.length}, e.g. ${refused[0]!.endpoint} ${refused[0]!.status}: ${(refused[0]!.error ?? '').slice(0, 100)}`
          : 'none',
      );
    },
  },
  {
    id: 'LIM-003',
    level: 'MUST',
    scenario: 'basic',
    features: [],
    statement: 'Keys sent are valid MLflow keys (characters, no path tricks, at most 250 characters).',
    rationale: 'Kedro names can hold characters MLflow refuses; a hook must sanitise them.',
    check: (o) => {
      const refused = o.requests.filter(
        (r) =>
          r.error &&
          /for parameter '(?:[\w.[\]]*\.)?(?:key|name)' supplied|'(?:Param key|Metric name)' exceeds/.test(r.error),
      );
      return verdict(
        refused.length === 0,
        'no key refusals',
        refused.length ? `${refused.length}: ${refused[0]!.error!.slice(0, 100)}` : 'none',
      );
    },
  },
  // ---- security
  {
    id: 'SEC-001',
    level: 'MUST',
    scenario: 'basic',
    features: ['MLFLOW_TRACKING_TOKEN set'],
    statement: 'No secret from the environment appears in any parameter.',
    rationale: 'Parameters are visible to everyone who can read the experiment.',
    check: (o) => {
      const hit = allParams(o)
        .filter((p) => p.key.includes(o.secret) || p.value.includes(o.secret))
        .map((p) => p.key);
      return verdict(hit.length === 0, 'no secret in params', hit.length ? `in: ${list(hit)}` : 'none');
    },
  },
  {
    id: 'SEC-002',
    level: 'MUST',
    scenario: 'node-failure',
    features: ['MLFLOW_TRACKING_TOKEN set', 'failAt'],
    statement: 'No secret from the environment appears in any tag (error messages included).',
    rationale: 'Error tags copy exception text, which can carry credentials.',
    check: (o) => {
      const hit = o.runs
        .flatMap((r) => r.run.data.tags ?? [])
        .filter((t) => t.key.includes(o.secret) || t.value.includes(o.secret))
        .map((t) => t.key);
      return verdict(hit.length === 0, 'no secret in tags', hit.length ? `in: ${list(hit)}` : 'none');
    },
  },
  {
    id: 'SEC-003',
    level: 'MUST',
    scenario: 'basic',
    features: ['MLFLOW_TRACKING_TOKEN set'],
    statement: 'No secret from the environment appears in any artifact.',
    rationale: "Artifacts are downloaded and shared far beyond the pipeline's team.",
    check: (o) => {
      const hit = o.artifactBytes.filter((a) => a.bytes.includes(o.secret)).map((a) => a.path);
      return verdict(
        hit.length === 0,
        'no secret in artifacts',
        hit.length ? `in: ${list(hit)}` : `${o.artifactBytes.length} checked`,
      );
    },
  },
  {
    id: 'SEC-004',
    level: 'MUST',
    scenario: 'server-down',
    features: ['MLFLOW_TRACKING_TOKEN set', 'tracking server down'],
    statement: 'No secret from the environment appears in what the hook prints or warns, failures included.',
    rationale: 'Logs are collected, shipped and kept; a token printed once is leaked.',
    check: (o) =>
      verdict(
        !o.output.includes(o.secret) && !(o.pipelineError ?? '').includes(o.secret),
        'no secret in output',
        o.output.includes(o.secret) ? 'found in output' : 'none',
      ),
  },
  {
    id: 'SEC-005',
    level: 'SHOULD',
    scenario: 'basic',
    features: ['MLFLOW_TRACKING_TOKEN set'],
    statement:
      'Credentials are taken from the environment: with MLFLOW_TRACKING_TOKEN set, every request carries it as a Bearer token.',
    rationale: "MLflow's own convention; credentials in config files end up in version control.",
    check: (o) => {
      const without = o.requests.filter((r) => r.authSha256 !== o.expectedAuthSha256).length;
      return verdict(
        o.requests.length > 0 && without === 0,
        "every request authorised with the environment's token",
        `${without} of ${o.requests.length} without it`,
      );
    },
  },
  // ---- efficiency
  {
    id: 'EFF-001',
    level: 'SHOULD',
    scenario: 'basic',
    features: [],
    statement: 'API calls stay within one per 10 values logged, plus 10.',
    rationale:
      "Per-value requests make tracking cost grow with every parameter (the article's 150-call claim vs ~1,150 read from kedro-mlflow).",
    check: (o) => {
      const values = expectedParams(o).size + [...expectedMetrics(o).values()].reduce((n, v) => n + v.length, 0);
      const bound =
        Math.ceil(values / 10) + 10 + expectedFiles(o, 'artifact').length + 2 * expectedFiles(o, 'model').length;
      return verdict(
        o.requests.length <= bound,
        `<= ${bound} calls for ${values} values (+ files)`,
        `${o.requests.length}`,
      );
    },
  },
  {
    id: 'EFF-002',
    level: 'SHOULD',
    scenario: 'basic',
    features: [],
    statement: 'The run is not re-entered at every node (no per-node get/update of the run).',
    rationale:
      'kedro-mlflow\'s per-node re-entry costs three requests a node and "couldn\'t run ~200 nodes" (issue #647).',
    check: (o) => {
      const reentries = o.requests.filter((r) => r.endpoint === 'runs/get' || r.endpoint === 'runs/update').length;
      const bound = 2 * o.runs.length + 2;
      return verdict(reentries <= bound, `<= ${bound} runs/get + runs/update`, `${reentries}`);
    },
  },
  {
    id: 'EFF-003',
    level: 'SHOULD',
    scenario: 'basic',
    features: [],
    statement:
      'Values are batched: per-value endpoints (log-parameter, log-metric, set-tag) carry at most a tenth of them.',
    rationale: 'log-batch carries up to 1000 values in one request.',
    check: (o) => {
      const values = expectedParams(o).size + [...expectedMetrics(o).values()].reduce((n, v) => n + v.length, 0);
      const single = o.requests.filter((r) =>
        ['runs/log-parameter', 'runs/log-metric', 'runs/set-tag'].includes(r.endpoint),
      ).length;
      return verdict(single <= values / 10, `<= ${Math.floor(values / 10)} per-value requests`, `${single}`);
    },
  },
];
