// The Markdown report: the same tables, fit to paste into a pull request.
import { ROWS, overheadCell, perNodeCell, valueCell } from './format.ts';
import { hasOwnBaselines, perHookTables, versionLines } from './per-hook.ts';
import type { Report } from '../measure/report-types.ts';

const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;

export function markdownReport(report: Report): string {
  const hooks = Object.keys(report.results);
  const t = report.trials;
  const lines = [
    `# trackbench: ${report.scenario.name}`,
    '',
    `${report.nodes} nodes, backend: ${report.backend}. Medians of ${t.repetitions} paired trials per variant ` +
      `(${t.warmup} warm-up rounds discarded, ${t.order} order${t.quick ? ', --quick' : ''}); overhead = ` +
      `median(with)/median(without) - 1 with its 95% bootstrap interval over paired rounds.`,
    '',
  ];
  if (hasOwnBaselines(report)) {
    // Hooks with their own "without" (external hooks): a row per hook, each against its baseline.
    for (const table of perHookTables(report))
      lines.push(row(table.head), row(['---', ...table.head.slice(1).map(() => '---:')]), ...table.rows.map(row), '');
    lines.push(...versionLines(report).map((l) => `- measured: ${l}`), '');
  }
  lines.push(
    row([
      'Metric',
      hasOwnBaselines(report) ? `Without (${hooks[0]}'s)` : 'Without',
      ...hooks.flatMap((h) => [`With ${h}`, 'Overhead [95% CI]']),
    ]),
    row(['---', ...Array<string>(1 + hooks.length * 2).fill('---:')]),
  );
  for (const r of ROWS) {
    const first = report.results[hooks[0]!]!.metrics[r.metric];
    lines.push(
      row([
        r.label,
        valueCell(r, first.without.median, first.available),
        ...hooks.flatMap((h) => {
          const m = report.results[h]!.metrics[r.metric];
          return [valueCell(r, m.with.median, m.available), overheadCell(m)];
        }),
      ]),
    );
  }
  lines.push('', row(['Overhead per node', ...hooks]), row(['---', ...hooks.map(() => '---:')]));
  for (const r of ROWS)
    lines.push(
      row([r.label.replace(/ \(.*\)$/, ''), ...hooks.map((h) => perNodeCell(r, report.results[h]!.metrics[r.metric]))]),
    );
  lines.push('', row(['Values per run', ...hooks]), row(['---', ...hooks.map(() => '---:')]));
  for (const k of ['params', 'metrics', 'artifacts', 'models']) {
    lines.push(
      row([
        `${k} produced / delivered`,
        ...hooks.map((h) => {
          const v = report.results[h]!.values;
          return `${v.produced[k] ?? 0} / ${v.delivered ? (v.delivered[k] ?? 0) : 'n/a'}`;
        }),
      ]),
    );
  }
  lines.push(
    '',
    `Environment: Node ${report.environment.node}, ${report.environment.cpuModel} x ${report.environment.cores}, ` +
      `${report.environment.os}; trackbench ${report.trackbenchVersion}; ${report.createdAt}.`,
  );
  for (const n of report.notes) lines.push('', `Note: ${n}`);
  return `${lines.join('\n')}\n`;
}
