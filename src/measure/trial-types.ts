// What crosses between the parent and a trial process, and what a trial yields.
import type { HookRef, Scenario } from '../scenario/types.ts';
import type { ResourceProbes } from './probes.ts';
import type { Produced } from './produced.ts';

export type Variant = { kind: 'without' } | { kind: 'with'; hook: HookRef };

export interface TrialRequest {
  scenario: Scenario;
  variant: Variant;
  trackingUri: string;
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
  /** Label of the hook, or null for the run without any hook. */
  hook: string | null;
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
