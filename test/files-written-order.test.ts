// The order filesWrittenSince reads new folders in, with the folder listing's order forced: a file a hook wrote in
// its new folder is found whatever order the file system lists that folder and a big new one beside it in.
import { existsSync, mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { filesWrittenSince, WRITTEN_SEARCH } from '../src/conformance/files-written.ts';

/** The folder whose listings (its own and its folders') are put in name order (as Node lists), or in reverse name
 * order: the big folder is listed after the hook's, then before it. */
const listing = vi.hoisted(() => ({ under: '', reverse: false }));

vi.mock(import('node:fs'), async (importOriginal) => {
  const fs = await importOriginal();
  const readdirSync = (path: string): string[] => {
    const names = fs.readdirSync(path);
    if (!listing.under || !path.startsWith(listing.under)) return names;
    names.sort();
    return listing.reverse ? names.reverse() : names;
  };
  return { ...fs, readdirSync: readdirSync as typeof fs.readdirSync };
});

const ENTRIES = WRITTEN_SEARCH.entries;

afterEach(() => {
  WRITTEN_SEARCH.entries = ENTRIES;
  listing.under = '';
});

describe('filesWrittenSince, a big new folder beside the hook’s', () => {
  it('finds the hook’s file when the big folder is listed first and when it is listed last', () => {
    const since = Date.now();
    const root = realpathSync(mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'tb-written-order-')));
    try {
      // The layout of the miss: ~/.cache/tb-mutant-<pid>/logs/<date>/requests.jsonl written while another process
      // installed a virtual environment of more entries than the budget into ~/.cache/trackbench.
      const day = join(root, 'a-plugin', 'logs', '2026-12-07');
      mkdirSync(day, { recursive: true });
      writeFileSync(join(day, 'requests.jsonl'), 'new');
      const packages = join(root, 'z-venv', 'lib', 'python3.12', 'site-packages');
      mkdirSync(packages, { recursive: true });
      // More entries than the budget, which leaves room for what other processes write in /var/tmp meanwhile.
      for (let i = 0; i < 3000; i++) writeFileSync(join(packages, `m${i}.py`), '');
      WRITTEN_SEARCH.entries = 2000;
      listing.under = root;
      for (const reverse of [false, true]) {
        // 'z-venv' listed last, then first (read last found first, listed last it was read before the plugin's).
        listing.reverse = reverse;
        expect(filesWrittenSince(since, []).map((f) => f.path)).toContain(join(day, 'requests.jsonl'));
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
