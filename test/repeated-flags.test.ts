// A flag of one value given twice is bad input naming it, for every command and subcommand: commander kept the
// last value silently (`--shard 1/2 --shard 2/2` ran shard 2 only). Flags that collect values may repeat.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/io.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-repeated-'));
const scenario = join(dir, 's.yaml');
writeFileSync(scenario, 'name: x\npipeline: {nodes: 3}\nhooks: [noop]\n');

const twice = (flag: string): string => `${flag} given 2 times; give it once (only the last value would count)\n`;

describe('repeated flags', () => {
  it('run, sweep and history add refuse a one-value flag given twice, before any work; nothing written', async () => {
    const out = join(dir, 'out');
    expect(await cli(['run', scenario, '--shard', '1/2', '--shard=2/2', '--out', out])).toMatchObject({
      code: 2,
      err: twice('--shard'),
    });
    expect(
      await cli(['sweep', scenario, '--nodes', '3', '--nodes', '4', '--out', out, '--html', 'a', '--html', 'b']),
    ).toMatchObject({ code: 2, err: `${twice('--nodes')}${twice('--html')}` });
    const store = join(dir, 'store');
    expect(await cli(['history', 'add', scenario, '--store', store, '--store', store])).toMatchObject({
      code: 2,
      err: twice('--store'),
    });
    expect(existsSync(out)).toBe(false);
    expect(existsSync(store)).toBe(false);
  });

  it('a variadic flag given twice collects both values', async () => {
    const r = await cli(['conformance', '--target', 'builtin:noop', '--waive', 'A', '--waive', 'B']);
    expect(r).toMatchObject({ code: 2, err: '--waive not a requirement ID or pattern (e.g. ART-001, ART-*): A, B\n' });
  });
});
