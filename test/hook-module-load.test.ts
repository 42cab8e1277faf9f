// A hook module that cannot be loaded (a syntax error, a missing import, a throw at its top level) is
// bad input: `run` stops with exit 2 and the place in the module, writes nothing, --allow-failures or not;
// `conformance` says the same place.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/io.ts';

const SCENARIO = (hook: string): string =>
  'name: load\npipeline: {nodes: 4, paramsPerNode: {count: 1}, metricsPerNode: 1, work: {cpuMs: 0, ioBytes: 0}}\n' +
  `hooks: ["module:./${hook}"]\ntrials: {repetitions: 1, warmup: 0, quickRepetitions: 1}\n`;

/** What a broken module holds, and where (line:col) and what the message must name. */
const BROKEN: [file: string, text: string, where: string, what: string][] = [
  ['syntax.mjs', 'export default () => ({\n  a: 1,\n  b: 1 2,\n});\n', 'syntax.mjs:3:8', 'Unexpected number'],
  ['syntax.ts', 'const n: number = ;\nexport default () => ({});\n', 'syntax.ts:1:19', 'Unexpected ";"'],
  ['throws.mjs', '\nthrow new Error("no config here");\n', 'throws.mjs:2:7', 'no config here'],
  ['throws-null.mjs', 'throw null;\n', 'throws-null.mjs', 'null'],
  ['missing.mjs', 'import "./nowhere.mjs";\nexport default () => ({});\n', 'missing.mjs', 'Cannot find module'],
];

describe('a hook module that cannot be loaded', () => {
  it.each(BROKEN)(
    'run, %s: exit 2 naming the place, nothing written',
    async (file, text, where, what) => {
      const dir = mkdtempSync(join(tmpdir(), 'tb-load-'));
      writeFileSync(join(dir, file), text);
      writeFileSync(join(dir, 's.yaml'), SCENARIO(file));
      for (const extra of [[], ['--allow-failures']]) {
        const out = join(dir, 'out');
        const res = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', out, ...extra]);
        expect(res.code, res.err).toBe(2);
        expect(res.err).toContain(join(dir, where));
        expect(res.err).toContain(`hook module could not be loaded: ${what}`);
        expect(res.err).not.toMatch(/PASS|improved/);
        expect(readdirSync(dir).filter((f) => f !== 'out')).toEqual([file, 's.yaml'].sort());
        expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
      }
    },
    60_000,
  );

  // In a process of its own: in this one, vitest's module loader would parse the module, not Node's.
  // throw null: the loader's own look at what was thrown must not fail on it (it said "Cannot read properties").
  it.each([BROKEN[0]!, BROKEN.find(([f]) => f === 'throws-null.mjs')!])(
    'conformance, %s: the same place, exit 2',
    (file, text, where, what) => {
      const dir = mkdtempSync(join(tmpdir(), 'tb-load-conf-'));
      writeFileSync(join(dir, file), text);
      const res = spawnSync(
        process.execPath,
        ['bin/trackbench.js', 'conformance', '--target', `module:${join(dir, file)}`],
        {
          encoding: 'utf8',
        },
      );
      expect(res.status, res.stderr).toBe(2);
      expect(res.stderr).toContain(`${join(dir, where)} hook module could not be loaded: ${what}`);
    },
  );
});
