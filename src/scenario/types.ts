// The validated scenario, every default filled in. Mirrors scenarios/scenario.schema.json,
// which is the published contract; keep the two in step.
import type { BackendSpec } from '../backends/types.ts';

export type TopologyKind = 'chain' | 'fan' | 'layered' | 'random';

export interface Topology {
  kind: TopologyKind;
  width: number;
  fanIn: number;
  edgeProbability: number;
}

export interface NamespaceSpec {
  count: number;
  depth: number;
  names?: string[];
}

export interface ParamSpec {
  count: number;
  kinds: { number: number; string: number; dict: number };
  stringLength: number;
  dictKeys: number;
  dictDepth: number;
}

export interface Work {
  cpuMs: number;
  ioBytes: number;
  allocBytes: number;
  sleepMs: number;
}

export interface PipelineSpec {
  name: string;
  nodes: number;
  seed: number | string;
  topology: Topology;
  namespaces: NamespaceSpec;
  paramsPerNode: ParamSpec;
  metricsPerNode: number;
  metricSteps: number;
  artifactsPerNode: { count: number; bytes: number };
  modelNodes: { count: number; indices?: number[]; modelsPerNode: number; bytes: number };
  work: Work;
  failAt: number | string | null;
}

/** A real Kedro plugin (or Python hook) measured in real Kedro, in a venv trackbench provisions. */
export interface KedroHookSpec {
  /** The plugin: a pip requirement, or a local folder (resolved from the scenario's folder). */
  plugin?: string;
  /** A Python hook for settings.HOOKS, `module:attribute`. */
  hook?: string;
  /** Kedro's version, installed as kedro==<version>. */
  kedro: string;
  packages: string[];
  /** mlflow.yml keys for the generated project. */
  mlflow?: Record<string, unknown>;
}

export interface HookRef {
  /** A built-in hook name, `module:<path>`, `command:<shell command>` or `kedro:<plugin or hook>`. */
  name: string;
  /** Shown in reports. */
  label: string;
  options: Record<string, unknown>;
  /** Set for `kind: kedro` hooks. */
  kedro?: KedroHookSpec;
  /** Environment variables for this hook's trial processes (command and kedro hooks). */
  env?: Record<string, string>;
  /** This hook's trial time limit (command and kedro hooks); default trials.timeoutMs. */
  timeoutMs?: number;
}

export type { BackendKind, BackendSpec } from '../backends/types.ts';

export interface TrialSpec {
  repetitions: number;
  warmup: number;
  quickRepetitions: number;
  order: 'abba' | 'random';
  seed: number;
  timeoutMs: number;
  adaptive?: { targetCiWidth: number; maxSeconds: number; maxRounds: number };
}

export interface RunnerSpec {
  kind: 'sequential' | 'parallel';
  concurrency: number;
}

export type BudgetMetric =
  'wallMs' | 'cpuMs' | 'peakRssBytes' | 'diskWriteBytes' | 'writeBytes' | 'apiCalls' | 'requestBytes';

export interface Budget {
  max?: number;
  overhead?: number;
  overheadAbsolute?: number;
  overheadBytes?: number;
  perNode?: number;
}

export interface Scenario {
  name: string;
  description?: string;
  /** Where the scenario came from (a path, or `<inline>`); relative paths in it resolve from its folder. */
  source: string;
  pipeline: PipelineSpec;
  hooks: HookRef[];
  backend: BackendSpec;
  trials: TrialSpec;
  runner: RunnerSpec;
  budgets: Partial<Record<BudgetMetric, Budget>>;
  regression: {
    alpha: number;
    noise: number;
    instructionNoise: number;
    failInconclusive: boolean;
    expectLoss: boolean;
  };
  /** Conformance waivers (IDs or patterns) for this scenario's hooks as targets. */
  waive?: string[];
}
