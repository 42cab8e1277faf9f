// The gate's outputs for CI: a Markdown summary (verdict first, fit for a pull request or
// $GITHUB_STEP_SUMMARY) and JUnit XML with one test case per budget or regression check.
import { junitXml, type JunitCase } from '../common/xml.ts';
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
        `| ${c.id} | ${c.limit} | ${c.found} | ${c.minimumDetectable ?? 'exact'} | ` +
        `${c.status === 'pass' ? 'pass' : '**FAIL**'} |`,
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
