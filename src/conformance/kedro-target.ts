// `kedro:<scenario.yaml>[#label]`: a scenario's `kind: kedro` hook as a conformance target. Its
// environment is provisioned like a measured one; the generated Kedro project runs each situation
// with the plugin on. What the generated project cannot exercise for the target is not applicable,
// with the reason; the scenario's `waive` comes with it.
import { InputError } from '../errors.ts';
import { loadScenarioFile } from '../scenario/load.ts';
import { kedroCommand, kedroRunEnv, provisionKedro, type KedroEnvironment } from '../tracking/kedro/environment.ts';
import { scenarioDir } from '../tracking/registry.ts';
import { commandTarget, type Target } from './targets.ts';

const major = (v: string | null | undefined): number => Number((v ?? '0').split('.')[0]);

/** What the generated project cannot show about this environment's plugin, by requirement. */
export function kedroNotApplicable(env: KedroEnvironment, pluginOn: boolean): Record<string, string> {
  const out: Record<string, string> = {
    'MOD-003':
      "the generated project's models are real Python models, stored pickled or in an MLflow flavour (MLmodel, " +
      "python_model.pkl), not as the node's raw bytes",
  };
  if (pluginOn && env.versions['kedro-mlflow'] && major(env.versions.mlflow) >= 3) {
    const why =
      "kedro-mlflow on MLflow 3 logs models through MLflow 3's logged-models API, which trackbench's mock " +
      'does not serve; the project keeps its models local here (check models against a real server)';
    out['MOD-001'] = why;
    out['MOD-002'] = why;
  }
  return out;
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
  const pluginOn = Boolean(ref.kedro!.plugin);
  return {
    id: `kedro:${ref.label}`,
    inProcess: false,
    timeoutMs: (ref.timeoutMs ?? 120_000) + 5_000,
    waive: scenario.waive,
    notApplicable: () => (environment ? kedroNotApplicable(environment, pluginOn) : {}),
    versions: () => environment?.versions,
    async run(situation, ctx) {
      if (!inner) {
        environment = await provisionKedro(ref.kedro!, scenarioDir(scenario.source), ref.label);
        const env = kedroRunEnv(ref.kedro!, {
          // Models stay local where the mock cannot take them (see kedroNotApplicable).
          ...(kedroNotApplicable(environment, pluginOn)['MOD-001'] ? { TRACKBENCH_KEDRO_PLUGIN_MODELS: 'off' } : {}),
          ...ref.env,
        });
        inner = commandTarget(`kedro:${ref.label}`, kedroCommand(environment), ref.timeoutMs, env);
      }
      return inner.run(situation, ctx);
    },
  };
}
