// Markdown tables hold names users chose (a command target, a hook): a `|` or a line break in one must not shift
// the columns or end the table a PR comment shows.
import { describe, expect, it } from 'vitest';
import type { TargetResult } from '../src/conformance/types.ts';
import { markdownMatrix } from '../src/report/conformance.ts';
import { gateMarkdown, type GateDocument } from '../src/report/gate.ts';
import { summaryMarkdown } from '../src/report/summary.ts';
import { markdownTable } from '../src/report/tables.ts';

/** The cells of a Markdown table row, split on the pipes that are not escaped. */
const cellsOf = (row: string): string[] =>
  row
    .slice(2, -2)
    .split(/(?<!\\) \| /)
    .map((c) => c.replace(/\\\|/g, '|'));

describe('Markdown table cells', () => {
  it('escape a pipe and fold a line break, so every row keeps its columns', () => {
    const rows = markdownTable({ head: ['Metric', 'With a|b'], rows: [['wall\ntime', '1 | 2']] });
    expect(rows.map((r) => cellsOf(r).length)).toEqual([2, 2, 2]);
    expect(cellsOf(rows[0]!)).toEqual(['Metric', 'With a|b']);
    expect(cellsOf(rows[2]!)).toEqual(['wall time', '1 | 2']);
  });

  it('in the conformance matrix: a command target with a pipe is one column', () => {
    const target: TargetResult = {
      target: 'command:python run.py | tee log',
      errors: [],
      results: [
        {
          id: 'RUN-001',
          level: 'MUST',
          statement: 'One run per pipeline run.',
          scenario: 'basic',
          finding: { status: 'pass', expected: '1 run', found: '1 run' },
        },
      ],
    };
    const table = markdownMatrix([target])
      .split('\n')
      .filter((l) => l.startsWith('|'));
    expect(table.map((r) => cellsOf(r).length)).toEqual([3, 3, 3, 3]);
    expect(cellsOf(table[0]!)[2]).toBe('command:python run.py | tee log');
  });

  it('in the gate table: a check on a hook whose name has a pipe is one row of five cells', () => {
    const md = gateMarkdown(
      {
        verdict: 'fail',
        checks: [
          {
            id: 'budget a | b apiCalls max',
            hook: 'a | b',
            metric: 'apiCalls',
            kind: 'budget',
            limit: '10',
            found: '12',
            status: 'fail',
          },
        ],
      },
      'scenario',
    );
    const table = md.split('\n').filter((l) => l.startsWith('|'));
    expect(table.map((r) => cellsOf(r).length)).toEqual([5, 5, 5]);
    expect(cellsOf(table[2]!)[0]).toBe('budget a | b apiCalls max');
  });

  it('in the PR summary: a hook whose name has a pipe is one row of four cells', () => {
    // Only what the summary reads: the hook's figures are absent (n/a), which is enough for the row's shape.
    const doc = {
      title: 'scenario',
      baseline: null,
      current: { results: { 'a | b': { metrics: {} } } },
      gate: { verdict: 'pass', checks: [] },
    } as unknown as GateDocument;
    const table = summaryMarkdown(doc, '')
      .split('\n')
      .filter((l) => l.startsWith('|'));
    expect(table.map((r) => cellsOf(r).length)).toEqual([4, 4, 4]);
    expect(cellsOf(table[2]!)[0]).toBe('a | b');
  });
});
