// Scenario and mlflow.yml values nested more than 64 deep are refused where they stand: hook options nested 97 deep
// ran, and the report written was then refused by every reader (`compare`: "nested more than 100 deep").
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/io.ts';

/** A scenario whose one hook's options are mappings nested `depth` deep. */
function scenarioWithOptions(depth: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-nesting-'));
  const file = join(dir, 's.yaml');
  const options = `${'{a: '.repeat(depth)}1${'}'.repeat(depth)}`;
  writeFileSync(
    file,
    'name: deep\npipeline: {nodes: 3, paramsPerNode: {count: 1}, metricsPerNode: 1, ' +
      'work: {cpuMs: 0, ioBytes: 0, allocBytes: 0, sleepMs: 0}}\n' +
      `hooks: [{name: noop, options: ${options}}]\ntrials: {repetitions: 2, warmup: 0, quickRepetitions: 2}\n`,
  );
  return file;
}

describe('nesting in YAML input', () => {
  it('hook options 97 deep: refused at file:line:col, nothing written', async () => {
    const file = scenarioWithOptions(97);
    const out = join(mkdtempSync(join(tmpdir(), 'tb-nesting-out-')), 'reports');
    const r = await cli(['run', file, '--quick', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/s\.yaml:3:275 hooks\[0\]\.options(\.a){61}: nested more than 64 deep/);
    expect(r.err.split('\n')).toHaveLength(2);
    expect(existsSync(out)).toBe(false);
  });

  it('through an alias: located at the alias', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tb-nesting-')), 's.yaml');
    const list = (depth: number, inner: string): string => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
    writeFileSync(
      file,
      `name: x\npipeline: {nodes: 3}\nhooks:\n  - name: noop\n    options:\n` +
        `      a: &x ${list(40, '1')}\n      b: ${list(30, '*x')}\n`,
    );
    const r = await cli(['validate', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/s\.yaml:7:40 hooks\[0\]\.options\.b(\[0\]){60}: nested more than 64 deep/);
  });

  it('in mlflow.yml: refused at file:line:col', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-nesting-conf-'));
    const file = join(dir, 'mlflow.yml');
    writeFileSync(file, `tracking:\n  experiment: ${'{a: '.repeat(70)}1${'}'.repeat(70)}\n`);
    const r = await cli(['conformance', '--target', 'builtin:reference', '--config', file]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/mlflow\.yml:2:\d+ tracking\.experiment(\.a){62}: nested more than 64 deep/);
  });

  it('hook options at the limit: run, and the report is read back', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'tb-nesting-out-')), 'reports');
    expect((await cli(['run', scenarioWithOptions(60), '--quick', '--out', out])).code).toBe(0);
    const report = join(out, readdirSync(out).find((f) => f.endsWith('.json')) ?? '');
    expect(await cli(['compare', report, report])).toMatchObject({ code: 0 });
  });
});
