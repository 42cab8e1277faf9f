// The gate's outputs for CI: a Markdown summary (verdict first, fit for a pull request or
// $GITHUB_STEP_SUMMARY) and JUnit XML with one test case per budget or regression check.
import type { GateResult } from '../gate/gate.ts';

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
