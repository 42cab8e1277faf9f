// The Markdown report: the same tables, fit to paste into a pull request.
import { environmentLine, failureLines } from './format.ts';
import type { Report } from '../measure/report-types.ts';
import { markdownTable, overheadTable, perNodeTable, valuesTable } from './tables.ts';

export function markdownReport(report: Report): string {
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
    ...markdownTable(overheadTable(report)),
    '',
    ...markdownTable(perNodeTable(report)),
    '',
    ...markdownTable(valuesTable(report)),
  ];
  lines.push('', environmentLine(report));
  for (const n of report.notes) lines.push('', `Note: ${n}`);
  return `${lines.join('\n')}\n`;
}
