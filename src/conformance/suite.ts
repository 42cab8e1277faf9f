// One suite run over one target: each scenario the catalogue needs is run once, then every
// requirement is checked on each of its scenarios' observations (a failure in any one fails it).
import { errorMessage } from '../errors.ts';
import { redact } from '../mlflow/auth.ts';
import { ReadBackTimeoutError } from '../mlflow/read-deadline.ts';
import { conformanceBackend, type ConformanceBackend, type ConformanceBackendKind } from './backend.ts';
import { secretLeak } from './leak.ts';
import { CONFORMANCE_PASSWORD, CONFORMANCE_SECRET, observe } from './observe.ts';
import { REQUIREMENTS } from './requirements/index.ts';
import { modePlan, resultName } from './modes.ts';
import { ALL_SCENARIOS, SCENARIOS, scenariosOf } from './scenarios.ts';
import { BackendFailedError, describeSituationError, situationErrorOf } from './situation-error.ts';
import { waiverFor } from './waivers.ts';
import type { Target } from './targets.ts';
import type {
  Finding,
  Observation,
  Requirement,
  RequirementResult,
  ScenarioId,
  SituationError,
  TargetResult,
} from './types.ts';

export interface SuiteOptions {
  requirements?: Requirement[];
  /** Requirement IDs or patterns (ART-*) whose failures are accepted; shown in every report. */
  waive?: string[];
  onScenario?: (target: string, scenario: ScenarioId) => void;
  /** Where the scenarios run: a fresh mock each (default), or one local server / container. */
  backend?: ConformanceBackendKind;
}

/** A situation observed, not applicable (why), or failed with its own error. */
type Observed = Observation | { skipped: string } | { failed: Omit<SituationError, 'unjudged'> };

export async function runSuite(target: Target, options: SuiteOptions = {}): Promise<TargetResult> {
  const requirements = options.requirements ?? REQUIREMENTS;
  const plan = modePlan(target, requirements);
  const runs = [
    { target, requirements, label: plan.baseLabel, setting: undefined as string | undefined },
    ...plan.runs,
  ];
  const results: RequirementResult[] = [];
  const errors: TargetResult['errors'] = [];
  // One backend for every mode (a real server is started once).
  const backend = conformanceBackend(options.backend);
  try {
    for (const run of runs) {
      const more = await runOnce(run.target, run.requirements, options, run.label, backend);
      errors.push(...more.errors.map((e) => (run.setting ? { ...e, mode: run.setting } : e)));
      // Each mode's result right after the same requirement's others.
      for (const x of more.results) {
        let at = results.length;
        while (at > 0 && results[at - 1]!.id !== x.id) at--;
        results.splice(at || results.length, 0, x);
      }
    }
  } finally {
    await backend.close();
  }
  const waive = [...(options.waive ?? []), ...(target.waive ?? [])];
  for (const x of results) {
    const by = waiverFor(x.id, waive);
    if (by) x.waived = by;
  }
  const versions = target.versions?.();
  return {
    target: target.id,
    results,
    errors,
    ...(waive.length ? { waivers: [...new Set(waive)] } : {}),
    ...(versions ? { versions } : {}),
  };
}

/** Why an in-process hook is not interrupted: SIGINT would stop trackbench itself, and a Node host ends on it
 * without running any JavaScript, so there is nothing for the hook to meet (and the hook interface, like Kedro's,
 * has no call for it). What such a hook does when its own host is stopped is that host's doing. */
const INTERRUPT_IN_PROCESS =
  "needs a target run as a process of its own (command:, kedro:): SIGINT would stop trackbench's own process, " +
  "and the hook interface has no call for an interrupt (Kedro's neither: on_pipeline_error is not called for " +
  'KeyboardInterrupt)';

