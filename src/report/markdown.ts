// The Markdown report: the same tables, fit to paste into a pull request.
import { environmentLine, faultLines, runOptionsText } from './format.ts';
import type { Report } from '../measure/report-types.ts';
import { hasOwnBaselines, perHookTables, versionLines } from './per-hook.ts';
import { markdownTable, overheadTable, perNodeTable, valuesTable } from './tables.ts';

export function markdownReport(report: Report): string {
  const t = report.trials;
  const own = hasOwnBaselines(report);
  const overhead = overheadTable(report);
  // With their own baselines, the Without column is the first hook's.
  if (own) overhead.head[1] = `Without (${Object.keys(report.results)[0]}'s)`;
  const lines = [
    `# trackbench: ${report.scenario.name}`,
    '',
    ...faultLines(report).map((l) => `> **${l.trim()}**`),
    '',
    `${report.nodes} nodes, backend: ${report.backend}. Medians of ${t.repetitions} paired trials per variant ` +
      `(${t.warmup} warm-up rounds discarded, ${t.order} order${runOptionsText(t)}); overhead = ` +
      `median(with)/median(without) - 1 with its 95% bootstrap interval over paired rounds.`,
    '',
  ];
  if (own) {
    // Hooks with their own "without" (external hooks): a row per hook, each against its baseline.
    for (const table of perHookTables(report)) lines.push(...markdownTable(table), '');
    lines.push(...versionLines(report).map((l) => `- measured: ${l}`), '');
  }
  lines.push(
    ...markdownTable(overhead),
    '',
    ...markdownTable(perNodeTable(report)),
    '',
    ...markdownTable(valuesTable(report)),
    '',
    environmentLine(report),
  );
  for (const n of report.notes) lines.push('', `Note: ${n}`);
  return `${lines.join('\n')}\n`;
}
