import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import { safeFileName, timestamped } from '../src/common/file-names.ts';
import { escapeXml, junitXml } from '../src/common/xml.ts';

describe('XML and JUnit', () => {
  it('escapes markup and drops the control characters XML 1.0 forbids, keeping tab and newline', () => {
    expect(escapeXml(`a<b>&"c'\u0000\u0007\u001b\td\n`)).toBe('a&lt;b&gt;&amp;&quot;c&apos;\td\n');
  });

  it('writes one valid document with counts per suite, whatever the messages hold', () => {
    const xml = junitXml('t', [
      {
        name: 's<1>',
        cases: [
          { classname: 'c', name: 'ok', outcome: { kind: 'pass' } },
          { classname: 'c', name: 'bad', outcome: { kind: 'fail', message: 'got \u0001"x"', type: 'MUST' } },
          { classname: 'c', name: 'n/a', outcome: { kind: 'skip', message: 'not here' } },
        ],
      },
    ]);
    expect(XMLValidator.validate(xml)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false }) as { parse(s: string): unknown };
    const suite = (parsed.parse(xml) as { testsuites: { testsuite: Record<string, unknown> } }).testsuites.testsuite;
    expect(suite).toMatchObject({ '@_name': 's<1>', '@_tests': '3', '@_failures': '1', '@_skipped': '1' });
    expect(xml).toContain('<failure message="got &quot;x&quot;" type="MUST"/>');
  });
});

describe('file names', () => {
  it('timestamps sort as text and hold no colon or dot', () => {
    const a = timestamped('run', new Date('2026-01-02T03:04:05.006Z'));
    expect(a).toBe('run-2026-01-02T03-04-05-006Z');
    expect(timestamped('run', new Date('2026-01-02T03:04:05.007Z')) > a).toBe(true);
  });

  it('makes one safe path segment', () => {
    expect(safeFileName('a/b:c d.e-f_g')).toBe('a_b_c_d.e-f_g');
  });
});
