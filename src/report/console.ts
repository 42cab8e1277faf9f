// The table printed after a run: the article's rows, Without / With / Overhead per hook side by
// side, then the per-node costs. Plain (no colour codes) when not on a TTY or with NO_COLOR.
import Table from 'cli-table3';
import { ROWS, overheadCell, perNodeCell, valueCell } from './format.ts';
import type { Report } from '../measure/report-types.ts';

export function consoleTables(report: Report, color: boolean): string {
  const hooks = Object.keys(report.results);
  const style = color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] };
  const main = new Table({ head: ['', 'Without', ...hooks.flatMap((h) => [`With ${h}`, 'Overhead [95% CI]'])], style });
  for (const row of ROWS) {
    const first = report.results[hooks[0]!]!.metrics[row.metric];
    const cells = [row.label, valueCell(row, first.without.median, first.available)];
    for (const h of hooks) {
      const m = report.results[h]!.metrics[row.metric];
      cells.push(valueCell(row, m.with.median, m.available), overheadCell(m));
    }
    main.push(cells);
  }
  const perNode = new Table({ head: ['Overhead per node', ...hooks], style });
  for (const row of ROWS)
    perNode.push([
      row.label.replace(/ \(.*\)$/, ''),
      ...hooks.map((h) => perNodeCell(row, report.results[h]!.metrics[row.metric])),
    ]);
  const t = report.trials;
  const header =
    `${report.scenario.name}: ${report.nodes} nodes, backend ${report.backend}\n` +
    `Medians of ${t.repetitions} paired trial(s) per variant (${t.warmup} warm-up round(s) discarded, ` +
    `${t.order} order, ${t.total} trial processes in ${(t.durationMs / 1000).toFixed(1)} s); ` +
    `overhead = median(with)/median(without) - 1, 95% bootstrap interval over paired rounds.`;
  return [header, main.toString(), perNode.toString(), ...report.notes.map((n) => `note: ${n}`)].join('\n');
}
