// The table printed after a run: the article's rows, Without / With / Overhead per hook side by
// side, then the per-node costs and the values that reached the server. Plain (no colour codes) when
// not on a TTY or with NO_COLOR; split per hook when wider than the terminal.
import { DEFAULT_WIDTH, fitTable, wrapText } from './fit.ts';
import { environmentLine, failureLines } from './format.ts';
import { overheadTable, perNodeTable, valuesTable } from './tables.ts';
import type { Report } from '../measure/report-types.ts';

export function consoleTables(report: Report, color: boolean, width = DEFAULT_WIDTH): string {
  const hooks = Object.keys(report.results);
  const overhead = overheadTable(report);
  const main = fitTable(
    {
      head: ['', ...overhead.head.slice(1)],
      rows: overhead.rows,
      stub: 2,
      groups: hooks.map((_, i) => [2 + 2 * i, 3 + 2 * i]),
    },
    width,
    color,
  );
  const perNode = fitTable({ ...perNodeTable(report), stub: 1 }, width, color);
  const values = fitTable({ ...valuesTable(report, false), stub: 1 }, width, color);
  const t = report.trials;
  const header =
    `${report.scenario.name}: ${report.nodes} nodes, backend ${report.backend}\n` +
    `Medians of ${t.repetitions} paired trial(s) per variant (${t.warmup} warm-up round(s) discarded, ` +
    `${t.order} order, ${t.total} trial processes in ${(t.durationMs / 1000).toFixed(1)} s); ` +
    `overhead = median(with)/median(without) - 1, 95% bootstrap interval over paired rounds.`;
  const failed = failureLines(report).map((l) => wrapText(l, width, '  '));
  const notes = report.notes.map((n) => wrapText(`note: ${n}`, width, '  '));
  return [
    ...failed,
    wrapText(header, width),
    main,
    perNode,
    values,
    ...failed,
    wrapText(environmentLine(report), width, '  '),
    ...notes,
  ].join('\n');
}
