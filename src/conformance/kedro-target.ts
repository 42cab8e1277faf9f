// `kedro:<scenario.yaml>[#label]`: a scenario's `kind: kedro` hook as a conformance target. Its
// environment is provisioned like a measured one; the generated Kedro project runs each situation
// with the plugin on. What the generated project cannot exercise for the target is not applicable,
// with the reason; the scenario's `waive` comes with it.
import { InputError } from '../errors.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { kedroCommand, kedroRunEnv, provisionKedro, type KedroEnvironment } from '../tracking/kedro/environment.ts';
import { scenarioDir } from '../tracking/registry.ts';
import { commandTarget, paramsConfigOf, type Target } from './targets.ts';
import type { ParamsConfig } from './types.ts';

/** What the generated project cannot show about this environment's plugin, by requirement. The mock
 * serves MLflow 3's logged models and MLflow 2's log-model, so models are checked on every MLflow. */
export function kedroNotApplicable(): Record<string, string> {
  const why =
    "the generated project's models are real Python models, stored pickled or in an MLflow flavour (MLmodel, " +
    "python_model.pkl), not as the node's raw bytes";
  return { 'MOD-003': why, 'MOD-010': `${why} (MOD-001 and MOD-002 check their versions and runs)` };
}

/**
 * The parameter settings a hook's `mlflow:` keys give (kedro-mlflow reads them from the generated mlflow.yml): the
 * target is held to them. Undefined when they set none: a plugin may then follow any of kedro-mlflow's settings.
 */
export function configuredParams(mlflow: Record<string, unknown> | undefined): ParamsConfig | undefined {
  const tracking = mlflow?.tracking;
  const given = typeof tracking === 'object' && tracking !== null && 'params' in tracking;
  return given ? paramsConfigOf({ mlflow }) : undefined;
}

export function kedroTarget(spec: string): Target {
  const [file, label] = spec.split('#') as [string, string | undefined];
  const { scenario } = loadScenarioFile(file);
  const hooks = scenario.hooks.filter((h) => h.kedro && (label === undefined || h.label === label));
  const ref = hooks[0];
  if (!ref)
    throw InputError.flag(
      '--target',
      `kedro:${spec}: no kind: kedro hook${label ? ` labelled "${label}"` : ''} in ${file}` +
        ` (its kedro hooks: ${
          scenario.hooks
            .filter((h) => h.kedro)
            .map((h) => h.label)
            .join(', ') || 'none'
        })`,
    );
  let environment: KedroEnvironment | undefined;
  let inner: Target | undefined;
  const prepare = async (): Promise<Target> => {
    if (!inner) {
      environment = await provisionKedro(ref.kedro!, scenarioDir(scenario.source), ref.label);
      const env = kedroRunEnv(ref.kedro!, { ...ref.env });
      inner = commandTarget(`kedro:${ref.label}`, kedroCommand(environment), ref.timeoutMs, env);
    }
    return inner;
  };
  return {
    id: `kedro:${ref.label}`,
    inProcess: false,
    injectsHookErrors: true,
    timeoutMs: (ref.timeoutMs ?? 120_000) + 5_000,
    waive: scenario.waive,
    modelsInOwnFormat: true,
    paramsConfig: configuredParams(ref.kedro?.mlflow),
    notApplicable: () => (environment ? kedroNotApplicable() : {}),
    versions: () => environment?.versions,
    // Provisioned before any situation: a requirement set that cannot be installed or whose plugin cannot load is
    // said once, as bad input (exit 2), not as every situation's failure.
    async load() {
      await prepare();
    },
    async run(situation, ctx) {
      return (await prepare()).run(situation, ctx);
    },
  };
}
