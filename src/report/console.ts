// The table printed after a run: the article's rows, Without / With / Overhead per hook side by
// side, then the per-node costs. Plain (no colour codes) when not on a TTY or with NO_COLOR.
import { DEFAULT_WIDTH, fitTable, wrapText } from './fit.ts';
import { ROWS, overheadCell, perNodeCell, valueCell } from './format.ts';
import type { Report } from '../measure/report-types.ts';

export function consoleTables(report: Report, color: boolean, width = DEFAULT_WIDTH): string {
  const hooks = Object.keys(report.results);
  const head = ['', 'Without', ...hooks.flatMap((h) => [`With ${h}`, 'Overhead [95% CI]'])];
  const mainRows: string[][] = [];
  for (const row of ROWS) {
    const first = report.results[hooks[0]!]!.metrics[row.metric];
    const cells = [row.label, valueCell(row, first.without.median, first.available)];
    for (const h of hooks) {
      const m = report.results[h]!.metrics[row.metric];
      cells.push(valueCell(row, m.with.median, m.available), overheadCell(m));
    }
    mainRows.push(cells);
  }
  const perNodeRows = ROWS.map((row) => [
    row.label.replace(/ \(.*\)$/, ''),
    ...hooks.map((h) => perNodeCell(row, report.results[h]!.metrics[row.metric])),
  ]);
  // Split per hook when the side-by-side table is wider than the terminal.
  const main = fitTable(
    { head, rows: mainRows, stub: 2, groups: hooks.map((_, i) => [2 + 2 * i, 3 + 2 * i]) },
    width,
    color,
  );
  const perNode = fitTable({ head: ['Overhead per node', ...hooks], rows: perNodeRows, stub: 1 }, width, color);
  const t = report.trials;
  const header =
    `${report.scenario.name}: ${report.nodes} nodes, backend ${report.backend}\n` +
    `Medians of ${t.repetitions} paired trial(s) per variant (${t.warmup} warm-up round(s) discarded, ` +
    `${t.order} order, ${t.total} trial processes in ${(t.durationMs / 1000).toFixed(1)} s); ` +
    `overhead = median(with)/median(without) - 1, 95% bootstrap interval over paired rounds.`;
  const notes = report.notes.map((n) => wrapText(`note: ${n}`, width, '  '));
  return [wrapText(header, width), main, perNode, ...notes].join('\n');
}
