// The short PR comment (`--summary`): the verdict first, then per hook the three figures that
// matter (wall-time overhead with its interval, cost per node, API calls per run) against the
// baseline, the failed checks, and every check folded away.
import { pct } from './format.ts';
import { warningQuote, type GateDocument } from './gate.ts';
import { markdownRow } from './tables.ts';
import type { MetricResult } from '../measure/report-types.ts';

const MAX_LISTED = 5;

function overhead(m: MetricResult | undefined): string {
  if (!m?.available || m.overhead.ratio === null) return 'n/a';
  const ci = m.overhead.ci95 ? ` [${pct(m.overhead.ci95[0])}, ${pct(m.overhead.ci95[1])}]` : '';
  return `${pct(m.overhead.ratio)}${ci}`;
}

const perNode = (m: MetricResult | undefined): string =>
  m?.available && m.overhead.perNode !== null ? `${m.overhead.perNode.toFixed(2)} ms` : 'n/a';

const calls = (m: MetricResult | undefined): string =>
  m?.available && m.with.median !== null ? String(Math.round(m.with.median)) : 'n/a';

function cell(now: string, was: string | null): string {
  return was === null || was === now ? now : `${now} (was ${was})`;
}

/** `fullChecks` is the gate's full Markdown verdict; its checks table goes into the folded part. */
export function summaryMarkdown(doc: GateDocument, fullChecks: string): string {
  const failed = doc.gate.checks.filter((c) => c.status === 'fail');
  const pass = doc.gate.verdict === 'pass';
  const lines = [
    `### ${pass ? 'PASS' : 'FAIL'}: trackbench gate for ${doc.title}`,
    '',
    pass
      ? `All ${doc.gate.checks.length} checks passed${doc.baseline ? ' against the baseline' : ''}.`
      : `**${failed.length} of ${doc.gate.checks.length} checks failed.**`,
    '',
    ...warningQuote(doc.warnings),
    markdownRow(['Hook', 'Wall-time overhead [95% CI]', 'Cost per node', 'API calls per run']),
    markdownRow(['---', '---:', '---:', '---:']),
  ];
  for (const [hook, r] of Object.entries(doc.current.results)) {
    const b = doc.baseline?.results[hook]?.metrics;
    const m = r.metrics;
    const cells = [
      cell(overhead(m.wallMs), b ? overhead(b.wallMs) : null),
      cell(perNode(m.wallMs), b ? perNode(b.wallMs) : null),
      cell(calls(m.apiCalls), b ? calls(b.apiCalls) : null),
    ];
    lines.push(markdownRow([hook, ...cells]));
  }
  if (failed.length) {
    lines.push('', 'Failed:');
    for (const c of failed.slice(0, MAX_LISTED)) lines.push(`- \`${c.id}\`: ${c.found} (limit ${c.limit})`);
    if (failed.length > MAX_LISTED) lines.push(`- and ${failed.length - MAX_LISTED} more`);
  }
  // The full verdict without its heading: the comment has already said it.
  const checksTable = fullChecks.slice(Math.max(0, fullChecks.indexOf('| Check'))).trim();
  lines.push('', `<details><summary>All ${doc.gate.checks.length} checks</summary>`, '', checksTable, '', '</details>');
  return `${lines.join('\n')}\n`;
}
