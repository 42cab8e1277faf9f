import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInProcessMock, type InProcessMock } from '../../src/backends/mock/in-process.ts';
import { MlflowClient } from '../../src/mlflow/client.ts';
import { readRun, type RunState } from '../../src/mlflow/readback.ts';
import type { HookFactoryContext } from '../../src/pipeline/hooks.ts';
import { runSession } from '../../src/pipeline/session.ts';
import type { Pipeline } from '../../src/pipeline/types.ts';
import type { TrackingHooks } from '../../src/tracking/common.ts';
import { loadTrackingConfig, type TrackingConfig } from '../../src/tracking/config/load-config.ts';

export function config(inline: Record<string, unknown> = {}): TrackingConfig {
  const spillDir = mkdtempSync(join(tmpdir(), 'trackbench-spill-'));
  const base = {
    trackbench: {
      spillDir,
      retry: { maxRetries: 1, backoffFactor: 0.001, backoffJitter: 0 },
      outage: { drainMs: 300, probeMinMs: 20, probeMaxMs: 100 },
    },
  };
  return loadTrackingConfig({ inline: merge(base, inline) });
}

function merge(a: Record<string, unknown>, b: Record<string, unknown>): Record<string, unknown> {
  const out = { ...a };
  for (const [k, v] of Object.entries(b))
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && out[k] && typeof out[k] === 'object'
        ? merge(out[k] as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  return out;
}

export function context(backend: { trackingUri: string } | undefined, warnings: string[] = []): HookFactoryContext {
  return {
    scenarioName: 'test-scenario',
    scenarioDir: process.cwd(),
    trackingUri: backend?.trackingUri,
    warn: (m) => void warnings.push(m),
  };
}

export interface TrackedRun {
  backend: InProcessMock;
  error?: Error;
  runs: RunState[];
  apiCalls: number;
}

/** Runs `pipeline` with `hooks` against a fresh in-process mock and reads back every run created. */
export async function runTracked(
  pipeline: Pipeline,
  make: (backend: InProcessMock) => TrackingHooks,
  options: { keepBackend?: boolean; runner?: { kind: 'sequential' | 'parallel'; concurrency: number } } = {},
): Promise<TrackedRun & { hooks: TrackingHooks }> {
  const backend = await startInProcessMock();
  try {
    const hooks = make(backend);
    let error: Error | undefined;
    try {
      await runSession(pipeline, { hooks: [{ name: 'hook', hooks }], runner: options.runner });
    } catch (err) {
      error = err as Error;
    }
    const apiCalls = backend.requestLog.size;
    const client = new MlflowClient({ trackingUri: backend.trackingUri });
    const runs: RunState[] = [];
    for (const id of backend.mock.store.runIds()) runs.push(await readRun(client, id));
    client.close();
    return { backend, error, runs, apiCalls, hooks };
  } finally {
    if (!options.keepBackend) await backend.stop();
  }
}

export const tagsOf = (s: RunState): Record<string, string> =>
  Object.fromEntries((s.run.data.tags ?? []).map((t) => [t.key, t.value]));
export const paramsOf = (s: RunState): Record<string, string> =>
  Object.fromEntries((s.run.data.params ?? []).map((t) => [t.key, t.value]));
