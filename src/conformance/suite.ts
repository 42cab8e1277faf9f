// One suite run over one target: each scenario the catalogue needs is run once, then every
// requirement is checked on its scenario's observation.
import { errorMessage } from '../errors.ts';
import { conformanceBackend, type ConformanceBackendKind } from './backend.ts';
import { observe } from './observe.ts';
import { REQUIREMENTS } from './requirements.ts';
import { SCENARIOS } from './scenarios.ts';
import { waiverFor } from './waivers.ts';
import type { Target } from './targets.ts';
import type { Observation, Requirement, RequirementResult, ScenarioId, TargetResult } from './types.ts';

export interface SuiteOptions {
  requirements?: Requirement[];
  /** Requirement IDs or patterns (ART-*) whose failures are accepted; shown in every report. */
  waive?: string[];
  onScenario?: (target: string, scenario: ScenarioId) => void;
  /** Where the scenarios run: a fresh mock each (default), or one local server / container. */
  backend?: ConformanceBackendKind;
}

export async function runSuite(target: Target, options: SuiteOptions = {}): Promise<TargetResult> {
  const requirements = options.requirements ?? REQUIREMENTS;
  const needed = [...new Set(requirements.map((r) => r.scenario))];
  const observations = new Map<ScenarioId, Observation | { error: string; skipped?: boolean }>();
  const backend = conformanceBackend(options.backend);
  for (const id of needed) {
    const scenario = SCENARIOS[id];
    if (scenario.inProcessOnly && !target.inProcess) {
      observations.set(id, {
        error: "needs a hook running in trackbench's process (an extra hook is put beside it)",
        skipped: true,
      });
      continue;
    }
    options.onScenario?.(target.id, id);
    try {
      const opened = await backend.open(scenario);
      if (opened) observations.set(id, await observe(target, scenario, opened));
      else observations.set(id, { error: backend.skipReason, skipped: true });
    } catch (err) {
      observations.set(id, { error: errorMessage(err) });
    }
  }
  await backend.close();
  const results: RequirementResult[] = requirements.map((r) => {
    const o = observations.get(r.scenario)!;
    if ('error' in o) {
      const status = 'skipped' in o && o.skipped ? 'skip' : 'fail';
      return {
        id: r.id,
        level: r.level,
        statement: r.statement,
        scenario: r.scenario,
        finding: { status, expected: `scenario ${r.scenario} runs`, found: o.error },
      };
    }
    let finding;
    try {
      finding = r.check(o);
    } catch (err) {
      finding = { status: 'fail' as const, expected: 'the check to run', found: `check error: ${errorMessage(err)}` };
    }
    const na = target.notApplicable?.()[r.id];
    if (na) finding = { status: 'skip' as const, expected: finding.expected, found: `not applicable: ${na}` };
    return { id: r.id, level: r.level, statement: r.statement, scenario: r.scenario, finding };
  });
  const waive = [...(options.waive ?? []), ...(target.waive ?? [])];
  for (const x of results) {
    const by = waiverFor(x.id, waive);
    if (by) x.waived = by;
  }
  const errors = [...observations]
    .filter(([, o]) => 'error' in o && !('skipped' in o && o.skipped))
    .map(([scenario, o]) => ({ scenario, error: (o as { error: string }).error }));
  const versions = target.versions?.();
  return {
    target: target.id,
    results,
    errors,
    ...(waive.length ? { waivers: [...new Set(waive)] } : {}),
    ...(versions ? { versions } : {}),
  };
}

/** MUST failures that fail the run (waived ones do not). */
export function mustFailures(r: TargetResult): number {
  return r.results.filter((x) => x.level === 'MUST' && x.finding.status === 'fail' && !x.waived).length;
}
