// Requirements: params.
import { isMapping } from '../../pipeline/params.ts';
import { isLongParam } from '../../tracking/params.ts';
import type { Requirement } from '../types.ts';
import { loggableParams, sameValue } from './expected.ts';
import { topLevel, allTags, allParams, expectedParams, paramPresent, verdict, list } from './queries.ts';

export const PARAMS: Requirement[] = [
  {
    id: 'PAR-001',
    source: 'kedro-mlflow docs: every `params:` input is logged automatically (MlflowHook.before_node_run)',
    level: 'MUST',
    scenario: 'basic',
    features: ['paramsPerNode'],
    dependsOn: ['flatten'],
    statement: 'Every params: input of every node is logged.',
    rationale: "The article's core promise: parameters are captured without manual calls.",
    check: (o) => {
      const params = new Map(allParams(o).map((p) => [p.key, p.value]));
      const expected = loggableParams(o);
      const missing = [...expected.keys()].filter((k) => !paramPresent(params, k));
      return verdict(
        missing.length === 0,
        `${expected.size} params`,
        missing.length ? `missing ${missing.length}: ${list(missing)}` : 'all present',
      );
    },
  },
  {
    id: 'PAR-002',
    source: 'kedro-mlflow docs: parameter names keep their `params:` path, namespace included',
    level: 'MUST',
    scenario: 'basic',
    features: ['namespaces'],
    statement: 'Parameter keys keep their namespace: params:<ns>.<key> is logged as <ns>.<key>.',
    rationale: "Without the namespace, modular pipelines' parameters collide or cannot be told apart.",
    check: (o) => {
      const params = new Map(allParams(o).map((p) => [p.key, p.value]));
      const namespaced = [...loggableParams(o).keys()].filter((k) => k.includes('.'));
      // As itself or flattened under it, with whichever separator the settings give (sep=/ too).
      const bare = namespaced.filter((k) => !paramPresent(params, k));
      return verdict(
        bare.length === 0 && namespaced.length > 0,
        'namespaced keys such as ' + (namespaced[0] ?? ''),
        bare.length ? `not found: ${list(bare)}` : 'all namespaced',
      );
    },
  },
  {
    id: 'PAR-003',
    source: 'MLflow REST API docs: runs/log-parameter and log-batch store the value as given',
    level: 'MUST',
    scenario: 'basic',
    features: ['number, string, boolean, null and list params'],
    statement:
      'Logged parameter values equal the values the node received (as JSON or Python str(): true or True, null ' +
      'or None; numbers by value, integers without a fraction).',
    rationale: 'A parameter record that differs from what ran is worse than none.',
    check: (o) => {
      const params = new Map(allParams(o).map((p) => [p.key, p.value]));
      const wrong = [...expectedParams(o)]
        .filter(([, v]) => !isMapping(v))
        .filter(([k, v]) => params.has(k) && !sameValue(v, params.get(k)!))
        .map(([k]) => `${k}=${params.get(k)}`);
      return verdict(wrong.length === 0, 'values as received', wrong.length ? `differ: ${list(wrong)}` : 'all equal');
    },
  },
  {
    id: 'PAR-004',
    source: 'MLflow server behaviour: a param is write-once (INVALID_PARAMETER_VALUE on change)',
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
    source: 'kedro-mlflow docs: dict_params.flatten / recursive / sep',
    level: 'SHOULD',
    scenario: 'basic',
    features: ['dict params'],
    dependsOn: ['flatten'],
    statement: 'Dictionary parameters are logged whole (as JSON) or flattened into one key per leaf.',
    rationale: 'A dict logged as an opaque string loses the values it holds.',
    check: (o) => {
      const params = new Map(allParams(o).map((p) => [p.key, p.value]));
      const bad = [...loggableParams(o)]
        .filter(([, v]) => isMapping(v))
        .filter(([k, v]) => {
          const whole = params.get(k);
          // JSON or Python's str() of the dict
          if (whole !== undefined) return !sameValue(v, whole);
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
    source: 'kedro-mlflow docs: long_params_strategy fail | truncate | tag (values over 6000 characters)',
    level: 'MUST',
    scenario: 'long-params',
    features: ['7000-character string params'],
    dependsOn: ['long_params_strategy'],
    statement:
      "A parameter longer than MLflow's 6000 characters is never silently lost: it is truncated, " +
      'logged as a tag, or the run fails saying so.',
    rationale: 'kedro-mlflow users hit this limit (issue #491); silent loss breaks reproducibility.',
    check: (o) => {
      const keys = [...expectedParams(o).keys()];
      const present = (k: string) =>
        allParams(o).some((p) => p.key === k) || allTags(o).some((t) => t.key === k && isLongParam(t.value));
      const failedLoudly =
        topLevel(o).some((r) => r.run.info.status === 'FAILED') && /length|long|6000/i.test(o.pipelineError ?? '');
      const lost = keys.filter((k) => !present(k));
      // Configured to fail (known for built-in and module targets): kept some other way is not what was asked.
      // The pipeline's error says why; the run's status is RUN-004's.
      if (o.paramsConfig?.longStrategy === 'fail') {
        const saysWhy = /length|long|6000/i.test(o.pipelineError ?? '');
        return verdict(
          saysWhy,
          'long_params_strategy fail: the pipeline fails saying why',
          saysWhy
            ? 'failed saying why'
            : `the pipeline did not fail (${lost.length ? 'lost' : 'kept'} the long params)`,
        );
      }
      return verdict(
        lost.length === 0 || failedLoudly,
        'each long param truncated, tagged, or a FAILED run saying why',
        lost.length ? `lost silently: ${list(lost)}` : 'all kept',
      );
    },
  },
  {
    id: 'PAR-007',
    source: "trackbench's own guarantee: only the pipeline's parameters are logged",
    level: 'SHOULD',
    scenario: 'basic',
    features: [],
    dependsOn: ['flatten'],
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
];
