// A target trackbench does not host (the Python helper running real Kedro, as `command:` and `kedro:`
// targets do) says when each node ran, which runner ran it and whether a hook changed the data it was handed
// (python/.../witness.py): metric times are held to each node's window, runner tags to the runner and hooks to
// observing, as for in-process targets. Broken hooks from fixtures/conformance/broken_kedro_hooks.py are
// caught; the Python reference hook passes. Runs where the environment is provisioned (CI: npm run
// setup:kedro-mlflow), one `basic` pipeline run a target.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { REQUIREMENTS } from '../src/conformance/requirements/index.ts';
import { injectedPipelineError } from '../src/conformance/scenarios.ts';
import { checkKedroHook, kedroEnvironment } from './helpers/kedro-hook-target.ts';

const env = await kedroEnvironment();
// The requirements that read what the witness says, on the `basic` situation only (one Kedro run each), and the
// one for a pipeline failed by a hook (the witness puts that hook in), on its own situation.
const requirements = [
  ...REQUIREMENTS.filter((r) => ['RUN-020', 'MET-020', 'TAG-012', 'HKS-001', 'HKS-002'].includes(r.id)).map((r) => ({
    ...r,
    scenario: 'basic' as const,
  })),
  ...REQUIREMENTS.filter((r) => r.id === 'RUN-005'),
];

const check = (pythonHook: string) => checkKedroHook(env!, pythonHook, requirements);

describe.runIf(env || process.env.CI === 'true')('a Kedro run in a process of its own, witnessed', () => {
  it('holds the reference hook to each node window and its runner tag to the runner Kedro used', async () => {
    const found = await check('trackbench_kedro.reference_hook:ReferenceHook');
    expect(found['MET-020']).toMatchObject({ status: 'pass' });
    expect(found['RUN-020']).toMatchObject({ status: 'pass' });
    expect(found['TAG-012']).toMatchObject({ status: 'pass' });
    expect(found['TAG-012']!.expected).toContain('runner SequentialRunner');
    expect(found['TAG-012']!.found).not.toContain('unchecked');
    expect(found['HKS-001']).toMatchObject({ status: 'pass', found: 'unchanged' });
    expect(found['HKS-002']).toMatchObject({ status: 'pass', found: 'none overridden' });
    expect(found['RUN-005']).toMatchObject({ status: 'pass', found: 'FAILED' });
  }, 120_000);

  it('catches metric values held and stamped at the pipeline end (MET-020: outside their nodes)', async () => {
    const found = await check('broken_kedro_hooks:LateMetricsHook');
    expect(found['MET-020']).toMatchObject({ status: 'fail' });
    // Not the all-one-millisecond test: the values lie outside the windows the witness reported.
    expect(found['MET-020']!.found).toMatch(/\d+ of \d+ outside/);
    expect(found['TAG-012']).toMatchObject({ status: 'pass' });
  }, 120_000);

  it('catches a runner tag naming a runner other than the one Kedro used (TAG-012)', async () => {
    const found = await check('broken_kedro_hooks:WrongRunnerHook');
    expect(found['TAG-012']).toMatchObject({ status: 'fail' });
    expect(found['TAG-012']!.found).toContain('SequentialRunner ran');
    expect(found['MET-020']).toMatchObject({ status: 'pass' });
  }, 120_000);

  it('catches a hook changing the parameters it is handed, in place (HKS-001)', async () => {
    const found = await check('broken_kedro_hooks:ParamsInPlaceHook');
    expect(found['HKS-001']).toMatchObject({ status: 'fail' });
    expect(found['HKS-001']!.found).toMatch(/changed: input params:\S+ of /);
  }, 120_000);

  it('catches a run ended after its pipeline run, at the process exit (RUN-020)', async () => {
    const found = await check('broken_kedro_hooks:EndedAtExitHook');
    expect(found['RUN-020']).toMatchObject({ status: 'fail' });
    expect(found['RUN-020']!.found).toMatch(/end_time \d+ \(\d+ ms after its pipeline run\)/);
  }, 120_000);

  it('catches a hook handing a node its parameters converted for logging, as input overrides (HKS-002)', async () => {
    const found = await check('broken_kedro_hooks:ParamsOverrideHook');
    expect(found['HKS-002']).toMatchObject({ status: 'fail' });
    expect(found['HKS-002']!.found).toMatch(/overridden: input params:\S+ of /);
    expect(found['HKS-001']).toMatchObject({ status: 'pass' });
  }, 120_000);

  it('catches a run ended FINISHED when a hook fails the pipeline outside any node (RUN-005)', async () => {
    const found = await check('broken_kedro_hooks:FinishedOnPipelineErrorHook');
    expect(found['RUN-005']).toMatchObject({ status: 'fail', found: 'FINISHED' });
    expect(found['HKS-002']).toMatchObject({ status: 'pass' });
  }, 120_000);

  it('raises, as the pipeline-error situation, the very error trackbench raises in process', () => {
    // RUN-006 and RUN-015 judge what a hook recorded against trackbench's text: the two must not drift apart.
    const node = 'ns_1.node_5';
    const script = [
      'import sys',
      'from trackbench_kedro.witness import injected_pipeline_error as e',
      'print(e(sys.argv[1]))',
    ];
    const python = execFileSync(env!.python, ['-c', script.join('\n'), node], { encoding: 'utf8' }).replace(/\n$/, '');
    expect(python.length).toBeGreaterThan(8000);
    expect(python).toBe(injectedPipelineError(node));
  });
});
