// The table printed after a run: the article's rows, Without / With / Overhead per hook side by
// side (or a row per hook when hooks have their own "without"), then the per-node costs and the
// values that reached the server. Plain (no colour codes) when not on a TTY or with NO_COLOR; split
// per hook when wider than the terminal.
import { DEFAULT_WIDTH, fitTable, wrapText } from './fit.ts';
import { environmentLine, faultLines } from './format.ts';
import { hasOwnBaselines, perHookTables, versionLines } from './per-hook.ts';
import { overheadTable, perNodeTable, valuesTable } from './tables.ts';
import type { Report } from '../measure/report-types.ts';

function sideBySide(report: Report, color: boolean, width: number): string[] {
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
  return [main, fitTable({ ...perNodeTable(report), stub: 1 }, width, color)];
}

/** Hooks with their own "without": one row per hook, each against its own baseline. */
function perHook(report: Report, color: boolean, width: number): string[] {
  const tables = perHookTables(report).map((t) => fitTable({ ...t, stub: 1 }, width, color));
  return [...tables, ...versionLines(report).map((l) => wrapText(`measured: ${l}`, width, '  '))];
}

export function consoleTables(report: Report, color: boolean, width = DEFAULT_WIDTH): string {
  const values = fitTable({ ...valuesTable(report, false), stub: 1 }, width, color);
  const t = report.trials;
  const header =
    `${report.scenario.name}: ${report.nodes} nodes, backend ${report.backend}\n` +
    `Medians of ${t.repetitions} paired trial(s) per variant (${t.warmup} warm-up round(s) discarded, ` +
    `${t.order} order, ${t.total} trial processes in ${(t.durationMs / 1000).toFixed(1)} s); ` +
    `overhead = median(with)/median(without) - 1, 95% bootstrap interval over paired rounds.`;
  const failed = faultLines(report).map((l) => wrapText(l, width, '  '));
  const notes = report.notes.map((n) => wrapText(`note: ${n}`, width, '  '));
  const tables = hasOwnBaselines(report) ? perHook(report, color, width) : sideBySide(report, color, width);
  return [
    ...failed,
    wrapText(header, width),
    ...tables,
    values,
    ...failed,
    wrapText(environmentLine(report), width, '  '),
    ...notes,
  ].join('\n');
}
