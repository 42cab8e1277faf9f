// Comma-separated flags (run/bench --hook, sweep --nodes) read alike: blanks around an item are dropped, an empty
// item is bad input naming the flag (run --hook 'noop,' silently dropped it; bench --hook 'a,,b' named "" a hook).
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commaList } from '../src/cli/flags.ts';
import { hookNames } from '../src/cli/prepare.ts';
import { cli } from './helpers/io.ts';

describe('comma-separated flags', () => {
  it('drop blanks around items and refuse an empty item, naming the flag', () => {
    expect(commaList('--nodes', ' 5, 6 ')).toEqual(['5', '6']);
    expect(() => commaList('--hook', 'a,,b')).toThrow(/^--hook item 2 of "a,,b" is empty/);
  });

  it.each([
    ['run', '--hook', 'noop,'],
    ['run', '--hook', ',noop'],
    ['bench', '--hook', 'reference,,naive'],
    ['sweep', '--nodes', '5,,6'],
    ['sweep', '--nodes', '5, 6,'],
  ])('%s %s %j: exit 2 naming the flag, nothing written', async (cmd, flag, value) => {
    const d = mkdtempSync(join(tmpdir(), 'tb-lists-'));
    const s = join(d, 's.yaml');
    writeFileSync(s, 'name: s\npipeline: {nodes: 3}\nhooks: [noop]\n');
    const out = cmd === 'bench' ? [] : ['--out', join(d, 'out')];
    const r = await cli([cmd, s, flag, value, ...out]);
    expect(r.code, r.err).toBe(2);
    expect(r.err).toMatch(new RegExp(`^${flag} item \\d of .* is empty`));
    expect(r.out).toBe('');
    expect(existsSync(join(d, 'out'))).toBe(false);
  });

  it("blanks are dropped alike: sweep --nodes ' 5, 5' is one size twice, run --hook ' noop ' is noop", async () => {
    const d = mkdtempSync(join(tmpdir(), 'tb-lists-'));
    const s = join(d, 's.yaml');
    writeFileSync(s, 'name: s\npipeline: {nodes: 3}\nhooks: [noop]\n');
    const sweep = await cli(['sweep', s, '--nodes', ' 5, 5', '--out', join(d, 'out')]);
    expect([sweep.code, sweep.err]).toEqual([2, '--nodes each size once; 5 is given more than once\n']);
    expect(hookNames(' noop ,reference')).toEqual(['noop', 'reference']);
  });
});
