// mlflow.yml times and retries past what they can mean are refused at file:line:col: a wait past a Node timer's
// 2^31 - 1 ms fires at once (drainMs: 3e9 gave up at once), and retry settings keep the ranges the MLflow
// environment variables have (src/mlflow/retry.ts), so the two ways of saying one thing agree.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.ts';
import { RETRY_VARIABLES } from '../src/mlflow/retry.ts';
import { loadTrackingConfig } from '../src/tracking/config/load-config.ts';

const schema = createRequire(import.meta.url)('../src/tracking/config/mlflow-config.schema.json') as {
  properties: { trackbench: { properties: { retry: { properties: Record<string, { maximum?: number }> } } } };
};

function problemsOf(yaml: string): string[] {
  const root = mkdtempSync(join(tmpdir(), 'tb-config-ranges-'));
  mkdirSync(join(root, 'base'));
  writeFileSync(join(root, 'base', 'mlflow.yml'), yaml);
  try {
    loadTrackingConfig({ confDir: root }, {});
    return [];
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return err.diagnostics.map((d) => `${d.line}:${d.col} ${d.path ?? ''}: ${d.message}`);
  }
}

describe('mlflow.yml ranges', () => {
  it('timer waits past 2^31 - 1 ms and retries past the environment ranges are located', () => {
    const yaml =
      'trackbench:\n  flushIntervalMs: 3000000000\n  outage: {drainMs: 3e9, probeMinMs: 1, probeMaxMs: 2147483648}\n' +
      '  retry: {maxRetries: 1000000000, backoffFactor: 1e6, timeout: 1e7}\n';
    expect(problemsOf(yaml)).toEqual([
      '2:20 trackbench.flushIntervalMs: must be <= 2147483647; got 3000000000',
      '3:21 trackbench.outage.drainMs: must be <= 2147483647; got 3000000000',
      '3:53 trackbench.outage.probeMaxMs: must be <= 2147483647; got 2147483648',
      '4:23 trackbench.retry.maxRetries: must be <= 100; got 1000000000',
      '4:50 trackbench.retry.backoffFactor: must be <= 3600; got 1000000',
      '4:64 trackbench.retry.timeout: must be <= 2147483; got 10000000',
    ]);
    expect(problemsOf('trackbench:\n  retry: {maxRetries: 100, timeout: 2147483}\n')).toEqual([]);
  });

  it('a queue bound past a million values is located; a million is taken', () => {
    // It had no maximum: queueBound: 1e12 never filled, holding every value of an outage in memory.
    expect(problemsOf('trackbench:\n  queueBound: 1000000000000\n')).toEqual([
      '2:15 trackbench.queueBound: must be <= 1000000; got 1000000000000',
    ]);
    expect(problemsOf('trackbench:\n  queueBound: 1000000\n')).toEqual([]);
  });

  it('the retry maxima are the MLflow environment variables’ maxima', () => {
    const retry = schema.properties.trackbench.properties.retry.properties;
    for (const [key, v] of Object.entries(RETRY_VARIABLES)) expect(retry[key]?.maximum, key).toBe(v.max);
  });
});
