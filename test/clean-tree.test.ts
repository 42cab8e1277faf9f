// The guard in test/global-setup.ts fails `npm test` when a test leaves a file in the repository.
// Here: it sees every kind of change, in ignored folders too, and not the folders it must skip.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { snapshotTree, treeChanges } from './global-setup.ts';

it('the clean-tree guard reports new, changed and removed files, and skips node_modules, dist and .git', () => {
  const root = mkdtempSync(join(tmpdir(), 'tb-tree-'));
  try {
    for (const d of ['src', 'reports', 'node_modules/x', 'dist', '.git']) mkdirSync(join(root, d), { recursive: true });
    writeFileSync(join(root, 'src/a.ts'), 'a');
    writeFileSync(join(root, 'src/b.ts'), 'b');
    writeFileSync(join(root, 'src/gone.ts'), 'c');
    const before = snapshotTree(root);
    expect(treeChanges(before, snapshotTree(root))).toEqual([]);

    writeFileSync(join(root, 'reports/run.json'), '{}'); // ignored by git, still a stray file
    writeFileSync(join(root, 'trackbench-undelivered-1.jsonl'), '');
    writeFileSync(join(root, 'src/a.ts'), 'a, rewritten');
    utimesSync(join(root, 'src/b.ts'), new Date(0), new Date(0)); // same size, touched
    rmSync(join(root, 'src/gone.ts'));
    writeFileSync(join(root, 'node_modules/x/cache'), '');
    writeFileSync(join(root, 'dist/index.js'), '');
    writeFileSync(join(root, '.git/index'), '');
    expect(treeChanges(before, snapshotTree(root))).toEqual([
      'changed: src/a.ts',
      'changed: src/b.ts',
      'new: reports/run.json',
      'new: trackbench-undelivered-1.jsonl',
      'removed: src/gone.ts',
    ]);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

it('the repository holds no spill files (no *.jsonl outside fixtures/)', () => {
  const root = new URL('..', import.meta.url);
  const tracked = execFileSync('git', ['ls-files'], { cwd: root, encoding: 'utf8' }).split('\n');
  expect(tracked.length).toBeGreaterThan(50);
  expect(tracked.filter((f) => f.endsWith('.jsonl') && !f.startsWith('fixtures/'))).toEqual([]);
});
