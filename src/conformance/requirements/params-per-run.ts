// Requirements: parameters, per pipeline run, content-exact, in every situation.
import type { Observation, Requirement } from '../types.ts';
import {
  emptyMappingKeys,
  expectedForms,
  isFound,
  nodeParams,
  paramNodes,
  paramsConfigFor,
  pipelineRunViews,
  valuesOf,
  type ExpectedValue,
} from './expected.ts';
import { list, verdict } from './queries.ts';

/** Every expected form of every parameter the hook received, with the run it belongs in. */
function expectedByRun(o: Observation) {
  const views = pipelineRunViews(o);
  const config = paramsConfigFor(o, views);
  return {
    config,
    views,
    items: views.flatMap((view) =>
      paramNodes(o).flatMap((n) =>
        nodeParams(o, n).flatMap(([k, v]) =>
          expectedForms(k, v, config).map((e) => ({ view, node: n, run: view.runFor(n), e })),
        ),
      ),
    ),
  };
}

const describe = (e: ExpectedValue): string => `${e.as} ${e.key}`;

export const PARAMS_PER_RUN: Requirement[] = [
  {
    id: 'PAR-010',
    source: 'kedro-mlflow docs: params logged per node (dict_params, long_params_strategy); MLflow REST API log-batch',
    level: 'MUST',
    scenario: 'healthy',
    features: ['every situation', 'flattening and long-value settings'],
    dependsOn: ['childRunPerNode', 'long_params_strategy', 'flatten'],
    statement:
      "In every situation and every pipeline run, each parameter the hook received (the failing node's too) is in " +
      "its node's run with exactly the produced value, as the target's settings say (flattened leaves, " +
      'truncated to 6000 characters, or a tag), and in no other run of that pipeline run.',
    rationale: 'A value in the wrong run, rounded, re-encoded or cut short is a false record of what ran.',
    check: (o) => {
      const { items, views, config } = expectedByRun(o);
      const bad: string[] = [];
      if (!views.length) bad.push('no run');
      for (const { view, run, e } of items) {
        if (!isFound(e, run)) {
          const text = (e.as === 'param' ? valuesOf(run).params : valuesOf(run).tags).get(e.key);
          bad.push(
            text === undefined
              ? `${describe(e)} missing in ${run.run.info.run_name}`
              : `${describe(e)}=${text.slice(0, 40)}`,
          );
        } else {
          const elsewhere = view.family.filter(
            (r) => r !== run && (e.as === 'param' ? valuesOf(r).params : valuesOf(r).tags).has(e.key),
          );
          if (elsewhere.length) bad.push(`${describe(e)} also in ${elsewhere[0]!.run.info.run_name}`);
        }
      }
      const how = config.flatten ? ` (recursive ${config.recursive}, sep "${config.sep}")` : '';
      const mode = `flatten ${config.flatten}${how}, long values: ${config.longStrategy}`;
      return verdict(
        bad.length === 0 && views.length > 0,
        `${items.length} values exact in their run (${mode})`,
        bad.length ? `${bad.length} wrong: ${list(bad)}` : 'all exact',
      );
    },
  },
  {
    id: 'PAR-011',
    source: "trackbench's own guarantee: only the pipeline's parameters are logged, each in its node's run",
    level: 'SHOULD',
    scenario: 'healthy',
    features: ['every situation'],
    dependsOn: ['childRunPerNode', 'long_params_strategy', 'flatten'],
    statement: 'No run holds a parameter the pipeline did not give to a node of that run.',
    rationale: 'Invented or misplaced parameters make runs look different when they are not.',
    check: (o) => {
      const { items, views, config } = expectedByRun(o);
      const extra: string[] = [];
      for (const view of views)
        for (const r of view.family) {
          const want = new Set(items.filter((x) => x.run === r && x.e.as === 'param').map((x) => x.e.key));
          const emptyMappings = new Set(
            paramNodes(o)
              .filter((n) => view.runFor(n) === r)
              .flatMap((n) => nodeParams(o, n).flatMap(([k, v]) => emptyMappingKeys(k, v, config))),
          );
          for (const p of r.run.data.params ?? [])
            if (!want.has(p.key) && !(emptyMappings.has(p.key) && p.value === '{}'))
              extra.push(`${p.key} in ${r.run.info.run_name}`);
        }
      return verdict(
        extra.length === 0,
        "only the pipeline's params, each in its run",
        extra.length ? `extra: ${list(extra)}` : 'none extra',
      );
    },
  },
];
