// Plausible bugs of a real Python Kedro tracking plugin, each the Python reference hook with one of them
// (fixtures/conformance/broken_kedro_hooks.py), run through the conformance suite as a plugin author runs
// theirs (the Python helper running real Kedro): each is caught by the requirement that names what reached
// MLflow wrong, in the one situation that shows it (one Kedro run each). A hook that flattens dicts but keeps
// an empty mapping as `{}` is not broken, and is not failed; the reference hook exits once its pipeline is done.
import { describe, expect, it } from 'vitest';
import { REQUIREMENTS } from '../src/conformance/requirements/index.ts';
import type { ScenarioId } from '../src/conformance/types.ts';
import { checkKedroHook, kedroEnvironment } from './helpers/kedro-hook-target.ts';

const env = await kedroEnvironment();

/** The findings of the given requirements for a hook, all checked in one situation. */
function check(hookClass: string, situation: ScenarioId, ids: string[]) {
  const requirements = REQUIREMENTS.filter((r) => ids.includes(r.id)).map((r) => ({ ...r, scenario: situation }));
  const hook = hookClass.includes(':') ? hookClass : `broken_kedro_hooks:${hookClass}`;
  return checkKedroHook(env!, hook, requirements, true);
}

/** Hook, situation, the requirements that must fail and what the first one must say it found. */
const CAUGHT: [string, ScenarioId, string[], RegExp][] = [
  ['Float32MetricsHook', 'basic', ['MET-005', 'MET-010'], /\d+ not found exactly/],
  ['SecondsTimestampHook', 'basic', ['MET-011', 'MET-020'], /t=\d{10} \(run \d{13}\.\.\d{13}\)/],
  ['StepZeroHook', 'basic', ['MET-002', 'MET-003'], /not at their step: \S+@1/],
  ['NestedNamespaceParamsSkippedHook', 'basic', ['PAR-001', 'PAR-010'], /missing \d+: stage_0\.module_0\./],
  ['ParamValueCutHook', 'basic', ['PAR-003', 'PAR-010'], /differ: \S+\.at_value_limit=edge-/],
  ['AsciiKeysHook', 'basic', ['PAR-010', 'PAR-011'], /\.größe missing/],
  ['BoolsAsIntsHook', 'basic', ['PAR-003', 'PAR-010'], /flag_on=1, \S+\.flag_off=0/],
  ['NoneAsNanHook', 'basic', ['PAR-003', 'PAR-010'], /\.nothing=nan/],
  ['PasswordInTagHook', 'basic', ['SEC-002', 'SEC-006'], /tracking_uri/],
  ['OuterNamespaceTagHook', 'basic', ['NST-013', 'TAG-004'], /="stage_0" \(namespace "stage_0\.module_0"\)/],
  ['FirstChunkArtifactHook', 'basic', ['ART-002', 'ART-010'], /\(262144 bytes\)/],
  ['DefaultExperimentHook', 'basic', ['EXP-001', 'EXP-003'], /^0$/],
  ['LastBatchLostHook', 'basic', ['MET-001', 'PAR-001', 'FLT-005'], /^0$/],
  ['FinishedOnNodeErrorHook', 'node-failure', ['RUN-004', 'RUN-010'], /^FINISHED$/],
  // Ctrl-C mid-run: Kedro calls no hook, so only an exit handler can end the run.
  ['RunningOnInterruptHook', 'interrupted', ['RUN-016'], /^conformance RUNNING, conformance end_time unset$/],
  ['ParamsAfterNodeHook', 'node-failure', ['PAR-010', 'FLT-005'], /param stage_0\.module_1\.evaluate_07\.\S+ missing/],
  ['LingeringTimerHook', 'host-exit', ['RUN-012'], /host-exit: exited after \d{5} ms \(code 0\)/],
  // Seen only when both runs of `twice` share the hook object: one process, two Kedro sessions.
  ['ParamsOncePerProcessHook', 'twice', ['PAR-010'], /missing/],
  // sys.exit(0) after the first: the process took both runs on (#runs), so it is not simply run again for the second.
  ['ExitAfterFirstRunHook', 'twice', ['RUN-001'], /^1, 1 pipeline run\(s\) without one$/],
  ['RunNamedOncePerProcessHook', 'twice', ['RUN-008'], /^pipeline run 2: /],
  ['EndStampedAtStartHook', 'basic', ['RUN-014'], /^1 of 1: \S+ end_time \d{13}, a value stamped \d+ ms later$/],
  // Seen only when a hook, not a node, stops the pipeline.
  ['ErrorOfFailedNodesOnlyHook', 'pipeline-error', ['RUN-006'], /^none$/],
  // Seen only with an error longer than MLflow's tag value limit, as the hook's is.
  ['UnboundedErrorTagHook', 'pipeline-error', ['RUN-015'], /^trackbench\.error: 8000 characters, unmarked$/],
];

describe.runIf(env || process.env.CI === 'true')('plausible bugs of a Python Kedro plugin', () => {
  for (const [hookClass, situation, ids, found] of CAUGHT)
    it(`catches ${hookClass} (${ids.join(', ')})`, async () => {
      const findings = await check(hookClass, situation, ids);
      for (const id of ids) expect(findings[id]!.status, id).toBe('fail');
      expect(findings[ids[0]!]!.found).toMatch(found);
    }, 120_000);

  it('passes a hook that flattens dicts and logs an empty mapping as {} (PAR-010, PAR-011)', async () => {
    const findings = await check('FlattenKeepsEmptyHook', 'basic', ['PAR-010', 'PAR-011']);
    expect(findings['PAR-010']).toMatchObject({ status: 'pass' });
    expect(findings['PAR-011']).toMatchObject({ status: 'pass', found: 'none extra' });
  }, 120_000);

  it('passes the reference hook in two sessions (RUN-008, RUN-014), a long hook error (RUN-006, 015)', async () => {
    const reference = 'trackbench_kedro.reference_hook:ReferenceHook';
    const twice = await check(reference, 'twice', ['RUN-008', 'RUN-014']);
    expect(twice['RUN-008']).toMatchObject({ status: 'pass' });
    expect(twice['RUN-014']).toMatchObject({ status: 'pass', found: '2 runs ended after their values' });
    const error = await check(reference, 'pipeline-error', ['RUN-006', 'RUN-015']);
    expect(error['RUN-006']).toMatchObject({ status: 'pass', found: 'trackbench.error' });
    // Its error is over the tag limit: cut to it, ending in '…'.
    expect(error['RUN-015']).toMatchObject({ status: 'pass', found: 'trackbench.error (8000 characters)' });
  }, 240_000);

  it('passes the reference hook interrupted by SIGINT (RUN-016): its run ends KILLED at exit', async () => {
    const findings = await check('trackbench_kedro.reference_hook:ReferenceHook', 'interrupted', ['RUN-016']);
    expect(findings['RUN-016']).toMatchObject({ status: 'pass', found: 'all ended: conformance KILLED' });
  }, 120_000);

  it('times the reference hook from its pipeline end to its exit (RUN-012), not n/a', async () => {
    const findings = await check('trackbench_kedro.reference_hook:ReferenceHook', 'host-exit', ['RUN-012']);
    expect(findings['RUN-012']).toMatchObject({ status: 'pass' });
    expect(findings['RUN-012']!.found).toMatch(/^all exited \(host-exit: exited after \d+ ms \(code 0\)\)$/);
  }, 120_000);
});
