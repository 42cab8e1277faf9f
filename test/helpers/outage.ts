// The outage experiment: the reference hook on a pipeline against the HTTP mock, the mock killed
// (connections refused) at a node and restarted on the same port with its state after `downMs`.
// Counts what was produced, delivered and spilled, then what one and two replays deliver, and
// what reached the server in the end.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startHttpMock, type HttpMock } from '../../src/backends/mock/http-server.ts';
import { MlflowClient } from '../../src/mlflow/client.ts';
import { readRun } from '../../src/mlflow/readback.ts';
import { runSession } from '../../src/pipeline/session.ts';
import type { Pipeline } from '../../src/pipeline/types.ts';
import { createReferenceHook } from '../../src/tracking/builtin/reference.ts';
import { loadTrackingConfig } from '../../src/tracking/config/load-config.ts';
import type { Counts } from '../../src/tracking/delivery/accounting.ts';
import { replayFile, type ReplayResult } from '../../src/tracking/delivery/replay.ts';

export interface OutageFigures {
  produced: Counts;
  delivered: Counts;
  spilled: Counts;
  outages: number;
  replays: { params: number; metrics: number; tags: number; models: number; requests: number }[];
  /** What the server holds at the end, read back through the REST API. */
  onServer: { runs: number; params: number; metrics: number; tags: number; models: number };
}

const total = (c: Counts): number => Object.values(c).reduce((a, b) => a + b, 0);
export const sumCounts = total;

/**
 * `killAtNode`: kill the mock before that node runs (-1: down from the start); `downMs`: restart it
 * after that long (Infinity: only after the pipeline and the hook's drain ended).
 */
export async function outageExperiment(
  pipeline: Pipeline,
  options: { killAtNode: number; downMs: number; drainMs: number; replays: number },
): Promise<OutageFigures> {
  let server: HttpMock = await startHttpMock();
  const { port } = server;
  const state = server.mock;
  const restart = async (): Promise<void> => {
    server = await startHttpMock({ port, mock: state });
  };
  let restarted: Promise<void> | undefined;
  const kill = async (): Promise<void> => {
    await server.stop();
    if (Number.isFinite(options.downMs)) restarted = sleep(options.downMs).then(restart);
  };
  if (options.killAtNode < 0) await kill();
  const spillDir = mkdtempSync(join(tmpdir(), 'trackbench-outage-'));
  const config = loadTrackingConfig({
    inline: {
      trackbench: {
        spillDir,
        flushIntervalMs: 50,
        retry: { maxRetries: 1, backoffFactor: 0.05, backoffJitter: 0 },
        outage: { drainMs: options.drainMs, probeMinMs: 50, probeMaxMs: 500 },
      },
    },
  });
  const hook = createReferenceHook(config, {
    scenarioName: 'outage',
    scenarioDir: process.cwd(),
    trackingUri: `http://127.0.0.1:${port}`,
    warn: () => {},
  });
  let node = 0;
  const clock = {
    beforeNodeRun: async () => {
      if (node++ === options.killAtNode) await kill();
    },
  };
  await runSession(pipeline, {
    hooks: [
      { name: 'reference', hooks: hook },
      { name: 'outage', hooks: clock },
    ],
  });
  if (restarted) await restarted;
  else await restart();
  const stats = hook.stats();
  const client = new MlflowClient({ trackingUri: server.trackingUri });
  const replays: ReplayResult[] = [];
  try {
    if (stats.spillFile)
      for (let i = 0; i < options.replays; i++) replays.push(await replayFile(stats.spillFile, client));
    const runs = [];
    for (const id of state.store.runIds()) runs.push(await readRun(client, id));
    return {
      produced: stats.generated,
      delivered: stats.delivered,
      spilled: stats.spilled,
      outages: stats.outages,
      replays: replays.map((r) => ({
        params: r.params,
        metrics: r.metrics,
        tags: r.tags,
        models: r.models,
        requests: r.requests,
      })),
      onServer: {
        runs: runs.length,
        params: runs.reduce((n, r) => n + (r.run.data.params ?? []).length, 0),
        metrics: runs.reduce((n, r) => n + Object.values(r.metricHistory).flat().length, 0),
        // Tags the hook logs (MLflow adds its own mlflow.* system tags).
        tags: runs.reduce((n, r) => n + (r.run.data.tags ?? []).filter((t) => !t.key.startsWith('mlflow.')).length, 0),
        models: runs.reduce((n, r) => n + r.modelVersions.length, 0),
      },
    };
  } finally {
    client.close();
    await server.stop();
  }
}
