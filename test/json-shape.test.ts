// JSON that JSON.parse takes but trackbench would misread or crash on is bad input at file:line:col, and nothing
// is written: nesting 100,000 deep inside a report (stack overflow, exit 3), 1e400 (read as Infinity and drawn),
// a key given twice (the last kept silently); in a report and in a history store line alike.
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/io.ts';

const HEAD = '{\n  "schemaVersion": 2,\n  "kind": "trackbench-run",\n';
const CASES = [
  ['nesting', `${HEAD}  "x": ${'['.repeat(100_000)}${']'.repeat(100_000)}\n}\n`, '4:107', 'nested more than 100 deep'],
  ['1e400', `${HEAD}  "nodes": 1e400\n}\n`, '4:12', 'a number too large for a double (it would read as Infinity)'],
  ['a key twice', `${HEAD}  "kind": "trackbench-gate"\n}\n`, '4:3', 'the key "kind" is given twice in one object'],
] as const;

describe('hostile JSON shapes', () => {
  it.each(CASES)(
    'a report with %s: compare, report, merge, history add exit 2 at the place',
    async (_, text, at, why) => {
      const d = mkdtempSync(join(tmpdir(), 'tb-json-shape-'));
      const file = join(d, 'r.json');
      writeFileSync(file, text);
      for (const args of [
        ['compare', file, file, '--gate-json', join(d, 'gate.json')],
        ['report', file, '--html', join(d, 'r.html')],
        ['merge', file, file, '--out', join(d, 'merged')],
        ['history', 'add', file, '--store', join(d, 'h.jsonl'), '--commit', 'abcd1234'],
      ]) {
        const r = await cli(args);
        expect([r.code, r.err.split('\n')[0]], args[0]).toEqual([
          2,
          `${file}:${at} invalid JSON (trackbench report): ${why}`,
        ]);
      }
      for (const out of ['gate.json', 'r.html', 'merged', 'h.jsonl']) expect(existsSync(join(d, out)), out).toBe(false);
    },
  );

  it('a history store line nested 100,000 deep is refused at its line, not a stack overflow', async () => {
    const d = mkdtempSync(join(tmpdir(), 'tb-json-shape-'));
    const store = join(d, 'h.jsonl');
    writeFileSync(store, `{"commit": "abcd", "x": ${'['.repeat(100_000)}${']'.repeat(100_000)}}\n`);
    const r = await cli(['history', 'html', '--store', store, '--html', join(d, 'h.html')]);
    expect([r.code, r.err]).toEqual([2, `${store}:1:124 not a JSON history entry: nested more than 100 deep\n`]);
    expect(existsSync(join(d, 'h.html'))).toBe(false);
  });
});
