// The reference tracking hook: everything the seed article's plugin promises, at the least cost a
// hook can have. One run per pipeline run (or a child run per node), every parameter, metric value,
// artifact and model, batched to MLflow's limits and sent off the node's critical path; when the
// server is gone, the pipeline still completes and what was not delivered is written to a file.
import type { MlflowClient } from '../../mlflow/client.ts';
import { LIMITS } from '../../mlflow/limits.ts';
import type { DataCatalog } from '../../pipeline/catalog.ts';
import type { HookFactoryContext, RunParams } from '../../pipeline/hooks.ts';
import type { DatasetKind, PipelineNode } from '../../pipeline/types.ts';
import type { KeyValue } from '../../mlflow/wire.ts';
import {
  asBytes,
  experimentName,
  metricsFromOutputs,
  nodeRunTags,
  nodeTag,
  registeredModelName,
  runTags,
  trackingClient,
  truncate,
  type TrackingHooks,
} from '../common.ts';
import type { TrackingConfig } from '../config/load-config.ts';
import { Accounting } from '../delivery/accounting.ts';
import { Outbox, type RunRef } from '../delivery/outbox.ts';
import { lossMessages } from '../delivery/report-loss.ts';
import { SpillWriter } from '../delivery/spill.ts';
import { KeyMap } from '../keys.ts';
import { ParamCapture } from '../param-capture.ts';
import { paramsFromInputs } from '../params.ts';

export interface ReferenceHooks extends TrackingHooks {
  /** For tests: the most values ever waiting in the queue at once. */
  readonly maxQueued: number;
}

