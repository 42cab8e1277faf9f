// What the tracking hooks share: a client for the right server, the run's tags, node identity,
// metric values from a node's outputs, and what each file output is.
import { EnvironmentError } from '../errors.ts';
import { credentialsFromEnv } from '../mlflow/auth.ts';
import { MlflowClient } from '../mlflow/client.ts';
import { pythonLength, pythonSlice } from '../mlflow/limits.ts';
import type { KeyValue, Metric } from '../mlflow/wire.ts';
import type { DataCatalog } from '../pipeline/catalog.ts';
import type { HookFactoryContext, Hooks, RunParams } from '../pipeline/hooks.ts';
import type { MetricsValue, Pipeline, PipelineNode } from '../pipeline/types.ts';
import { VERSION } from '../version.ts';
import type { TrackingConfig } from './config/load-config.ts';
import type { DeliveryStats } from './delivery/accounting.ts';

/** A hook that logs to MLflow and can say what it delivered. */
export interface TrackingHooks extends Hooks {
  stats(): DeliveryStats;
}

/** The harness's URI wins, then the config's, then MLFLOW_TRACKING_URI. */
export function trackingClient(
  config: TrackingConfig,
  ctx: HookFactoryContext,
  env: NodeJS.ProcessEnv = process.env,
): MlflowClient {
  const uri = ctx.trackingUri ?? config.server.mlflow_tracking_uri ?? env.MLFLOW_TRACKING_URI;
  if (!uri)
    throw new EnvironmentError('no tracking URI: set server.mlflow_tracking_uri in mlflow.yml or MLFLOW_TRACKING_URI');
  return new MlflowClient({ trackingUri: uri, credentials: credentialsFromEnv(env), retry: config.trackbench.retry });
}

export function experimentName(config: TrackingConfig, ctx: HookFactoryContext): string {
  return config.tracking.experiment.name ?? ctx.scenarioName;
}

export function kedroCommand(pipeline: Pipeline): string {
  return pipeline.name === '__default__' ? 'kedro run' : `kedro run --pipeline=${pipeline.name}`;
}

/** Tags every tracked run carries: what ran, how, with what. */
export function runTags(pipeline: Pipeline, runParams: RunParams, hook: string): KeyValue[] {
  return [
    { key: 'kedro.pipeline_name', value: pipeline.name },
    { key: 'kedro_command', value: kedroCommand(pipeline) },
    { key: 'kedro.runner', value: runParams.runner },
    { key: 'trackbench.node_count', value: String(pipeline.nodes.length) },
    { key: 'trackbench.version', value: VERSION },
    { key: 'trackbench.hook', value: hook },
  ];
}

/** One tag naming a node on its pipeline's run: `kedro.node.<name>` = its namespace. */
export function nodeTag(node: PipelineNode): KeyValue {
  return { key: `kedro.node.${node.name}`, value: node.namespace ?? '' };
}

export function nodeRunTags(node: PipelineNode): KeyValue[] {
  return [
    { key: 'kedro.node_name', value: node.name },
    { key: 'kedro.namespace', value: node.namespace ?? '' },
  ];
}

/** Every metric value among a node's outputs (datasets of kind `metrics`), stamped now. */
export function metricsFromOutputs(outputs: Record<string, unknown>, catalog: DataCatalog, now = Date.now()): Metric[] {
  const out: Metric[] = [];
  // Object.entries, not for-in or Object.keys: an output object and a metrics value have a shape of
  // the node's own (its dataset and metric names), and V8 keeps an enum cache per shape enumerated
  // those ways for the whole run (with the params' inputs, 0.7 MB at 5000 nodes). Entries keep none.
  // Indexed, not destructured: a trial's code runs mostly unoptimised, where destructuring is slow.
  const datasets = Object.entries(outputs);
  for (let i = 0; i < datasets.length; i++) {
    const dataset = datasets[i]!;
    if (catalog.kindOf(dataset[0]) !== 'metrics') continue;
    // a metrics dataset holds values by key and step (catalog kind)
    const series = Object.entries(dataset[1] as MetricsValue);
    for (let j = 0; j < series.length; j++) {
      const key = series[j]![0];
      for (const v of series[j]![1]) out.push({ key, value: v.value, timestamp: now, step: v.step });
    }
  }
  return out;
}

export function asBytes(data: unknown): Buffer {
  return Buffer.isBuffer(data) ? data : Buffer.from(JSON.stringify(data));
}

/** The registered-model name for a model dataset: MLflow's name rules, from the dataset name. */
export function registeredModelName(datasetName: string): string {
  return datasetName.replace(/[^\w.-]/g, '_');
}

/**
 * `text` cut to at most `max` characters as MLflow counts them (code points), an ellipsis last when cut. Never half
 * an emoji: a lone surrogate is no UTF-8, and a server that stores the value refuses the whole batch with it.
 */
export function truncate(text: string, max: number): string {
  return pythonLength(text) <= max ? text : `${pythonSlice(text, max - 1)}…`;
}
