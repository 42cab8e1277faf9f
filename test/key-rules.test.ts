import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normpath, pathNotUnique } from '../src/mlflow/limits.ts';
import { HashSet64 } from '../src/tracking/hash-set.ts';
import { KeyMap } from '../src/tracking/keys.ts';
import { LIMITS, pythonLength, sanitiseKey } from '../src/mlflow/limits.ts';
import { truncate } from '../src/tracking/common.ts';
import { createHash } from 'node:crypto';

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

  it('KeyMap sends what a map of every key it saw would send (the hashes lose nothing observable)', () => {
    // The rule with every sent key kept in full: the KeyMap before it kept hashes only.
    const model = (): ((original: string) => string) => {
      const owners = new Map<string, string>();
      const renamed = new Map<string, string>();
      return (original) => {
        const known = renamed.get(original);
        if (known !== undefined) return known;
        let key = sanitiseKey(original);
        const owner = owners.get(key);
        if (owner === original) return key;
        if (owner !== undefined) {
          const hash = createHash('sha256').update(original).digest('hex').slice(0, 8);
          key = `${key.slice(0, LIMITS.keyLength - 9)}_${hash}`;
        }
        owners.set(key, original);
        if (key !== original) renamed.set(original, key);
        return key;
      };
    };
    fc.assert(
      fc.property(fc.array(fc.string({ unit: fc.constantFrom('a', 'b', '_', '!', '?', '.'), maxLength: 4 })), (xs) => {
        const keys = new KeyMap();
        const expected = model();
        for (const x of [...xs, ...xs]) expect(keys.sent(x), x).toBe(expected(x));
      }),
      { seed: 8, numRuns: 3000 },
    );
  });

  it('HashSet64 finds every string added and none of 100,000 others', () => {
    const set = new HashSet64();
    for (let i = 0; i < 10; i++) set.add(`node_${i}.param_${i % 10}`);
    // a few strings are kept as they are; past some thousands, only their hashes
    expect([set.size, set.has('node_9.param_9'), set.has('node_9.param_8')]).toEqual([10, true, false]);
    for (let i = 0; i < 100_000; i++) set.add(`node_${i}.param_${i % 10}`);
    set.add('node_1.param_1'); // again: no second entry
    expect(set.size).toBe(100_000);
    let found = 0;
    let strays = 0;
    for (let i = 0; i < 100_000; i++) {
      if (set.has(`node_${i}.param_${i % 10}`)) found++;
      if (set.has(`node_${i}.param_${(i + 1) % 10}`)) strays++;
    }
    expect(found).toBe(100_000);
    // 64 bits of hash: a false "seen" among 10^5 x 10^5 pairs has odds of about 5e-10
    expect(strays).toBe(0);
  });
});

describe('values cut as MLflow counts them', () => {
  const lone = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
  it('truncate counts code points and never cuts an emoji in half (a lone surrogate is no UTF-8)', () => {
    // 7998 letters then emoji: cut at 7999 UTF-16 units, the old cut left half of the first emoji
    const message = `${'e'.repeat(7998)}${'😀'.repeat(5)}`;
    const cut = truncate(message, LIMITS.tagValueLength);
    expect(lone.test(cut)).toBe(false);
    expect(pythonLength(cut)).toBe(LIMITS.tagValueLength);
    expect(cut.endsWith('😀…')).toBe(true);
    // 8000 emoji are 8000 characters to MLflow (16,000 UTF-16 units): nothing to cut
    expect(truncate('😀'.repeat(8000), LIMITS.tagValueLength)).toBe('😀'.repeat(8000));
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', '😀', 'é'), maxLength: 40 }), fc.nat(30), (text, max) => {
        const out = truncate(text, max + 1);
        expect(lone.test(out)).toBe(false);
        expect(pythonLength(out)).toBeLessThanOrEqual(max + 1);
        if (pythonLength(text) <= max + 1) expect(out).toBe(text);
      }),
      { seed: 7, numRuns: 2000 },
    );
  });
});
