// The generated pipeline: plain data, serialisable, identical byte for byte for the same scenario.
import type { Work } from '../scenario/types.ts';

/** What a dataset holds, so hooks know what to log: parameters, metric values, files to upload, models. */
export type DatasetKind = 'data' | 'params' | 'metrics' | 'artifact' | 'model';

export interface DatasetSpec {
  name: string;
  kind: DatasetKind;
  /** memory datasets live in the catalog; file datasets are real files in the run's temp dir. */
  storage: 'memory' | 'file';
}

export interface MetricSeries {
  /** Full MLflow metric key: `<node name>.<metric>`. */
  key: string;
  /** One value per step, steps 0..n-1. */
  values: number[];
}

/** The value a metrics dataset holds: metric key -> its values by step. */
export type MetricsValue = Record<string, { value: number; step: number }[]>;

export interface PipelineNode {
  index: number;
  /** Full Kedro name: `<namespace>.<local name>`, matching `[\w.-]+`. */
  name: string;
  namespace: string | null;
  func: string;
  inputs: string[];
  outputs: string[];
  tags: string[];
  work: Work;
  /** Metric values this node emits through its metrics output. */
  metrics: MetricSeries[];
  artifactBytes: number;
  modelBytes: number;
  fails: boolean;
}

/** YAML's scalars, lists and mappings (the generator makes numbers, strings and mappings; conformance adds the
 * rest). */
export type ParamValue = number | string | boolean | null | ParamValue[] | { [key: string]: ParamValue };
export type ParamTree = { [key: string]: ParamValue };

export interface Pipeline {
  name: string;
  seed: string;
  nodes: PipelineNode[];
  /** [from, to] node indices; from < to always, so index order is a topological order. */
  edges: [number, number][];
  /** Kedro-style parameters tree; node inputs `params:<dotted path>` resolve into it. */
  parameters: ParamTree;
  /** Every node output. Inputs named `params:...` (and `parameters`) are parameter datasets, as in Kedro. */
  datasets: Record<string, DatasetSpec>;
}

export interface PipelineSummary {
  nodes: number;
  edges: number;
  params: number;
  metrics: number;
  artifacts: number;
  models: number;
  depth: number;
  namespaces: number;
}