export function createReferenceHook(
  config: TrackingConfig,
  ctx: HookFactoryContext,
  // Asynchronous delivery: the circuit breaker is the retry layer (it probes across an outage, in order);
  // a client that also retried would hold every probe for its whole backoff and overrun the end-of-run
  // drain. Synchronous delivery fails fast between probes, so there the client's own retries stay.
  client: MlflowClient = trackingClient(
    config.trackbench.async
      ? { ...config, trackbench: { ...config.trackbench, retry: { ...config.trackbench.retry, maxRetries: 0 } } }
      : config,
    ctx,
  ),
): ReferenceHooks {
  const tb = config.trackbench;
  const accounting = new Accounting();
  const keys = new KeyMap();
  accounting.renamedKeys = keys.renames;
  const spill = new SpillWriter(tb.spillDir ?? undefined);
  const outbox = new Outbox(
    client,
    {
      batching: tb.batching,
      async: tb.async,
      queueBound: tb.queueBound,
      flushIntervalMs: tb.flushIntervalMs,
      flush: tb.flush,
      parallelRuns: tb.parallelRuns,
      ...tb.outage,
    },
    accounting,
    spill,
  );
  const expName = experimentName(config, ctx);
  let experimentId: Promise<string> | undefined;
  // Resolved on the delivery queue (through the breaker), so a server that is down at the start
  // neither holds the pipeline nor loses the run: it is created once the server is back.
  const resolveExperiment = (): Promise<string> => {
    experimentId ??= client.getOrCreateExperiment(expName);
    experimentId.catch(() => (experimentId = undefined));
    return experimentId;
  };
  let enabled = true;
  let parent: RunRef | undefined;
  const children = new Map<string, RunRef>();
  let failedNode: string | undefined;
  let catalog: DataCatalog | undefined;
  // Pipeline runs this hook object has seen: each run's records go under keys of its own in the spill file (Kedro
  // serves every session of a process with the same hooks), so replay never merges two runs into one.
  let pipelineRuns = 0;

  // node hooks run after beforePipelineRun made the parent run
  const target = (node: PipelineNode): RunRef => children.get(node.name) ?? parent!;
  // Asynchronous delivery to one run, params unflattened: beforeNodeRun only notes the params, and
  // they are made and queued with the next node's end (param-capture.ts); otherwise they are made and
  // queued at once (synchronous delivery sends them before the node runs).
  const capture =
    tb.async && !tb.childRunPerNode && !config.tracking.params.dict_params.flatten
      ? new ParamCapture(keys, config.tracking.params.long_params_strategy)
      : undefined;

  /** Queues a node's tags, then its params, on `run`; a promise when the caller has to wait. */
  const queueParams = (run: RunRef, tags: KeyValue[], params: KeyValue[]): Promise<void> | undefined => {
    const tagged = outbox.add(run, 'tags', tags);
    return tagged ? tagged.then(() => outbox.add(run, 'params', params)) : outbox.add(run, 'params', params);
  };

  /** Queues the params noted since the last call, on the pipeline's run. */
  function queueNoted(): Promise<void> | undefined {
    if (!capture?.pending) return undefined;
    const params: KeyValue[] = [];
    const tags: KeyValue[] = [];
    capture.take(params, tags);
    return queueParams(parent!, tags, params);
  }

  async function finish(status: 'FINISHED' | 'FAILED'): Promise<void> {
    if (!parent) return;
    for (const child of children.values()) await outbox.endRun(child, status);
    children.clear();
    await outbox.endRun(parent, status);
    await outbox.close();
    client.close();
    parent = undefined;
    for (const msg of lossMessages(accounting.snapshot(), 'reference')) {
      accounting.warnings.push(msg);
      ctx.warn(client.redact(msg));
    }
  }

  async function startChild(node: PipelineNode, tags: KeyValue[], params: KeyValue[]): Promise<void> {
    const child: RunRef = {
      key: `${parent!.key}/${node.name}`,
      experimentName: expName,
      runName: node.name,
      tags: [...nodeRunTags(node), ...tags],
      parent,
    };
    children.set(node.name, child);
    await outbox.createRun(child, resolveExperiment);
    await outbox.add(child, 'params', params);
  }

  async function saved(
    datasetName: string,
    kind: DatasetKind | undefined,
    data: unknown,
    node: PipelineNode,
  ): Promise<void> {
    const run = target(node);
    if (kind === 'artifact')
      await outbox.addArtifact(run, `${node.name}/${datasetName.slice(node.name.length + 1)}`, asBytes(data));
    else if (kind === 'model')
      await outbox.addModel(run, registeredModelName(datasetName), `models/${datasetName}`, asBytes(data));
    if (tb.childRunPerNode && node.outputs[node.outputs.length - 1] === datasetName) {
      // The node is done once its outputs are saved: end its child run.
      const child = children.get(node.name);
      if (child) {
        children.delete(node.name);
        await outbox.endRun(child, 'FINISHED');
      }
    }
  }

  return {
    get maxQueued() {
      return outbox.maxQueued;
    },
    stats: () => accounting.snapshot(),

    async beforePipelineRun(runParams: RunParams, pipeline) {
      // The experiment is looked up again for each pipeline run: the same hooks serve every session of a
      // process (Kedro), and the experiment may have gone or changed in between.
      experimentId = undefined;
      // A run whose end never came (another hook's beforePipelineRun raised after this one's: the runner then calls
      // neither end hook, as Kedro) is ended as failed, not left RUNNING.
      await finish('FAILED');
      failedNode = undefined;
      enabled = !config.tracking.disable_tracking.pipelines.includes(pipeline.name);
      if (!enabled) return;
      parent = {
        key: `pipeline-${++pipelineRuns}`,
        experimentName: expName,
        runName: config.tracking.run.name ?? pipeline.name,
        tags: runTags(pipeline, runParams, 'reference'),
      };
      if (config.tracking.run.id) {
        await outbox.attachRun(parent, config.tracking.run.id);
        await outbox.add(parent, 'tags', parent.tags);
      } else await outbox.createRun(parent, resolveExperiment);
    },

    // The node methods return a promise only when there is something to wait for (synchronous
    // delivery, a full queue, a child run to create, a file): otherwise the node does not wait at all.
    beforeNodeRun(node, _catalog, inputs) {
      if (!enabled || !parent) return;
      if (capture) {
        capture.note(node, inputs);
        return;
      }
      const { params, tags } = paramsFromInputs(inputs, config.tracking.params, keys);
      if (tb.childRunPerNode) return startChild(node, tags, params);
      return queueParams(parent, [nodeTag(node), ...tags], params);
    },

    afterNodeRun(node, catalog, _inputs, outputs) {
      if (!enabled || !parent) return;
      const run = target(node);
      const metrics = metricsFromOutputs(outputs, catalog);
      const noted = queueNoted();
      return noted ? noted.then(() => outbox.add(run, 'metrics', metrics)) : outbox.add(run, 'metrics', metrics);
    },

    afterCatalogCreated(created) {
      // Dataset hooks get no catalog; keep it to know what each saved dataset is.
      catalog = created;
    },

    afterDatasetSaved(datasetName, data, node) {
      if (!enabled || !parent) return;
      const kind = catalog?.kindOf(datasetName);
      if (kind === 'artifact' || kind === 'model' || tb.childRunPerNode) return saved(datasetName, kind, data, node);
    },

    async onNodeError(error, node) {
      if (!enabled || !parent) return;
      await queueNoted();
      failedNode = node.name;
      const child = children.get(node.name);
      if (child) {
        await outbox.add(child, 'tags', [
          { key: 'trackbench.error', value: truncate(client.redact(error.message), LIMITS.tagValueLength) },
        ]);
        children.delete(node.name);
        await outbox.endRun(child, 'FAILED');
      }
    },

    async afterPipelineRun() {
      if (!enabled) return;
      if (parent) await queueNoted();
      await finish('FINISHED');
    },

    async onPipelineError(error) {
      if (!enabled || !parent) return;
      const tags = [
        {
          key: 'trackbench.error',
          value: truncate(client.redact(`${error.name}: ${error.message}`), LIMITS.tagValueLength),
        },
      ];
      if (failedNode) tags.push({ key: 'trackbench.failed_node', value: failedNode });
      await queueNoted();
      await outbox.add(parent, 'tags', tags);
      await finish('FAILED');
    },
  };
}
