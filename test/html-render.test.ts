// Rendering without a browser: data cannot break out of the page, and the page loads nothing.
import { describe, expect, it } from 'vitest';
import type { TargetResult } from '../src/conformance/types.ts';
import { esc, inlineJson } from '../src/report/html/escape.ts';
import { renderHtml } from '../src/report/html/index.ts';

const hostile = '</script><script>alert(1)</script>\u2028';
const target: TargetResult = {
  target: `command:${hostile}`,
  errors: [],
  results: [
    {
      id: 'RUN-001',
      level: 'MUST',
      statement: 'one run',
      scenario: 'basic',
      finding: { status: 'fail', expected: '<b>1</b>', found: hostile },
    },
  ],
};

describe('HTML rendering', () => {
  it('escapes text and inline JSON so no data closes a tag or opens a script', () => {
    expect(esc('<a href="x">&\'')).toBe('&lt;a href=&quot;x&quot;&gt;&amp;&#39;');
    const json = inlineJson({ s: hostile });
    expect(json).not.toContain('<');
    expect(JSON.parse(json)).toEqual({ s: hostile });
    const html = renderHtml([{ kind: 'trackbench-conformance', targets: [target] }]);
    expect(html.match(/<script/g)).toHaveLength(1); // the one JSON data block
    expect(html).toContain('&lt;/script&gt;&lt;script&gt;alert(1)');
  });

  it('references nothing outside the file and forbids loading anything', () => {
    const html = renderHtml([{ kind: 'trackbench-conformance', targets: [target] }]);
    expect(html).toContain(`content="default-src 'none'`);
    expect(html).not.toMatch(/\s(src|href)=/);
    expect(html).not.toMatch(/@import|url\(http/);
  });
});
