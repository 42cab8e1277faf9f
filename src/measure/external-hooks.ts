// Hooks that run in their own process: `command:` hooks and `kind: kedro` hooks (real Kedro in a
// provisioned venv, through the Python helper's runner). Each has its own "without": the same
// process with tracking off, so several of them (two versions of a plugin) share one scenario.
import type { HookRef, Scenario } from '../scenario/types.ts';
import { kedroCommand, kedroRunEnv, provisionKedro } from '../tracking/kedro/environment.ts';
import { commandOf, scenarioDir } from '../tracking/registry.ts';

export interface ExternalHook {
  label: string;
  command: string;
  /** Added to the trial process's environment. */
  env: Record<string, string>;
  timeoutMs: number;
  /** What the hook's environment holds (kedro hooks): plugin, kedro, mlflow, kedro-datasets. */
  versions?: Record<string, string | null>;
}

export function isExternal(ref: HookRef): boolean {
  return ref.kedro !== undefined || commandOf(ref) !== undefined;
}

/** The command and environment of one external hook, provisioning its venv when it is a kedro hook. */
export async function prepareExternalHook(ref: HookRef, scenario: Scenario): Promise<ExternalHook> {
  const timeoutMs = ref.timeoutMs ?? scenario.trials.timeoutMs;
  const spec = ref.kedro;
  if (!spec) return { label: ref.label, command: commandOf(ref) ?? '', env: { ...ref.env }, timeoutMs };
  const environment = await provisionKedro(spec, scenarioDir(scenario.source), ref.label);
  return {
    label: ref.label,
    command: kedroCommand(environment),
    env: kedroRunEnv(spec, ref.env),
    timeoutMs,
    versions: environment.versions,
  };
}

export async function prepareExternalHooks(scenario: Scenario): Promise<Map<string, ExternalHook>> {
  const out = new Map<string, ExternalHook>();
  for (const ref of scenario.hooks.filter(isExternal)) out.set(ref.label, await prepareExternalHook(ref, scenario));
  return out;
}
