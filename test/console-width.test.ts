// At 120 columns no console line of run, sweep, compare, conformance or bench is wider than 120:
// wide tables are split per hook (or wrapped inside their cells), prose is word-wrapped.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { consoleTables } from '../src/report/console.ts';
import { fitTable, visibleWidth, wrapText } from '../src/report/fit.ts';
import { markdownReport } from '../src/report/markdown.ts';
import { readReport } from '../src/report/read.ts';
import type { Report } from '../src/measure/report-types.ts';
import { LONG_A, LONG_B, captureIo, scenarioFile } from './helpers/html-scenario.ts';

const widest = (text: string): number => Math.max(...text.split('\n').map(visibleWidth));
const tooWide = (text: string, width: number): string[] => text.split('\n').filter((l) => visibleWidth(l) > width);

describe('console output fits 120 columns', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-width-'));
  let runOut = '';
  let report: Report;
  let reportFile = '';
  beforeAll(async () => {
    const io = captureIo(120);
    expect(await main(['run', scenarioFile(), '--quick', '--out', dir], io), io.stderr).toBe(0);
    runOut = io.stdout;
    reportFile = join(
      dir,
      readdirSync(dir).find((f) => f.endsWith('.json'))!,
    );
    report = readReport(reportFile);
  }, 300_000);

  it('run: the side-by-side table would be wider, so it is printed one block per hook', () => {
    expect(widest(consoleTables(report, false, 10_000))).toBeGreaterThan(120);
    expect(tooWide(runOut, 120)).toEqual([]);
    expect(runOut.match(/│ Without │/g)).toHaveLength(2);
    expect(runOut).toContain(`With ${LONG_A}`);
    expect(runOut).toContain(`With ${LONG_B}`);
    // Markdown keeps the full table: both hooks on one row.
    const md = markdownReport(report)
      .split('\n')
      .find((l) => l.startsWith('| Pipeline execution time'))!;
    expect(md.split('|').length - 2).toBe(1 + 1 + 2 * 2);
  });

  it('run at 80 and 50 columns still fits (cells wrap inside their columns when a block is too wide)', () => {
    for (const w of [80, 50]) expect(tooWide(consoleTables(report, false, w), w), String(w)).toEqual([]);
  });

  it('compare', async () => {
    const io = captureIo(120);
    expect(await main(['compare', reportFile, reportFile], io), io.stderr).toBe(0);
    expect(io.stdout).toMatch(/^PASS: trackbench gate/);
    expect(tooWide(io.stdout, 120)).toEqual([]);
  });

  it('sweep', async () => {
    const io = captureIo(120);
    const args = ['sweep', scenarioFile(), '--nodes', '3,6', '--quick', '--out', join(dir, 'sweep')];
    expect(await main(args, io), io.stderr).toBe(0);
    expect(io.stdout).toContain('Growth of hook cost');
    expect(tooWide(io.stdout, 120)).toEqual([]);
  }, 300_000);

  it('conformance, with failures and their expected/found lines', async () => {
    const io = captureIo(120);
    expect(await main(['conformance', '--target', 'builtin:naive', '--out', join(dir, 'conf')], io)).toBe(1);
    expect(io.stdout).toContain('FAIL ');
    expect(tooWide(io.stdout, 120)).toEqual([]);
  }, 300_000);

  it('bench', async () => {
    const io = captureIo(120);
    expect(await main(['bench', '--time', '10', '--hook', 'reference,naive'], io), io.stderr).toBe(0);
    expect(io.stdout).toContain('afterNodeRun');
    expect(tooWide(io.stdout, 120)).toEqual([]);
  }, 300_000);
});

describe('fitting helpers', () => {
  it('keeps a table that fits as it is, and splits column groups into blocks that fit', () => {
    const spec = { head: ['k', 'a', 'b'], rows: [['x', '1', '2']], stub: 1 };
    expect(fitTable(spec, 120, false).split('\n')).toHaveLength(5);
    const wide = { head: ['label', 'x'.repeat(50), 'y'.repeat(50)], rows: [['r', '1', '2']], stub: 1 };
    const out = fitTable(wide, 80, false);
    expect(tooWide(out, 80)).toEqual([]);
    expect(out.match(/│ label/g)).toHaveLength(2);
  });

  it('wraps prose at word boundaries and cuts words longer than the line', () => {
    const text = wrapText(`${'word '.repeat(40)}${'z'.repeat(70)}`, 30, '  ');
    expect(tooWide(text, 30)).toEqual([]);
    expect(text.replace(/\s+/g, '')).toBe(`${'word'.repeat(40)}${'z'.repeat(70)}`);
  });
});
