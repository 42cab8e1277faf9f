// What crosses between the parent and a trial process, and what a trial yields.
import type { Diagnostic } from '../errors.ts';
import type { HookRef, Scenario } from '../scenario/types.ts';
import type { ExternalHook } from './external-hooks.ts';
import type { ResourceProbes } from './probes.ts';
import type { Produced } from './produced.ts';

/** "without" of an external hook (`of` its label) is that hook's process with tracking off. */
export type Variant = { kind: 'without'; of?: string } | { kind: 'with'; hook: HookRef };

export interface TrialRequest {
  scenario: Scenario;
  variant: Variant;
  trackingUri: string;
  /** The run's own temp folder (TMPDIR of the trial): removed by the parent whatever the trial left. */
  tempDir?: string;
  /** The valgrind executable, when trials are counted by the instruction-count instrument. */
  valgrind?: string;
  /** Set when the trial is an external hook's process (with tracking on or off). */
  external?: ExternalHook;
}

/** A trial that ran to its end (its pipeline may still have raised) or one that could not. */
export type TrialReply =
  | {
      ok: true;
      probes: ResourceProbes;
      produced: Produced;
      /** A Node trial's digest of the data its pipeline saved (produced.ts); none from an external command. */
      dataDigest?: number;
      pipelineError?: string;
      /** An external command's exit code, when it was not 0. */
      exitCode?: number;
      /** The last lines the trial process printed (kept for failure messages). */
      outputTail?: string;
      /** What a hook left keeping the process alive when the run ended (a Node trial's active resources). */
      pendingWork?: string[];
      /** Why a figure this trial should have had is null (a command that marks no phases). */
      unavailable?: Partial<Record<MetricName, string>>;
    }
  | {
      ok: false;
      error: string;
      outputTail?: string;
      /** The trial's input was bad (a hook module that cannot be loaded): the run stops with exit 2. */
      badInput?: Diagnostic[];
    };

export const METRICS = [
  'wallMs',
  'cpuMs',
  'peakRssBytes',
  'diskWriteBytes',
  'writeBytes',
  'apiCalls',
  'requestBytes',
  'retainedBytes',
  'startupMs',
  'instructions',
  'allocatorInstructions',
  'setupInstructions',
] as const;
/** Figures counted under Valgrind (--instrument cpu-sim) only. */
export const COUNTED_METRICS: ReadonlySet<MetricName> = new Set([
  'instructions',
  'allocatorInstructions',
  'setupInstructions',
]);
export type MetricName = (typeof METRICS)[number];

/** The values a pipeline produces that a tracking hook should log, by kind. */
export interface ValueCounts {
  params: number;
  metrics: number;
  artifacts: number;
  models: number;
}
export const VALUE_KINDS = ['params', 'metrics', 'artifacts', 'models'] as const;

/** What reached the tracking server in one trial, read back from it; or why it could not be read. */
export type ServerValues =
  { available: true; delivered: ValueCounts; lost: ValueCounts } | { available: false; reason: string };

export interface TrialResult {
  /** Label of the hook, or null for a run without any hook. */
  hook: string | null;
  /** For a run without: the external hook whose own baseline it is (its process, tracking off). */
  baselineOf?: string;
  round: number;
  warmup: boolean;
  /** Position in the whole schedule. */
  seq: number;
  probes: Record<MetricName, number | null>;
  produced: Produced;
  /** "with" trials only. */
  values?: ServerValues;
  pipelineError?: string;
  /** Set when the trial failed (with --allow-failures; otherwise the run stops). */
  failure?: string;
}

/** The "without" trials a hook is compared with: its own (an external hook's), else the shared ones. */
export function baselineFor(trials: TrialResult[], label: string): TrialResult[] {
  const own = trials.filter((t) => t.hook === null && t.baselineOf === label);
  return own.length ? own : trials.filter((t) => t.hook === null && t.baselineOf === undefined);
}
