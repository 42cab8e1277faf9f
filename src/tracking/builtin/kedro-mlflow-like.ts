// The request pattern of kedro-mlflow 2.0.3 as measured (fixtures/kedro-mlflow/requests-2.0.3.json,
// recorded from the real plugin by scripts/record-kedro-mlflow.ts): three experiment lookups, the
// run started and read back, run_params as one batch of tags and the command as one tag; per node a
// re-entry of the run (get, update to RUNNING, get) and one log_param request per parameter; one
// log_metric per metric value (MlflowMetricsHistoryDataset: no get_run); at the end a re-entry
// (get, update) and the final update. It models requests; measure the real plugin as a kedro hook.
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
      // mlflow_config.setup(): get-or-create the experiment, then two more lookups by name.
      const name = experimentName(config, ctx);
      experimentId = await client.getOrCreateExperiment(name);
      await client.getExperimentByName(name);
      await client.getExperimentByName(name);
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
      // read as plain data, as kedro-mlflow reads run_params
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
      const { params, tags } = paramsFromInputs(inputs, config.tracking.params, log.keys);
      for (const p of params) await log.counted('params', 1, () => client.logParam({ run_id: runId, ...p }));
      for (const t of tags) await log.counted('tags', 1, () => client.setTag({ run_id: runId, ...t }));
    },
    async afterDatasetSaved(name, data, node) {
      if (!enabled || !log.runId) return;
      // MlflowMetricsHistoryDataset.save: one log_metric per value.
      if (log.catalog?.kindOf(name) === 'metrics') {
        for (const m of metricsFromOutputs({ [name]: data }, log.catalog))
          await log.counted('metrics', 1, () => client.logMetric({ run_id: log.runId!, ...m }));
        return;
      }
      await log.fileOutput(name, data, node);
    },
    async afterPipelineRun() {
      // Re-entering the run once more before ending it.
      if (enabled && log.runId) {
        await client.getRun(log.runId);
        await client.updateRun({ run_id: log.runId, status: 'RUNNING' });
      }
      await log.end('FINISHED');
    },
    onPipelineError: () => log.end('FAILED'),
  };
}
