// A hook that breaks in a way of its own (a factory that throws a string, null, a Symbol or an object that cannot
// be shown; a `stats` that throws or returns no delivery counts) fails the command with a message naming the hook
// and what it did: exit 3, never a stack trace, never a trace or run that reads as passing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { messageOf } from '../src/common/caught.ts';
import { cli } from './helpers/io.ts';

const SCENARIO = (hook: string): string =>
  'name: broken\npipeline: {nodes: 3, paramsPerNode: {count: 1}, metricsPerNode: 1, work: {cpuMs: 0, ioBytes: 0}}\n' +
  `hooks: ["module:./${hook}"]\ntrials: {repetitions: 1, warmup: 0, quickRepetitions: 1}\n`;

function scenarioWith(file: string, text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-broken-'));
  writeFileSync(join(dir, file), text);
  writeFileSync(join(dir, 's.yaml'), SCENARIO(file));
  return join(dir, 's.yaml');
}

const UNSHOWABLE = '{ toString() { throw new Error("no"); } }';

const FACTORIES: [file: string, body: string, says: string][] = [
  ['string.mjs', 'throw "no config"', 'its factory failed: no config'],
  ['null.mjs', 'throw null', 'its factory failed: null'],
  ['symbol.mjs', 'throw Symbol("odd")', 'its factory failed: Symbol(odd)'],
  ['unshowable.mjs', `throw ${UNSHOWABLE}`, 'its factory failed: a value that cannot be shown ([object Object])'],
  ['rejects-undefined.mjs', 'await null; throw undefined', 'its factory failed: undefined'],
  ['error.mjs', 'throw new Error("bad token")', 'its factory failed: bad token'],
];

const STATS: [file: string, hooks: string, says: string][] = [
  ['getter.mjs', '{ get stats() { throw new Error("getter boom"); } }', 'failed in stats(): getter boom'],
  ['proxy.mjs', 'new Proxy({}, { get: (_t, k) => { if (k === "stats") throw "trap"; } })', 'failed in stats(): trap'],
  ['throws.mjs', `{ stats() { throw ${UNSHOWABLE}; } }`, 'failed in stats(): a value that cannot be shown'],
  ['null.mjs', '{ stats: () => null }', 'stats() returned null, not its delivery counts'],
  ['number.mjs', '{ stats: () => 5 }', 'stats() returned number 5, not'],
  ['nan.mjs', '{ stats: () => ({ generated: { tags: NaN } }) }', 'an object whose generated.tags is number NaN'],
  [
    'negative.mjs',
    '{ stats: () => ({ generated: { tags: 0 }, spilled: { params: -1 } }) }',
    'an object whose spilled.params is number -1',
  ],
  [
    'text.mjs',
    '{ stats: () => ({ generated: { tags: 0 }, lost: { metrics: "3" } }) }',
    'an object whose lost.metrics is string "3"',
  ],
  ['cyclic.mjs', '{ stats() { const o = {}; o.generated = o; o.lost = o; return o; } }', 'generated.tags is undefined'],
];

function expectNamedFailure(res: { code: number; out: string; err: string }, hook: string, says: string): void {
  expect(res.code, res.err).toBe(3);
  expect(res.err).toContain(`hook "module:./${hook}"`);
  expect(res.err).toContain(says);
  expect(res.err).not.toMatch(/unexpected error|\n\s+at |PASS|improved/);
}

describe('a hook that breaks in its own way is named, with what it did', () => {
  it.each(FACTORIES)('trace, a factory that throws (%s)', async (file, body, says) => {
    const res = await cli(['trace', scenarioWith(file, `export default async () => { ${body}; };\n`)]);
    expectNamedFailure(res, file, says);
  });

  it.each(STATS)('trace, stats (%s)', async (file, hooks, says) => {
    const res = await cli(['trace', scenarioWith(file, `export default () => (${hooks});\n`)]);
    expectNamedFailure(res, file, says);
    expect(res.out).toBe('');
  });

  it('run: a factory throwing what cannot be shown fails its trial naming the hook (no crash)', async () => {
    const file = 'unshowable.mjs';
    const scenario = scenarioWith(file, `export default () => { throw ${UNSHOWABLE}; };\n`);
    const res = await cli(['run', scenario, '--quick', '--out', join(scenario, '..', 'out')]);
    expectNamedFailure(res, file, 'its factory failed: a value that cannot be shown');
  }, 60_000);

  it('trace: a hook that changes the pipeline it is given fails naming it, never passes', async () => {
    const file = 'changes.mjs';
    const hook =
      'export default () => ({ beforePipelineRun(_r, pipeline) { for (const n of pipeline.nodes) { n.metrics = []; ' +
      'n.inputs = n.inputs.filter((i) => !i.startsWith("params:")); } } });\n';
    const res = await cli(['trace', scenarioWith(file, hook)]);
    expect(res.code, res.err).toBe(3);
    expect(res.out).toContain(
      `pipeline failed: the pipeline did not run as generated (hook "module:./${file}" changed it or its data?): ` +
        '0 params of 3, 0 metrics of 3',
    );
  });

  it('run: a command: hook killed by a signal is said to be, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-broken-'));
    const scenario = join(dir, 's.yaml');
    writeFileSync(
      scenario,
      SCENARIO('x').replace(/hooks: .*/, 'hooks: [{name: "command:kill -9 $$$$", label: killed}]'),
    );
    const res = await cli(['run', scenario, '--quick', '--out', join(dir, 'out')]);
    expect(res.code, res.err).toBe(3);
    expect(res.err).toMatch(/\(killed\).* failed: command was killed by SIGKILL without writing its probes/);
  }, 60_000);

  it('run: a command: hook whose process aborts under its shell (exit 134) is said killed by SIGABRT', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-broken-'));
    writeFileSync(join(dir, 'aborts.py'), 'import os\nos.abort()\n');
    const scenario = join(dir, 's.yaml');
    writeFileSync(scenario, SCENARIO('x').replace(/hooks: .*/, 'hooks: ["command:python3 aborts.py"]'));
    const res = await cli(['run', scenario, '--quick', '--out', join(dir, 'out')]);
    expect(res.code, res.err).toBe(3);
    expect(res.err).toContain(
      'failed: command exited with code 134 (128 + SIGABRT: killed by that signal, as its shell says) without',
    );
  }, 60_000);

  it('messageOf never throws', () => {
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    const values: unknown[] = [null, undefined, Symbol('s'), Object.create(null), revoked.proxy];
    for (const v of values) expect(typeof messageOf(v)).toBe('string');
    expect(messageOf(revoked.proxy)).toBe('a value that cannot be shown');
  });
});
