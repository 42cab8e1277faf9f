// Config modes: a target says which settings it honours (nested runs, long-parameter strategy, dict
// flattening); the suite checks each requirement that depends on one in every value of it, one
// setting at a time from the target's own options, unless `--option`/`--config` pinned it.
import { isLongParam, paramValueString } from '../tracking/params.ts';
import { pythonStr } from '../tracking/python-str.ts';
import { isMapping, resolveParam } from '../pipeline/params.ts';
import type { ParamValue } from '../pipeline/types.ts';
import type { ConfigDimension } from '../tracking/config/dimensions.ts';
import { loadTrackingConfig } from '../tracking/config/load-config.ts';
import { SCENARIOS, scenariosOf, type ConformanceScenario } from './scenarios.ts';
import { setsPath, withPairs } from './target-options.ts';
import type { Target } from './targets.ts';
import type { Requirement, RequirementResult } from './types.ts';

/** Each setting's values, in `--option` form. */
const VALUES: Record<ConfigDimension, string[][]> = {
  childRunPerNode: [['childRunPerNode=false'], ['childRunPerNode=true']],
  long_params_strategy: [
    ['long_params_strategy=fail'],
    ['long_params_strategy=tag'],
    ['long_params_strategy=truncate'],
  ],
  flatten: [
    ['flatten=false'],
    ['flatten=true', 'recursive=true', 'sep=.'],
    ['flatten=true', 'recursive=false', 'sep=/'],
  ],
};

/** Where each setting lives in mlflow.yml: options that set it pin it to one mode. */
const PATHS: Record<ConfigDimension, string> = {
  childRunPerNode: 'trackbench.childRunPerNode',
  long_params_strategy: 'tracking.params.long_params_strategy',
  flatten: 'tracking.params.dict_params',
};

/** The setting's value under these options, as a label (`flatten=true recursive=false sep=/`). */
export function modeLabel(dimension: ConfigDimension, options: Record<string, unknown>): string {
  const config = loadTrackingConfig({ inline: options.mlflow ?? {} });
  const p = config.tracking.params;
  if (dimension === 'childRunPerNode') return `childRunPerNode=${config.trackbench.childRunPerNode}`;
  if (dimension === 'long_params_strategy') return `long_params_strategy=${p.long_params_strategy}`;
  const d = p.dict_params;
  return d.flatten ? `flatten=true recursive=${d.recursive} sep=${d.sep}` : 'flatten=false';
}

function paramValues(s: ConformanceScenario): (ParamValue | undefined)[] {
  const p = s.pipeline;
  return p.nodes.flatMap((n) =>
    n.inputs.filter((i) => i.startsWith('params:')).map((i) => resolveParam(p.parameters, i)),
  );
}

/** Whether the setting changes what is expected in this situation (no long values: the strategy cannot show). */
export function changesIn(dimension: ConfigDimension, scenario: ConformanceScenario): boolean {
  if (dimension === 'childRunPerNode') return true;
  const values = paramValues(scenario);
  if (dimension === 'flatten') return values.some((v) => isMapping(v));
  // long as JavaScript hooks write the value (JSON) or as kedro-mlflow does (Python's str())
  return values.some((v) => v !== undefined && (isLongParam(paramValueString(v)) || isLongParam(pythonStr(v))));
}

/** One extra suite run: the target in one other mode, on the requirements that depend on that setting. */
export interface ModeRun {
  /** The setting this run changes (`childRunPerNode=true`). */
  setting: string;
  target: Target;
  requirements: Requirement[];
  label: (r: Requirement) => string | undefined;
}

export interface ModePlan {
  /** The label of a requirement's result in the target's own mode (undefined when it depends on no mode). */
  baseLabel: (r: Requirement) => string | undefined;
  runs: ModeRun[];
}

/** The modes a target is checked in besides its own. */
export function modePlan(target: Target, requirements: Requirement[]): ModePlan {
  const declared = target.modes?.() ?? [];
  const options = target.options ?? {};
  // Every setting a requirement depends on is named, honoured or not, so targets' results line up by mode;
  // targets whose options trackbench does not know (command, kedro) get no label.
  const labeller =
    (opts: Record<string, unknown>) =>
    (r: Requirement): string | undefined =>
      target.modes && r.dependsOn?.length ? r.dependsOn.map((d) => modeLabel(d, opts)).join(', ') : undefined;
  const runs: ModeRun[] = [];
  const configure = target.configure;
  if (configure)
    for (const dimension of declared.filter((d) => !setsPath(options, PATHS[d]))) {
      const own = modeLabel(dimension, options);
      const scoped = requirements
        .filter((r) => r.dependsOn?.includes(dimension))
        .map((r) => ({ ...r, scenario: scenariosOf(r.scenario).filter((id) => changesIn(dimension, SCENARIOS[id])) }))
        .filter((r) => r.scenario.length > 0);
      if (!scoped.length) continue;
      for (const pairs of VALUES[dimension]) {
        const opts = withPairs(options, pairs);
        const setting = modeLabel(dimension, opts);
        if (setting === own) continue;
        runs.push({ setting, target: configure(opts), requirements: scoped, label: labeller(opts) });
      }
    }
  return { baseLabel: labeller(options), runs };
}

/** A result's name: its ID, and the settings it was checked under when it depends on them. */
export function resultName(x: Pick<RequirementResult, 'id' | 'mode'>): string {
  return x.mode ? `${x.id} [${x.mode}]` : x.id;
}
