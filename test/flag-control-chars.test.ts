// A flag value or argument holding a control character is bad input naming the flag, for every command, and the
// value is not printed: `--commit $'x\e[31m'` was printed raw to the terminal and kept in the history store.
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/io.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-control-'));

describe('control characters in flag values', () => {
  it('an escape in --commit, a line break in a file name, a bidi override: exit 2, nothing written', async () => {
    const store = join(dir, 'store');
    const r = await cli(['history', 'add', join(dir, 'r.json'), '--store', store, '--commit', 'x\x1b[31mRED']);
    expect(r).toMatchObject({
      code: 2,
      err: '--commit holds a control character (U+001B); names, paths and refs have none\n',
    });
    expect(existsSync(store)).toBe(false);
    expect(await cli(['validate', `a\nb.yaml`])).toMatchObject({
      code: 2,
      err: '<scenario> holds a control character (U+000A); names, paths and refs have none\n',
    });
    const bidi = await cli(['run', join(dir, 's.yaml'), '--out', join(dir, 'o\u202Eut')]);
    expect(bidi).toMatchObject({
      code: 2,
      err: '--out holds a control character (U+202E); names, paths and refs have none\n',
    });
    expect(bidi.err + r.err).not.toMatch(/RED|o.ut/);
  });
});
