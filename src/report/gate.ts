// The gate's outputs for CI: a Markdown summary (verdict first, fit for a pull request or
// $GITHUB_STEP_SUMMARY) and JUnit XML with one test case per budget or regression check.
import { junitXml, type JunitCase } from '../common/xml.ts';
import type { GateResult } from '../gate/gate.ts';
import type { Report } from '../measure/report-types.ts';
import { DEFAULT_WIDTH, fitTable, wrapText } from './fit.ts';
import { markdownRow } from './tables.ts';

/** The warnings printed before the verdict (reports not measured alike, other environments), as a quote. */
export function warningQuote(warnings: readonly string[] = []): string[] {
  return warnings.flatMap((w) => [...w.split('\n').map((l) => `> ${l}`), '']);
}

/** `warnings`: what `compare` or `run --baseline` warned of (they go where the verdict goes). */
export function gateMarkdown(result: GateResult, title: string, warnings: readonly string[] = []): string {
  const failed = result.checks.filter((c) => c.status === 'fail');
  const lines = [
    `## ${result.verdict === 'pass' ? 'PASS' : 'FAIL'}: trackbench gate for ${title}`,
    '',
    ...warningQuote(warnings),
    result.verdict === 'pass'
      ? `All ${result.checks.length} checks passed.`
      : `${failed.length} of ${result.checks.length} checks failed: ${failed.map((c) => `\`${c.id}\``).join(', ')}.`,
    '',
    markdownRow(['Check', 'Limit', 'Found', 'Could detect', 'Result']),
    markdownRow(['---', '---', '---', '---', '---']),
    ...result.checks.map((c) =>
      markdownRow([c.id, c.limit, c.found, c.minimumDetectable ?? 'exact', c.status === 'pass' ? 'pass' : '**FAIL**']),
    ),
    '',
    'Exact figures (API calls, request bytes) are compared exactly. Noisy ones fail only when the whole 95% ' +
      'interval is beyond the limit and the Mann-Whitney test agrees (p < alpha); "could detect" is the half-width ' +
      'of that interval.',
  ];
  return `${lines.join('\n')}\n`;
}

export function gateJunit(result: GateResult, title: string): string {
  const cases = result.checks.map((c): JunitCase => ({
    classname: `trackbench.${c.kind}`,
    name: c.id,
    outcome: c.status === 'fail' ? { kind: 'fail', message: `limit ${c.limit}; found ${c.found}` } : { kind: 'pass' },
  }));
  return junitXml('trackbench gate', [{ name: title, cases }]);
}

/** What a gated run or a compare leaves behind: both reports and the verdict, for HTML and history. */
export interface GateDocument {
  kind: 'trackbench-gate';
  schemaVersion: 1;
  createdAt: string;
  title: string;
  baseline: Report | null;
  current: Report;
  gate: GateResult;
  /** What was said before the verdict: reports not measured alike, other environments (absent: none). */
  warnings?: string[];
}

export function gateDocument(
  title: string,
  baseline: Report | null,
  current: Report,
  result: GateResult,
  warnings: string[] = [],
): GateDocument {
  return {
    kind: 'trackbench-gate',
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    title,
    baseline,
    current,
    gate: result,
    ...(warnings.length ? { warnings } : {}),
  };
}

/** The gate on a console: the verdict, then the checks in a table that fits the width. */
export function gateConsole(result: GateResult, title: string, color: boolean, width = DEFAULT_WIDTH): string {
  const failed = result.checks.filter((c) => c.status === 'fail');
  const head =
    result.verdict === 'pass'
      ? `PASS: trackbench gate for ${title}: all ${result.checks.length} checks passed.`
      : `FAIL: trackbench gate for ${title}: ${failed.length} of ${result.checks.length} checks failed: ` +
        `${failed.map((c) => c.id).join(', ')}.`;
  const rows = result.checks.map((c) => [
    c.id,
    c.limit,
    c.found,
    c.minimumDetectable ?? 'exact',
    c.status === 'pass' ? 'pass' : 'FAIL',
  ]);
  const t = fitTable({ head: ['Check', 'Limit', 'Found', 'Could detect', 'Result'], rows, stub: 5 }, width, color);
  return `${wrapText(head, width, '  ')}\n${t}`;
}
