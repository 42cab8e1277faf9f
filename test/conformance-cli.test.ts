import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { REQUIREMENTS } from '../src/conformance/requirements.ts';
import { runSuite } from '../src/conformance/suite.ts';
import { parseTarget } from '../src/conformance/targets.ts';
import { junitReport, markdownMatrix, tapReport } from '../src/report/conformance.ts';
import { jsonObject, schemaValidator } from '../src/common/validate-yaml.ts';
import { createRequire } from 'node:module';

const conformanceSchema = jsonObject(
  createRequire(import.meta.url)('../src/report/conformance.schema.json'),
  'the conformance schema',
);

const capture = () => {
  const io = {
    stdout: '',
    stderr: '',
    isTTY: false,
    out: (t: string) => void (io.stdout += `${t}\n`),
    err: (t: string) => void (io.stderr += `${t}\n`),
  };
  return io;
};

describe('trackbench conformance', () => {
  it('passes the reference hook (exit 0) and writes JSON and JUnit with one entry per requirement', async () => {
    const out = mkdtempSync(join(tmpdir(), 'tb-conf-'));
    const io = capture();
    expect(await main(['conformance', '--target', 'builtin:reference', '--out', out], io)).toBe(0);
    expect(io.stdout).toMatch(/Total: 32\/32 MUST \(3 not applicable\), 15\/15 SHOULD/);
    const files = readdirSync(out);
    const jsonFile = join(
      out,
      files.find((f) => f.endsWith('.json'))!,
    );
    const json = JSON.parse(readFileSync(jsonFile, 'utf8')) as { targets: { results: unknown[] }[] };
    expect(json.targets[0]!.results).toHaveLength(REQUIREMENTS.length);
    const validate = schemaValidator(conformanceSchema, false);
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    const junit = readFileSync(
      join(
        out,
        files.find((f) => f.endsWith('.junit.xml'))!,
      ),
      'utf8',
    );
    expect(junit.match(/<testcase /g)).toHaveLength(REQUIREMENTS.length);
    expect(junit).toMatch(/^<\?xml version="1.0"/);
  }, 60_000);

  it('exits 1 when a MUST fails, printing expected vs found', async () => {
    const io = capture();
    expect(
      await main(
        ['conformance', '--target', 'builtin:kedro-mlflow-like', '--out', mkdtempSync(join(tmpdir(), 'tb-conf-'))],
        io,
      ),
    ).toBe(1);
    expect(io.stdout).toContain('FAIL TAG-003 MUST');
    expect(io.stdout).toContain('expected: 12 nodes named');
  }, 60_000);

  it('refuses an unknown target with exit 2 and a suggestion', async () => {
    const io = capture();
    expect(await main(['conformance', '--target', 'builtin:refrence'], io)).toBe(2);
    expect(io.stderr).toContain('did you mean "builtin:reference"?');
  });

  it('checks a Python plugin run as a separate process (command: target) end to end', async () => {
    const result = await runSuite(parseTarget('command:python3 fixtures/conformance/python_target.py'));
    const failed = result.results.filter((r) => r.finding.status === 'fail').map((r) => `${r.id}: ${r.finding.found}`);
    expect(failed).toEqual([]);
    expect(result.results.find((r) => r.id === 'RUN-005')!.finding.status).toBe('skip');
    expect(result.results.filter((r) => r.finding.status === 'pass').length).toBeGreaterThanOrEqual(40);
  }, 120_000);

  it('formats TAP, JUnit and a Markdown matrix from the same results', async () => {
    const requirements = REQUIREMENTS.filter((r) => r.scenario === 'basic').slice(0, 5);
    const a = await runSuite(parseTarget('builtin:reference'), { requirements });
    const b = await runSuite(parseTarget('builtin:naive'), { requirements });
    const tap = tapReport([a, b]);
    expect(tap.split('\n')[1]).toBe('1..10');
    expect(tap.match(/^(ok|not ok) \d+ - /gm)).toHaveLength(10);
    expect(markdownMatrix([a, b])).toContain('| Requirement | Level | builtin:reference | builtin:naive |');
    expect(junitReport([a, b]).match(/<testsuite /g)).toHaveLength(2);
  }, 60_000);
});
