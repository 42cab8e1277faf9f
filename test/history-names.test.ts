// `history add` keeps only a commit and a ref git could have given: text git never produces (10 kB, a space, a
// leading dash, `..`) is bad input naming the flag or the variable; the store is not touched; values not echoed.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ciCommit, ciRef } from '../src/cli/ci-env.ts';
import { commitProblem, refProblem } from '../src/cli/git-names.ts';
import { cli } from './helpers/io.ts';

const SHA = 'a1'.repeat(20);

describe('history add: commit and ref', () => {
  it.each([
    ['--commit', 'x'.repeat(10_000)],
    ['--commit', 'not a sha'],
    ['--commit', '-rf'],
    ['--commit', 'abc'],
    ['--commit', `${SHA}; rm -rf /`],
    ['--ref', 'a b'],
    ['--ref', '--upload-pack=x'],
    ['--ref', 'main..dev'],
    ['--ref', 'r'.repeat(10_000)],
    ['--ref', 'https://user:s3cretToken@host/x'],
  ])('%s %j is exit 2 naming the flag, the store not created, the value not shown', async (flag, value) => {
    const d = mkdtempSync(join(tmpdir(), 'tb-gitnames-'));
    writeFileSync(join(d, 'r.json'), '{}');
    const args = flag === '--ref' ? ['--commit', SHA, '--ref', value] : ['--commit', value];
    const r = await cli(['history', 'add', join(d, 'r.json'), '--store', join(d, 'h.jsonl'), ...args]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(new RegExp(`^${flag} (must be|.*not a ref git would name)`));
    expect(r.err).not.toContain(value.slice(0, 8));
    expect(existsSync(join(d, 'h.jsonl'))).toBe(false);
  });

  it('accepts what git prints, and shell characters git allows in a ref', () => {
    for (const c of [SHA, 'b2'.repeat(32), 'abcd', 'ABCDEF12']) expect(commitProblem(c)).toBeUndefined();
    for (const r of ['main', 'HEAD', 'refs/pull/12/merge', 'origin/feature/x-1', 'a;b', 'a$b|c', 'ünï'])
      expect(refProblem(r), r).toBeUndefined();
    for (const r of ['a/', '/a', 'a//b', '.a', 'a/.b', 'a.lock', 'a.lock/b', 'a.', '@', 'a@{1}', 'a~1', 'a:b', 'a\\b'])
      expect(refProblem(r), r).toBeDefined();
  });

  it('a CI variable git would not give is bad input naming the variable', () => {
    expect(() => ciCommit({ GITHUB_SHA: 'oops, a pasted line' })).toThrow(/^GITHUB_SHA \(environment\) must be/);
    expect(() => ciRef({ GITHUB_REF: 'refs/heads/a b' })).toThrow(/^GITHUB_REF \(environment\) holds a space/);
    expect(ciCommit({ GITHUB_SHA: ` ${SHA}\n` })).toBe(SHA);
  });
});
