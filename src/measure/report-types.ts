// The JSON report (documented by src/report/report.schema.json, validated on write and on read).
import type { MetricName } from './trial-types.ts';
import type { Scenario } from '../scenario/types.ts';

export interface Sample {
  median: number | null;
  samples: (number | null)[];
}

export interface MetricResult {
  unit: 'ms' | 'bytes' | 'calls';
  /** False when the platform cannot measure it; then every figure is null. */
  available: boolean;
  without: Sample;
  with: Sample;
  overhead: {
    /** median(with) / median(without) - 1; null when the baseline is zero. */
    ratio: number | null;
    /** Seeded percentile-bootstrap 95% interval of the ratio, resampling paired rounds. */
    ci95: [number, number] | null;
    /** (median(with) - median(without)) / nodes, in the metric's unit. */
    perNode: number | null;
    /** median(with) - median(without). */
    absolute: number | null;
  };
  /** Tukey-fence outliers (indices into samples): flagged, never dropped. */
  outliers: { without: number[]; with: number[] };
}

export interface HookResult {
  metrics: Record<MetricName, MetricResult>;
  values: {
    produced: Record<string, number>;
    delivered: Record<string, number> | null;
    lost: Record<string, number> | null;
  };
  pipelineErrors: number;
  /** Compared with its own "without" (an external hook's process with tracking off). */
  ownBaseline?: boolean;
  /** What the hook's environment held (kedro hooks): python, kedro, mlflow, kedro-datasets, plugins. */
  versions?: Record<string, string | null>;
}

export interface Report {
  schemaVersion: 1;
  kind: 'trackbench-run';
  trackbenchVersion: string;
  createdAt: string;
  scenario: Scenario;
  environment: { node: string; platform: string; os: string; cpuModel: string; cores: number; memoryBytes: number };
  backend: string;
  /** Backend start to answering /health, when measured (container, real server). */
  backendStartupMs?: number;
  trials: { repetitions: number; warmup: number; order: string; quick: boolean; total: number; durationMs: number };
  nodes: number;
  results: Record<string, HookResult>;
  notes: string[];
}
