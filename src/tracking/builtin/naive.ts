// The article's "manual MLflow integration": hand-written log calls, one synchronous request per
// parameter, metric value and tag. A model of that design, not anyone's real code.
import type { HookFactoryContext } from '../../pipeline/hooks.ts';
import { experimentName, metricsFromOutputs, nodeTag, runTags, trackingClient, type TrackingHooks } from '../common.ts';
import type { TrackingConfig } from '../config/load-config.ts';
import { paramsFromInputs } from '../params.ts';
import { SyncLogger } from './sync-logging.ts';

export function createNaiveHook(config: TrackingConfig, ctx: HookFactoryContext): TrackingHooks {
  const log = new SyncLogger(trackingClient(config, ctx));
  const { client } = log;
  let experimentId = '';
  return {
    stats: () => log.accounting.snapshot(),
    async afterContextCreated() {
      experimentId = await client.getOrCreateExperiment(experimentName(config, ctx));
    },
    afterCatalogCreated(catalog) {
      log.catalog = catalog;
    },
    async beforePipelineRun(runParams, pipeline) {
      const runId = await log.startRun(experimentId, config.tracking.run.name ?? pipeline.name);
      for (const tag of runTags(pipeline, runParams, 'naive'))
        await log.counted('tags', 1, () => client.setTag({ run_id: runId, ...tag }));
    },
    async beforeNodeRun(node, _catalog, inputs) {
      // the run was created in beforePipelineRun; node hooks run after it
      const runId = log.runId!;
      const { params, tags } = paramsFromInputs(inputs, config.tracking.params, log.keys);
      for (const tag of [nodeTag(node), ...tags])
        await log.counted('tags', 1, () => client.setTag({ run_id: runId, ...tag }));
      for (const p of params) await log.counted('params', 1, () => client.logParam({ run_id: runId, ...p }));
    },
    async afterNodeRun(_node, catalog, _inputs, outputs) {
      for (const m of metricsFromOutputs(outputs, catalog))
        // the run was created in beforePipelineRun
        await log.counted('metrics', 1, () => client.logMetric({ run_id: log.runId!, ...m }));
    },
    afterDatasetSaved: (name, data, node) => log.fileOutput(name, data, node),
    afterPipelineRun: () => log.end('FINISHED'),
    async onPipelineError(error) {
      if (log.runId)
        await log.counted('tags', 1, () =>
          // the run was created in beforePipelineRun
          client.setTag({ run_id: log.runId!, key: 'error', value: client.redact(error.message).slice(0, 8000) }),
        );
      await log.end('FAILED');
    },
  };
}
