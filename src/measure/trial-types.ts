// What crosses between the parent and a trial process, and what a trial yields.
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
  /** Set when the trial is an external hook's process (with tracking on or off). */
  external?: ExternalHook;
}

export interface TrialReply {
  ok: boolean;
  probes?: ResourceProbes;
  produced?: Produced;
  /** What the hook says it delivered and lost (tracking hooks only). */
  delivered?: Record<string, number>;
  lost?: Record<string, number>;
  pipelineError?: string;
  error?: string;
}

export const METRICS = [
  'wallMs',
  'cpuMs',
  'peakRssBytes',
  'diskWriteBytes',
  'writeBytes',
  'apiCalls',
  'requestBytes',
] as const;
export type MetricName = (typeof METRICS)[number];

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
  delivered?: Record<string, number>;
  lost?: Record<string, number>;
  pipelineError?: string;
}

/** The "without" trials a hook is compared with: its own (an external hook's), else the shared ones. */
export function baselineFor(trials: TrialResult[], label: string): TrialResult[] {
  const own = trials.filter((t) => t.hook === null && t.baselineOf === label);
  return own.length ? own : trials.filter((t) => t.hook === null && t.baselineOf === undefined);
}
