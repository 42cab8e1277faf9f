// The real kedro-mlflow, 0.14.5 on Kedro 0.19 and 2.0.3 on Kedro 1.x, through the whole conformance suite as
// `kedro:` targets (the generated project, the mock): every MUST it fails is one of the plugin's own behaviours
// (each named below, seen in its requests and runs), none the generated project's doing, and what it logs of
// parameters, metrics, artifacts and models is checked for real. Runs where the environments are provisioned
// (CI: npm run setup:kedro-mlflow).
import { describe, expect, it } from 'vitest';
import { kedroTarget } from '../src/conformance/kedro-target.ts';
import { runSuite } from '../src/conformance/suite.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { provisionKedro } from '../src/tracking/kedro/environment.ts';

const SCENARIO = 'scenarios/kedro-mlflow-versions.yaml';

/** The plugin's own failures, with what it does (README, "What it found"). */
const PLUGIN_BEHAVIOURS: Record<string, string> = {
  'RUN-011': 'the run ended a second time (runs/update FINISHED) after its terminal update, at the process exit',
  'RUN-020': 'that second end stamps end_time after the pipeline run ended (by more than the slack: not always)',
  'RUN-016':
    'interrupted (SIGINT), its run ends FINISHED: Kedro calls no hook for a KeyboardInterrupt, and the run still ' +
    "active at exit is ended by MLflow's atexit handler, whose status is FINISHED",
  'TAG-003': 'no node is named on the run: its hook logs node parameters, not node names',
  'FLT-001': 'with the server down, the pipeline fails: every value is logged synchronously',
  'FLT-007': 'each value is a request on the node path: a slow server slows the pipeline',
};

/** Both releases alike: 2.0.3's `pipeline_names=['conformance']` (Kedro 1's run_params) names the pipeline too. */
const ALLOWED: Record<string, Record<string, string>> = {
  'kedro-mlflow 0.14.5': PLUGIN_BEHAVIOURS,
  'kedro-mlflow 2.0.3': PLUGIN_BEHAVIOURS,
};

/**
 * Both releases' own, in one situation only: the second of two Kedro sessions in one process (`twice`) logs into
 * the first session's run. Their before_node_run re-opens the run with `nested: true` (the default), which stacks
 * the same run once a node; end_run pops one, so the run is still active when the next session starts, and taken.
 */
const SECOND_SESSION = { situation: 'twice', ids: ['RUN-001', 'MET-010', 'MET-020', 'FLT-005'] };

/** Whether a failure is the release's own: anywhere, or (SECOND_SESSION) in that one situation alone. */
function ownFailure(label: string, id: string, found: string): boolean {
  const { situation, ids } = SECOND_SESSION;
  const onlyThere = ids.includes(id) && found.startsWith(`[${situation}] `) && !found.includes('(also in ');
  return Object.hasOwn(ALLOWED[label]!, id) || onlyThere;
}

async function provisioned(label: string): Promise<boolean> {
  const hook = loadScenarioFile(SCENARIO).scenario.hooks.find((h) => h.label === label)!;
  try {
    await provisionKedro(hook.kedro!, 'scenarios', label, { checkOnly: true });
    return true;
  } catch {
    return false;
  }
}

for (const label of Object.keys(ALLOWED)) {
  const ready = (await provisioned(label)) || process.env.CI === 'true';
  describe.runIf(ready)(`the real ${label}, conformance`, () => {
    it('fails only by its own behaviours; its params, metrics, artifacts and models are checked', async () => {
      const result = await runSuite(kedroTarget(`${SCENARIO}#${label}`));
      expect(result.errors).toEqual([]);
      const finding = (id: string) => result.results.find((r) => r.id === id)?.finding;
      const status = (id: string) => finding(id)?.status;
      const mustFailures = result.results
        .filter((r) => r.level === 'MUST' && r.finding.status === 'fail')
        .map((r) => `${r.id}: ${r.finding.found}`);
      expect(mustFailures.filter((f) => !ownFailure(label, f.slice(0, 7), f.slice(9)))).toEqual([]);
      // Content checked, not skipped: every parameter exact, metric values, artifact bytes, each model registered
      // (in every situation but the one a release's own failure is allowed in).
      for (const id of ['PAR-001', 'PAR-010', 'MET-001', 'MET-010', 'ART-001', 'ART-002', 'MOD-001', 'MOD-002']) {
        const f = finding(id);
        if (f?.status !== 'fail' || !ownFailure(label, id, f.found)) expect(status(id), id).toBe('pass');
      }
      // The second session's bug is seen (both sessions share the hook object, as in one process they do).
      expect(finding('RUN-001')?.found).toMatch(/^\[twice\] 1, 1 pipeline run/);
      // It fails loudly with the server down, its error naming MLflow (the command's own words, not only its exit).
      expect(status('FLT-002')).toBe('pass');
      // Situations a hook fails the pipeline in, put in by the generated project's runner, run for it too.
      expect(status('RUN-005')).toBe('pass');
      expect(status('HKS-002')).toBe('pass');
      // Interrupted mid-run, the run reads as a finished one (no hook is called; MLflow's exit handler ends it).
      expect(finding('RUN-016')?.found).toBe('conformance FINISHED');
      // The run's pipeline tag: pipeline_name on Kedro 0.19, pipeline_names (a list of it) on Kedro 1.
      expect(status('TAG-001')).toBe('pass');
      expect(finding('TAG-001')?.found).toMatch(/^pipeline_names?$/);
      expect(result.versions?.['kedro-mlflow']).toBe(label.split(' ')[1]);
    }, 600_000);
  });
}
