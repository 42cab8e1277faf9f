// The JSON report (documented by src/report/report.schema.json, validated on write and on read).
import type { Environment } from './environment.ts';
import type { Instrument } from './instrument.ts';
import type { MetricName, ValueCounts } from './trial-types.ts';
import type { Scenario } from '../scenario/types.ts';

export interface Sample {
  median: number;
  /** Paired by round with the other side's samples. */
  samples: number[];
}

interface MetricBase {
  unit: 'ms' | 'bytes' | 'calls' | 'instructions';
}

/** A figure measured in every paired round. */
export interface MeasuredMetric extends MetricBase {
  available: true;
  without: Sample;
  with: Sample;
  overhead: {
    /** median(with) / median(without) - 1; null when the baseline is zero. */
    ratio: number | null;
    /** Seeded percentile-bootstrap 95% interval of the ratio, resampling paired rounds. */
    ci95: [number, number] | null;
    /** (median(with) - median(without)) / nodes, in the metric's unit. */
    perNode: number;
    /** median(with) - median(without). */
    absolute: number;
  };
  /** Tukey-fence outliers (indices into samples): flagged, never dropped. */
  outliers: { without: number[]; with: number[] };
}

/** A figure this platform, backend or run could not give; never a zero. */
export interface UnavailableMetric extends MetricBase {
  available: false;
  reason: string;
}

export type MetricResult = MeasuredMetric | UnavailableMetric;

/** Values produced per run (median trial) against what reached the tracking server. */
export type HookValues =
  | { available: true; produced: ValueCounts; delivered: ValueCounts; lost: ValueCounts }
  | { available: false; produced: ValueCounts; reason: string };

export interface HookResult {
  /** allocatorInstructions is absent from reports written before it was counted apart. */
  metrics: Record<Exclude<MetricName, 'allocatorInstructions'>, MetricResult> & {
    allocatorInstructions?: MetricResult;
  };
  /** False for instruments (calibration, noop, recorder): their values are not checked. */
  logsValues: boolean;
  values: HookValues;
  /** Trials whose pipeline raised as the scenario asked (failAt). */
  pipelineErrors: number;
  /** Compared with its own "without" (an external hook's process with tracking off). */
  ownBaseline?: boolean;
  /** What the hook's environment held (kedro hooks): python, kedro, mlflow, kedro-datasets, plugins. */
  versions?: Record<string, string | null>;
}

/**
 * A hook's figure. Reports written before the run's allocator instructions were counted apart lack
 * allocatorInstructions (the only figure that can be missing): it reads unavailable, saying why.
 */
export function metricOf(result: Pick<HookResult, 'metrics'>, name: MetricName): MetricResult {
  return (
    result.metrics[name] ?? {
      unit: 'instructions',
      available: false,
      reason: 'not in this report (written by an earlier trackbench)',
    }
  );
}

/**
 * Whether a hook's result counts the run's allocator instructions apart from `instructions`; reports of an
 * earlier trackbench counted them in (and have no allocatorInstructions).
 */
export function countsAllocatorApart(result: Pick<HookResult, 'metrics'> | undefined): boolean {
  return result?.metrics.allocatorInstructions !== undefined;
}

/** A trial that failed (kept only with --allow-failures): never part of a figure. */
export interface TrialFailure {
  /** The hook's label, or null for a trial without any hook. */
  hook: string | null;
  round: number;
  warmup: boolean;
  error: string;
}

export interface Report {
  schemaVersion: 2;
  kind: 'trackbench-run';
  trackbenchVersion: string;
  createdAt: string;
  scenario: Scenario;
  environment: Environment;
  backend: string;
  /** Backend start to answering /health, when measured (container, real server). */
  backendStartupMs?: number;
  trials: {
    repetitions: number;
    warmup: number;
    order: string;
    quick: boolean;
    /**
     * The options of `run` that change the figures besides --quick (absent from reports of an earlier
     * trackbench): --instrument (null without), --allow-failures, and the hooks --hook named instead of the
     * scenario's, as given (null without).
     */
    instrument?: Instrument | null;
    allowFailures?: boolean;
    selectedHooks?: string[] | null;
    total: number;
    durationMs: number;
  };
  nodes: number;
  results: Record<string, HookResult>;
  /** Failed trials (only with --allow-failures; the gate fails on any). */
  failures: TrialFailure[];
  notes: string[];
}
