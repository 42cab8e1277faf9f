// The run report's tables, laid out once: each exporter (console, Markdown, HTML) only renders them.
import { metricOf, type Report } from '../measure/report-types.ts';
import { overheadCell, perNodeCell, rowsOf, valueCell, valuesRows } from './format.ts';

/** A table of text cells: the first column names the row, the others are right-aligned figures. */
export interface TextTable {
  head: string[];
  rows: string[][];
}

/** The article's table: Without, then With and Overhead [95% CI] for each hook. */
export function overheadTable(report: Report): TextTable {
  const results = Object.values(report.results);
  const hooks = Object.keys(report.results);
  const rows = rowsOf(report).map((row) => {
    const first = results[0] && metricOf(results[0], row.metric);
    return [
      row.label,
      first ? valueCell(row, first, 'without') : '',
      ...results.flatMap((r) => {
        const m = metricOf(r, row.metric);
        return [valueCell(row, m, 'with'), overheadCell(m)];
      }),
    ];
  });
  return { head: ['Metric', 'Without', ...hooks.flatMap((h) => [`With ${h}`, 'Overhead [95% CI]'])], rows };
}

/** Each hook's cost per pipeline node, in ms, KB and calls. */
export function perNodeTable(report: Report): TextTable {
  const results = Object.values(report.results);
  const rows = rowsOf(report).map((row) => [
    row.label.replace(/ \(.*\)$/, ''),
    ...results.map((r) => perNodeCell(row, metricOf(r, row.metric))),
  ]);
  return { head: ['Overhead per node', ...Object.keys(report.results)], rows };
}

/** Values each hook's runs produced, how many reached MLflow (read back from it), and how many were lost. */
export function valuesTable(report: Report, emphasis = true): TextTable {
  const rows = valuesRows(report).map((r) => (emphasis ? r : r.map((c) => c.replace(/\*\*/g, ''))));
  return { head: ['Values per run (from the server)', ...Object.keys(report.results)], rows };
}

/** GitHub-flavoured Markdown, figures right-aligned. */
export function markdownTable(t: TextTable): string[] {
  const rule = t.head.map((_, i) => (i === 0 ? '---' : '---:'));
  return [markdownRow(t.head), markdownRow(rule), ...t.rows.map((r) => markdownRow(r))];
}

/** One row of a Markdown table. Cells hold names users chose (hooks, targets, commands): a `|` in one would start a
 * new column and a line break would end the table, so both are escaped. */
export function markdownRow(cells: string[]): string {
  return `| ${cells.map((c) => c.replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ')).join(' | ')} |`;
}