/** The target in one mode: each situation the requirements need is run once, then every requirement checked. */
async function runOnce(
  target: Target,
  requirements: Requirement[],
  options: SuiteOptions,
  labelOf: (r: Requirement) => string | undefined,
  backend: ConformanceBackend,
): Promise<Pick<TargetResult, 'results' | 'errors'>> {
  const needed = ALL_SCENARIOS.filter((id) => requirements.some((r) => scenariosOf(r.scenario).includes(id)));
  const observations = new Map<ScenarioId, Observed>();
  for (const id of needed) {
    const scenario = SCENARIOS[id];
    // A process target's runner can put in the failing hook, not the outage (it is timed by trackbench's hooks).
    const injected = scenario.hookErrorAt !== undefined && !scenario.outage && target.injectsHookErrors;
    if (scenario.inProcessOnly && !target.inProcess && !injected) {
      observations.set(id, {
        skipped: "needs a hook running in trackbench's process (an extra hook is put beside it)",
      });
      continue;
    }
    if (scenario.interruptAfter !== undefined && target.inProcess) {
      observations.set(id, { skipped: INTERRUPT_IN_PROCESS });
      continue;
    }
    // A command is its own host: it runs the pipeline as in any situation and is timed to its own exit.
    if (scenario.inChild && !target.spawn && target.inProcess) {
      observations.set(id, { skipped: 'an in-process target without a spec to load it again in a child process' });
      continue;
    }
    options.onScenario?.(target.id, id);
    try {
      const opened = await backend.open(scenario).catch((err: unknown) => {
        throw new BackendFailedError(err);
      });
      if (opened) observations.set(id, await observe(target, scenario, opened));
      else observations.set(id, { skipped: backend.skipReason });
    } catch (err) {
      // No requirement's verdict: the environment failed (exit 3), and the suite with it.
      if (err instanceof ReadBackTimeoutError) throw err;
      observations.set(id, { failed: situationErrorOf(id, err, quotable) });
    }
  }
  const results = requirements.map((r): RequirementResult => {
    const findings = scenariosOf(r.scenario).map((id): [ScenarioId, Finding] => [id, checkOn(r, id, observations)]);
    const [scenario, combined] = combine(findings, (id) => {
      const o = observations.get(id);
      return o !== undefined && !('skipped' in o) && !('failed' in o);
    });
    const na = target.notApplicable?.()[r.id];
    const finding: Finding = na
      ? { status: 'skip', expected: combined.expected, found: `not applicable: ${na}` }
      : combined;
    const mode = labelOf(r);
    finding.found = quotable(finding.found);
    return { id: r.id, level: r.level, statement: r.statement, scenario, ...(mode ? { mode } : {}), finding };
  });
  // Each situation's own error, with every result that depends on it (judged elsewhere or not).
  const errors = [...observations].flatMap(([scenario, o]): SituationError[] =>
    'failed' in o
      ? [
          {
            ...o.failed,
            unjudged: requirements
              .filter((r) => scenariosOf(r.scenario).includes(scenario))
              .map((r) => resultName({ id: r.id, mode: labelOf(r) })),
          },
        ]
      : [],
  );
  return { results, errors };
}

const TEST_SECRETS = [CONFORMANCE_SECRET, CONFORMANCE_PASSWORD];

/** Text a report may quote from a hook (what it printed or raised): never the test secrets it leaked there, whole,
 * cut short by a check's excerpt or encoded (SEC-* say where they leaked). */
function quotable(text: string): string {
  const masked = redact(text, TEST_SECRETS);
  const how = secretLeak(masked, TEST_SECRETS);
  return how ? `[withheld: it quotes a test secret (${how})]` : masked;
}

function checkOn(r: Requirement, id: ScenarioId, observations: Map<ScenarioId, Observed>): Finding {
  const o = observations.get(id);
  if (!o) return { status: 'skip', expected: `scenario ${id} runs`, found: 'not run' };
  if ('skipped' in o) return { status: 'skip', expected: `scenario ${id} runs`, found: o.skipped };
  // Not a finding on the hook: the situation's own error, so the requirement reads as not judged.
  if ('failed' in o)
    return {
      status: 'fail',
      expected: `situation ${id} to run`,
      found: `not judged: ${describeSituationError(o.failed)}`,
      error: true,
    };
  try {
    return r.check(o);
  } catch (err) {
    return { status: 'fail', expected: 'the check to run', found: `check error: ${errorMessage(err)}`, error: true };
  }
}

/** The first failure (named by its situation; the hook's own before a situation's error), else a pass, else a skip
 * (one whose situation did not run first). */
function combine(findings: [ScenarioId, Finding][], ran: (id: ScenarioId) => boolean): [ScenarioId, Finding] {
  const many = findings.length > 1;
  const named = ([id, f]: [ScenarioId, Finding]): [ScenarioId, Finding] =>
    many ? [id, { ...f, found: `[${id}] ${f.found}` }] : [id, f];
  const failed = findings
    .filter(([, f]) => f.status === 'fail')
    .sort(([, a], [, b]) => Number(Boolean(a.error)) - Number(Boolean(b.error)));
  if (failed.length) {
    const [id, f] = named(failed[0]!);
    const more =
      failed.length > 1
        ? ` (also in ${failed
            .slice(1)
            .map(([x]) => x)
            .join(', ')})`
        : '';
    return [id, { ...f, found: `${f.found}${more}` }];
  }
  const passed = findings.find(([, f]) => f.status === 'pass');
  if (passed)
    return many
      ? [
          passed[0],
          {
            ...passed[1],
            found: `${passed[1].found} (in ${findings.filter(([, f]) => f.status === 'pass').length} situations)`,
          },
        ]
      : passed;
  // Nowhere applicable: a situation that did not run says why the requirement was not exercised.
  const notRun = findings.find(([id]) => !ran(id));
  return named(notRun ?? findings[0]!);
}

const failsMust = (x: RequirementResult): boolean => x.level === 'MUST' && x.finding.status === 'fail' && !x.waived;

/** MUST failures that fail the run (waived ones do not), a check that could not run or was not judged included. */
export function mustFailures(r: TargetResult): number {
  return r.results.filter(failsMust).length;
}

/** MUST failures judged on the hook: not one its situation left unjudged, nor a check that could not run. These are
 * the answers on a hook; a not-judged one only says the harness or its backend did not get to it. */
export function judgedMustFailures(r: TargetResult): number {
  return r.results.filter((x) => failsMust(x) && !x.finding.error).length;
}

/** Whether the target fails the run: a MUST failed, or a situation could not be observed (whatever it would have
 * judged: a situation that did not run never lets the suite pass). */
export function failsRun(r: TargetResult): boolean {
  return mustFailures(r) > 0 || r.errors.length > 0;
}
