// The Markdown report: the same tables, fit to paste into a pull request.
import { environmentLine, rowsOf, failureLines, overheadCell, perNodeCell, valueCell, valuesRows } from './format.ts';
import type { Report } from '../measure/report-types.ts';

const row = (cells: string[]): string => `| ${cells.join(' | ')} |`;

export function markdownReport(report: Report): string {
  const hooks = Object.keys(report.results);
  const t = report.trials;
  const lines = [
    `# trackbench: ${report.scenario.name}`,
    '',
    ...failureLines(report).map((l) => `> **${l.trim()}**`),
    '',
    `${report.nodes} nodes, backend: ${report.backend}. Medians of ${t.repetitions} paired trials per variant ` +
      `(${t.warmup} warm-up rounds discarded, ${t.order} order${t.quick ? ', --quick' : ''}); overhead = ` +
      `median(with)/median(without) - 1 with its 95% bootstrap interval over paired rounds.`,
    '',
    row(['Metric', 'Without', ...hooks.flatMap((h) => [`With ${h}`, 'Overhead [95% CI]'])]),
    row(['---', ...Array<string>(1 + hooks.length * 2).fill('---:')]),
  ];
  for (const r of rowsOf(report)) {
    const first = report.results[hooks[0]!]!.metrics[r.metric];
    lines.push(
      row([
        r.label,
        valueCell(r, first, 'without'),
        ...hooks.flatMap((h) => {
          const m = report.results[h]!.metrics[r.metric];
          return [valueCell(r, m, 'with'), overheadCell(m)];
        }),
      ]),
    );
  }
  lines.push('', row(['Overhead per node', ...hooks]), row(['---', ...hooks.map(() => '---:')]));
  for (const r of rowsOf(report))
    lines.push(
      row([r.label.replace(/ \(.*\)$/, ''), ...hooks.map((h) => perNodeCell(r, report.results[h]!.metrics[r.metric]))]),
    );
  lines.push('', row(['Values per run (from the server)', ...hooks]), row(['---', ...hooks.map(() => '---:')]));
  for (const r of valuesRows(report)) lines.push(row(r));
  lines.push('', environmentLine(report));
  for (const n of report.notes) lines.push('', `Note: ${n}`);
  return `${lines.join('\n')}\n`;
}
