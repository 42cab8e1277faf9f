// A value from input is quoted in a message bounded: an unknown `--hook` of 100,000 characters was echoed whole
// (twice by `run`), as were `--shard`, `--nodes`, `--target` and a scenario's hook name.
// `--shard 1/99999999999999999999` (a count past 2^53, where k % n is no longer exact) was accepted and ran.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { quotedInput } from '../src/common/terminal-text.ts';
import { cli } from './helpers/io.ts';

const HUGE = 'x'.repeat(100_000);

function scenario(hooks = '[reference]'): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-quoting-'));
  const file = join(dir, 's.yaml');
  writeFileSync(file, `name: q\npipeline: {nodes: 3}\nhooks: ${hooks}\ntrials: {repetitions: 2, warmup: 0}\n`);
  return file;
}

describe('values quoted in messages', () => {
  it('are cut to 80 characters with their length, control characters as escapes', () => {
    expect(quotedInput('abc')).toBe('"abc"');
    expect(quotedInput('a\x1b[2J')).toBe('"a\\x1b[2J"');
    expect(quotedInput(HUGE)).toBe(`"${'x'.repeat(79)}…" (100000 characters)`);
    expect(quotedInput('😀'.repeat(81))).toBe(`"${'😀'.repeat(79)}…" (81 characters)`);
  });

  it.each([
    ['run', ['--quick', '--hook', HUGE]],
    ['trace', ['--hook', HUGE]],
    ['bench', ['--hook', HUGE]],
    ['sweep', ['--quick', '--nodes', HUGE]],
  ])('%s with a 100,000-character value: exit 2 naming the flag, the value cut', async (command, flags) => {
    const out = join(mkdtempSync(join(tmpdir(), 'tb-quoting-out-')), 'reports');
    const r = await cli([command, scenario(), ...flags, ...(['run', 'sweep'].includes(command) ? ['--out', out] : [])]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^--(hook|nodes) .*\(100000 characters\)/);
    expect(r.err.length).toBeLessThan(600);
    expect(existsSync(out)).toBe(false);
  });

  it('conformance --target with a 100,000-character value: the value cut', async () => {
    const r = await cli(['conformance', '--target', HUGE]);
    expect(r.code).toBe(2);
    expect(r.err.length).toBeLessThan(600);
  });

  it('conformance --option: a 100,000-character pair cut; a built-in property name refused as given', async () => {
    const long = await cli(['conformance', '--target', 'builtin:noop', '--option', HUGE]);
    expect(long.code).toBe(2);
    expect(long.err).toBe(`--option "${'x'.repeat(79)}…" (100000 characters): expected key=value\n`);
    // It set the options' prototype, then was refused as an unknown key "x".
    expect(await cli(['conformance', '--target', 'builtin:noop', '--option', '__proto__.x=1'])).toEqual({
      code: 2,
      out: '',
      err: '--option "__proto__.x=1": "__proto__" is the name of a built-in object property\n',
    });
    // A whole key that is a built-in property was looked up as a short name: exit 3, "path.split is not a function".
    for (const key of ['__proto__', 'constructor', 'toString'])
      expect(await cli(['conformance', '--target', 'builtin:noop', '--option', `${key}=1`])).toEqual({
        code: 2,
        out: '',
        err: `--option "${key}=1": "${key}" is the name of a built-in object property\n`,
      });
  });

  it("commander's own refusals (a choice, an unknown option): the value cut", async () => {
    for (const args of [
      ['conformance', '--target', 'builtin:noop', '--format', HUGE],
      ['validate', scenario(), `--${HUGE}`],
    ]) {
      const r = await cli(args);
      expect(r.code).toBe(2);
      expect(r.err).toContain('…" (10000');
      expect(r.err.length).toBeLessThan(600);
    }
  });

  it("a scenario's unknown hook name: located, the name cut", async () => {
    const r = await cli(['validate', scenario(`[${HUGE}]`)]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/s\.yaml:3:9 hooks\[0\]: unknown hook "x{79}…" \(100000 characters\)/);
    expect(r.err.length).toBeLessThan(600);
  });
});

describe('--shard', () => {
  it.each(['1/99999999999999999999', '1/1001', '99999999999999999999/3', '1/1e20'])(
    '%s: exit 2 naming the flag, nothing run',
    async (spec) => {
      const out = join(mkdtempSync(join(tmpdir(), 'tb-shard-range-')), 'reports');
      const r = await cli(['run', scenario(), '--quick', '--shard', spec, '--out', out]);
      expect(r).toEqual({
        code: 2,
        out: '',
        err: `--shard expected i/n with 1 <= i <= n <= 1000 (e.g. 2/3); got "${spec}"\n`,
      });
      expect(existsSync(out)).toBe(false);
    },
  );
});
