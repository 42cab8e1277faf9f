// A Python Kedro hook (`module:Class`) as a conformance target: the Python helper runs the generated Kedro
// project with it, in the python reference's provisioned environment (fixtures/conformance on PYTHONPATH), as
// a `command:` target whose runner puts in the pipeline-error situation's failing hook, as `kedro:` targets do.
import { resolve } from 'node:path';
import { expect } from 'vitest';
import { kedroNotApplicable } from '../../src/conformance/kedro-target.ts';
import { runSuite } from '../../src/conformance/suite.ts';
import { commandTarget } from '../../src/conformance/targets.ts';
import type { Requirement, TargetResult } from '../../src/conformance/types.ts';
import { loadScenarioFile } from '../../src/scenario/load.ts';
import { kedroCommand, kedroRunEnv, provisionKedro } from '../../src/tracking/kedro/environment.ts';

const hook = loadScenarioFile('scenarios/kedro-mlflow-versions.yaml').scenario.hooks.find(
  (h) => h.label === 'python reference',
)!;

export type KedroEnvironment = Awaited<ReturnType<typeof provisionKedro>>;

/** The python reference's environment, when provisioned (CI: npm run setup:kedro-mlflow). */
export async function kedroEnvironment(): Promise<KedroEnvironment | undefined> {
  try {
    return await provisionKedro(hook.kedro!, 'scenarios', hook.label, { checkOnly: true });
  } catch {
    return undefined;
  }
}

export type Findings = Record<string, TargetResult['results'][number]['finding']>;

/** Each requirement's finding for the hook; `asKedro` also judges models as `kedro:` targets do. */
export async function checkKedroHook(
  env: KedroEnvironment,
  pythonHook: string,
  requirements: Requirement[],
  asKedro = false,
): Promise<Findings> {
  const target = {
    ...commandTarget(
      `command:${pythonHook}`,
      kedroCommand(env),
      60_000,
      kedroRunEnv({ ...hook.kedro!, hook: pythonHook }, { ...hook.env, PYTHONPATH: resolve('fixtures/conformance') }),
    ),
    injectsHookErrors: true, // as kedro: targets: the command is trackbench_kedro's runner
    ...(asKedro ? { modelsInOwnFormat: true, notApplicable: kedroNotApplicable } : {}),
  };
  const result = await runSuite(target, { requirements });
  expect(result.errors).toEqual([]);
  return Object.fromEntries(result.results.map((r) => [r.id, r.finding]));
}
