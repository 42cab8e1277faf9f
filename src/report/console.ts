// The table printed after a run: the article's rows, Without / With / Overhead per hook side by
// side, then the per-node costs. Plain (no colour codes) when not on a TTY or with NO_COLOR.
import Table from 'cli-table3';
import { ROWS, overheadCell, perNodeCell, valueCell } from './format.ts';
import { hasOwnBaselines, perHookTables, versionLines } from './per-hook.ts';
import type { Report } from '../measure/report-types.ts';

type Style = { head: string[]; border: string[] };

function header(report: Report): string {
  const t = report.trials;
  return (
    `${report.scenario.name}: ${report.nodes} nodes, backend ${report.backend}\n` +
    `Medians of ${t.repetitions} paired trial(s) per variant (${t.warmup} warm-up round(s) discarded, ` +
    `${t.order} order, ${t.total} trial processes in ${(t.durationMs / 1000).toFixed(1)} s); ` +
    `overhead = median(with)/median(without) - 1, 95% bootstrap interval over paired rounds.`
  );
}

/** Hooks with their own "without": one row per hook, each against its own baseline. */
function perHookConsole(report: Report, style: Style): string {
  const tables = perHookTables(report).map((t) => {
    const table = new Table({ head: t.head, style });
    table.push(...t.rows);
    return table.toString();
  });
  const versions = versionLines(report).map((l) => `measured: ${l}`);
  return [header(report), ...tables, ...versions, ...report.notes.map((n) => `note: ${n}`)].join('\n');
}

export function consoleTables(report: Report, color: boolean): string {
  const hooks = Object.keys(report.results);
  const style = color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] };
  if (hasOwnBaselines(report)) return perHookConsole(report, style);
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
  return [header(report), main.toString(), perNode.toString(), ...report.notes.map((n) => `note: ${n}`)].join('\n');
}
