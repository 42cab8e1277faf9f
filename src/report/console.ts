// The table printed after a run: the article's rows, Without / With / Overhead per hook side by
// side, then the per-node costs. Plain (no colour codes) when not on a TTY or with NO_COLOR.
import Table from 'cli-table3';
import type { Report } from '../measure/report-types.ts';
import { overheadTable, perNodeTable, type TextTable } from './tables.ts';

/** One table as box-drawn text; coloured headers only when `color`. */
export function consoleTable(t: TextTable, color: boolean): string {
  const style = color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] };
  const table = new Table({ head: t.head, style });
  table.push(...t.rows);
  return table.toString();
}

export function consoleTables(report: Report, color: boolean): string {
  const render = (t: TextTable): string => consoleTable(t, color);
  const t = report.trials;
  const header =
    `${report.scenario.name}: ${report.nodes} nodes, backend ${report.backend}\n` +
    `Medians of ${t.repetitions} paired trial(s) per variant (${t.warmup} warm-up round(s) discarded, ` +
    `${t.order} order, ${t.total} trial processes in ${(t.durationMs / 1000).toFixed(1)} s); ` +
    `overhead = median(with)/median(without) - 1, 95% bootstrap interval over paired rounds.`;
  return [
    header,
    render(overheadTable(report)),
    render(perNodeTable(report)),
    ...report.notes.map((n) => `note: ${n}`),
  ].join('\n');
}
