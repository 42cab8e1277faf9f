// The gate's outputs for CI: a Markdown summary (verdict first, fit for a pull request or
// $GITHUB_STEP_SUMMARY) and JUnit XML with one test case per budget or regression check.
import { InputError } from '../errors.ts';
import type { GateResult } from '../stats/gate.ts';
import { DEFAULT_WIDTH, fitTable, wrapText } from './fit.ts';
import type { Report } from './types.ts';

/** Reports can be compared only when they measured the same thing. */
export function assertComparable(baseline: Report, current: Report, files: [string, string]): void {
  const problems: string[] = [];
  if (baseline.scenario.name !== current.scenario.name)
    problems.push(`different scenarios: "${baseline.scenario.name}" vs "${current.scenario.name}"`);
  if (baseline.nodes !== current.nodes)
    problems.push(`different pipelines: ${baseline.nodes} vs ${current.nodes} nodes`);
  const shared = Object.keys(current.results).filter((h) => baseline.results[h]);
  if (!shared.length)
    problems.push(
      `no hook in common (baseline: ${Object.keys(baseline.results).join(', ')}; current: ${Object.keys(current.results).join(', ')})`,
    );
  if (problems.length)
    throw new InputError(problems.map((message) => ({ file: `${files[0]} vs ${files[1]}`, message })));
}

export function gateMarkdown(result: GateResult, title: string): string {
  const failed = result.checks.filter((c) => c.status === 'fail');
  const lines = [
    `## ${result.verdict === 'pass' ? 'PASS' : 'FAIL'}: trackbench gate for ${title}`,
    '',
    result.verdict === 'pass'
      ? `All ${result.checks.length} checks passed.`
      : `${failed.length} of ${result.checks.length} checks failed: ${failed.map((c) => `\`${c.id}\``).join(', ')}.`,
    '',
    '| Check | Limit | Found | Could detect | Result |',
    '| --- | --- | --- | --- | --- |',
    ...result.checks.map(
      (c) =>
        `| ${c.id} | ${c.limit} | ${c.found} | ${c.minimumDetectable ?? 'exact'} | ${c.status === 'pass' ? 'pass' : '**FAIL**'} |`,
    ),
    '',
    'Exact figures (API calls, request bytes) are compared exactly. Noisy ones fail only when the whole 95% interval is beyond the limit and the Mann-Whitney test agrees (p < alpha); "could detect" is the half-width of that interval.',
  ];
  return `${lines.join('\n')}\n`;
}

const xml = (s: string): string =>
  s.replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!);

export function gateJunit(result: GateResult, title: string): string {
  const failures = result.checks.filter((c) => c.status === 'fail').length;
  const cases = result.checks.map(
    (c) =>
      `    <testcase classname="${xml(`trackbench.${c.kind}`)}" name="${xml(c.id)}">${c.status === 'fail' ? `<failure message="${xml(`limit ${c.limit}; found ${c.found}`)}"/>` : ''}</testcase>`,
  );
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="trackbench gate">\n  <testsuite name="${xml(title)}" tests="${result.checks.length}" failures="${failures}" errors="0" skipped="0">\n${cases.join('\n')}\n  </testsuite>\n</testsuites>\n`;
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
}

export function gateDocument(
  title: string,
  baseline: Report | null,
  current: Report,
  result: GateResult,
): GateDocument {
  return {
    kind: 'trackbench-gate',
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    title,
    baseline,
    current,
    gate: result,
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
