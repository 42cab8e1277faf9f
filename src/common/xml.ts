// XML text and one JUnit writer for every report that CI reads as test results (the gate, conformance).

const ENTITIES: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' };

/** Escapes markup and drops the control characters XML 1.0 does not allow (a JUnit reader would reject the file). */
export function escapeXml(text: string): string {
  return (
    text
      .replace(/[<>&"']/g, (c) => ENTITIES[c] ?? c)
      // eslint-disable-next-line no-control-regex -- these characters are what is being removed
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, '')
  );
}

export interface JunitCase {
  classname: string;
  name: string;
  /** A failure's message (and `type`, if any); a skip's reason; nothing for a pass. */
  outcome: { kind: 'pass' } | { kind: 'fail'; message: string; type?: string } | { kind: 'skip'; message: string };
}

export interface JunitSuite {
  name: string;
  cases: JunitCase[];
}

function testcase(c: JunitCase): string {
  const o = c.outcome;
  const type = o.kind === 'fail' && o.type !== undefined ? ` type="${escapeXml(o.type)}"` : '';
  const body =
    o.kind === 'fail'
      ? `<failure message="${escapeXml(o.message)}"${type}/>`
      : o.kind === 'skip'
        ? `<skipped message="${escapeXml(o.message)}"/>`
        : '';
  return `    <testcase classname="${escapeXml(c.classname)}" name="${escapeXml(c.name)}">${body}</testcase>`;
}

/** A JUnit XML document: one <testsuite> per suite, one <testcase> per case. */
export function junitXml(name: string, suites: JunitSuite[]): string {
  const body = suites.map((s) => {
    const count = (kind: JunitCase['outcome']['kind']): number => s.cases.filter((c) => c.outcome.kind === kind).length;
    const attributes = [
      `name="${escapeXml(s.name)}"`,
      `tests="${s.cases.length}"`,
      `failures="${count('fail')}"`,
      `errors="0"`,
      `skipped="${count('skip')}"`,
    ];
    return [`  <testsuite ${attributes.join(' ')}>`, ...s.cases.map(testcase), '  </testsuite>'].join('\n');
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(name)}">`,
    ...body,
    '</testsuites>',
    '',
  ].join('\n');
}
