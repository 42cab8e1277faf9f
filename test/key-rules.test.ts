import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normpath, pathNotUnique } from '../src/mlflow/limits.ts';
import { KeyMap } from '../src/tracking/keys.ts';

/** MLflow's rule as written (path_not_unique), without pathNotUnique's shortcut for keys with no slash. */
const byNormpath = (key: string): boolean => {
  const norm = normpath(key);
  return norm !== key || norm === '.' || norm.startsWith('..');
};

describe('key rules', () => {
  it('pathNotUnique agrees with normpath for keys without a slash', () => {
    for (const key of ['', '.', '..', '...', '..x', '.x', 'x.', 'a.b', 'a..b', ' ', 'x:y'])
      expect(pathNotUnique(key), key).toBe(byNormpath(key));
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('.', 'a', '_', ' ', ':', '-') }), (key) => {
        expect(pathNotUnique(key)).toBe(byNormpath(key));
      }),
      { seed: 11, numRuns: 2000 },
    );
  });

  it('KeyMap keeps a valid key, renames the rest, and never gives two originals one key', () => {
    const keys = new KeyMap();
    expect(keys.sent('a.b')).toBe('a.b');
    expect(keys.sent('a b!')).toBe('a b_');
    const clash = keys.sent('a b_'); // valid, but 'a b!' took it
    expect(clash).not.toBe('a b_');
    expect(clash.startsWith('a b__')).toBe(true);
    expect(keys.sent('a b!')).toBe('a b_');
    expect(keys.sent('a.b')).toBe('a.b');
    expect(keys.renames).toEqual([
      { original: 'a b!', sent: 'a b_' },
      { original: 'a b_', sent: clash },
    ]);
  });
});
