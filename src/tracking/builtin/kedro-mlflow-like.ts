// The request pattern of kedro-mlflow 2.0.x as read from its code (its hooks and its metrics
// dataset): setup that resolves the experiment and starts the run, then per node a re-entry of the
// run (get, update to RUNNING, get), one log_param request per parameter, and per metric value a
// get_run plus a log_metric. It models the requests; it is not the real plugin (run that as a command: target).
import type { HookFactoryContext } from '../../pipeline/hooks.ts';
import { experimentName, kedroCommand, metricsFromOutputs, trackingClient, type TrackingHooks } from '../common.ts';
import type { TrackingConfig } from '../config/load-config.ts';
import { paramsFromInputs } from '../params.ts';
import { SyncLogger } from './sync-logging.ts';

/** run_params entries with a value, as kedro-mlflow sets them as tags (one set_tags = one log-batch). */
function runParamTags(runParams: Record<string, unknown>): { key: string; value: string }[] {
  return Object.entries(runParams)
    .filter(
      ([, v]) =>
        v !== undefined &&
        v !== null &&
        v !== '' &&
        v !== false &&
        !(Array.isArray(v) && !v.length) &&
        !(typeof v === 'object' && !Array.isArray(v) && !Object.keys(v).length),
    )
    .map(([key, v]) => ({ key, value: typeof v === 'string' ? v : JSON.stringify(v) }));
}

export function createKedroMlflowLikeHook(config: TrackingConfig, ctx: HookFactoryContext): TrackingHooks {
  const log = new SyncLogger(trackingClient(config, ctx));
  const { client } = log;
  let experimentId = '';
  let enabled = true;
  return {
    stats: () => log.accounting.snapshot(),
    async afterContextCreated() {
      // mlflow_config.setup(): get-or-create the experiment, then set_experiment reads it back.
      experimentId = await client.getOrCreateExperiment(experimentName(config, ctx));
      await client.getExperiment(experimentId);
    },
    afterCatalogCreated(catalog) {
      log.catalog = catalog;
    },
    async beforePipelineRun(runParams, pipeline) {
      enabled = !config.tracking.disable_tracking.pipelines.includes(pipeline.name);
      if (!enabled) return;
      // mlflow.start_run(): create, then the fluent API fetches the active run.
      const runId = await log.startRun(experimentId, config.tracking.run.name ?? pipeline.name);
      await client.getRun(runId);
      const tags = runParamTags(runParams as unknown as Record<string, unknown>);
      await log.counted('tags', tags.length, () => client.logBatch({ run_id: runId, tags }));
      await log.counted('tags', 1, () =>
        client.setTag({ run_id: runId, key: 'kedro_command', value: kedroCommand(pipeline) }),
      );
    },
    async beforeNodeRun(_node, _catalog, inputs) {
      if (!enabled || !log.runId) return;
      const runId = log.runId;
      // Re-entering the run at every node (the per-thread active-run workaround).
      await client.getRun(runId);
      await client.updateRun({ run_id: runId, status: 'RUNNING' });
      await client.getRun(runId);
      const { params, tags } = paramsFromInputs(inputs, config.tracking.params);
      for (const p of params) await log.counted('params', 1, () => client.logParam({ run_id: runId, ...p }));
      for (const t of tags) await log.counted('tags', 1, () => client.setTag({ run_id: runId, ...t }));
    },
    async afterDatasetSaved(name, data, node) {
      if (!enabled || !log.runId) return;
      // MlflowMetricsHistoryDataset.save: per value, get_run then log_metric.
      if (log.catalog?.kindOf(name) === 'metrics') {
        for (const m of metricsFromOutputs({ [name]: data }, log.catalog)) {
          await client.getRun(log.runId);
          await log.counted('metrics', 1, () => client.logMetric({ run_id: log.runId!, ...m }));
        }
        return;
      }
      await log.fileOutput(name, data, node);
    },
    afterPipelineRun: () => log.end('FINISHED'),
    onPipelineError: () => log.end('FAILED'),
  };
}
