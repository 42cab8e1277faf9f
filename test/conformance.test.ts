// The suite checks itself: every requirement catches at least one deliberately broken hook, and
// the reference hook passes every MUST and SHOULD it is checked on.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REQUIREMENTS } from '../src/conformance/requirements/index.ts';
import { judgedMustFailures, runSuite } from '../src/conformance/suite.ts';
import { parseTarget } from '../src/conformance/targets.ts';
import { targetOptions } from '../src/conformance/target-options.ts';
import { ERROR_END_KEPT, MUTANTS } from './conformance/mutants.ts';
import { resultName } from '../src/conformance/modes.ts';

describe('requirement catalogue', () => {
  it('has at least 40 requirements with unique IDs, a level, a statement and a rationale', () => {
    expect(REQUIREMENTS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(REQUIREMENTS.map((r) => r.id)).size).toBe(REQUIREMENTS.length);
    for (const r of REQUIREMENTS) {
      expect(r.id).toMatch(/^[A-Z]{3}-\d{3}$/);
      expect(['MUST', 'SHOULD', 'MAY']).toContain(r.level);
      expect(r.statement.length).toBeGreaterThan(20);
      expect(r.rationale.length).toBeGreaterThan(20);
    }
  });

  it('cites a source for every requirement, in one line', () => {
    for (const r of REQUIREMENTS)
      expect(r.source, r.id).toMatch(/^(MLflow|kedro-mlflow|Kedro|trackbench's own)[^\n]{10,}$/);
  });

  it("the README's counts are the catalogue's", () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const musts = REQUIREMENTS.filter((r) => r.level === 'MUST').length;
    expect(readme).toContain(
      `**${REQUIREMENTS.length} requirements** (${musts} MUST, ${REQUIREMENTS.length - musts} SHOULD)`,
    );
    expect(readme).toContain(`**${MUTANTS.length} mutants**`);
  });

  it('has a mutant for every requirement', () => {
    const covered = new Set(MUTANTS.flatMap((m) => m.breaks));
    expect(REQUIREMENTS.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });
});

describe('the reference hook', () => {
  it('passes every MUST and SHOULD it is checked on, in every mode it honours', async () => {
    const result = await runSuite(parseTarget('builtin:reference'));
    const failed = result.results
      .filter((r) => r.finding.status === 'fail')
      .map((r) => `${resultName(r)}: expected ${r.finding.expected}; found ${r.finding.found}`);
    expect(failed).toEqual([]);
    // Every requirement is checked; those that depend on a setting once per value of it.
    expect(new Set(result.results.map((r) => r.id))).toEqual(new Set(REQUIREMENTS.map((r) => r.id)));
    const modes = (id: string) =>
      result.results.filter((r) => r.id === id).map((r) => `${r.mode}: ${r.finding.status}`);
    expect(modes('NST-001')).toEqual(['childRunPerNode=false: skip', 'childRunPerNode=true: pass']);
    expect(modes('PAR-006')).toEqual([
      'long_params_strategy=fail: pass',
      'long_params_strategy=tag: pass',
      'long_params_strategy=truncate: pass',
    ]);
    // Nested runs, two more long-value strategies and two more flattening settings.
    expect(modes('PAR-010')).toHaveLength(6);
    expect(result.results.filter((r) => !r.mode).map((r) => r.id)).toEqual(
      REQUIREMENTS.filter((r) => !r.dependsOn).map((r) => r.id),
    );
  }, 120_000);

  it('keeps its spill file in the temp folder it is given, even when that is in the working folder', async () => {
    const saved = process.env.TMPDIR;
    // Inside the working folder (the repository), removed below.
    const inside = mkdtempSync(join(process.cwd(), '.tb-tmpdir-'));
    process.env.TMPDIR = inside;
    try {
      const requirements = REQUIREMENTS.filter((r) => r.id === 'FLT-014');
      const [result] = (await runSuite(parseTarget('builtin:reference'), { requirements })).results;
      expect(result!.finding.status, result!.finding.found).toBe('pass');
      expect(result!.finding.found).toContain(`${inside}/`);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
      rmSync(inside, { recursive: true, force: true });
    }
  }, 60_000);

  it('--option pins a setting: it is checked in that value only', async () => {
    const requirements = REQUIREMENTS.filter((r) => ['NST-002', 'PAR-006'].includes(r.id));
    const target = parseTarget(
      'builtin:reference',
      targetOptions(['childRunPerNode=true', 'long_params_strategy=tag']),
    );
    const result = await runSuite(target, { requirements });
    expect(result.results.map((r) => `${resultName(r)}: ${r.finding.status}`)).toEqual([
      'PAR-006 [long_params_strategy=tag]: pass',
      'NST-002 [childRunPerNode=true]: pass',
    ]);
  }, 60_000);
});

describe("a long error's end kept instead of its start", () => {
  it('is recorded (RUN-006) and marked as cut (RUN-015)', async () => {
    const requirements = REQUIREMENTS.filter((r) => ['RUN-006', 'RUN-015'].includes(r.id));
    const result = await runSuite(ERROR_END_KEPT, { requirements });
    expect(result.errors).toEqual([]);
    expect(result.results.map((r) => `${r.id} ${r.finding.status}: ${r.finding.found}`)).toEqual([
      expect.stringMatching(/^RUN-006 pass: /),
      'RUN-015 pass: trackbench.error (8000 characters)',
    ]);
  }, 60_000);
});

describe('every mutant is caught by the requirement it targets', () => {
  // Those caught by their family alone are run on the whole catalogue in conformance-mutants.test.ts.
  for (const m of MUTANTS.filter((x) => !x.alone)) {
    it(`${m.name} fails ${m.breaks.join(', ')}`, async () => {
      const result = await runSuite(m.target, { requirements: REQUIREMENTS.filter((r) => m.breaks.includes(r.id)) });
      for (const id of m.breaks) {
        // caught in some mode (a nesting mutant's child runs are checked in the childRunPerNode=true one)
        // caught means judged: not failed as not judged because a situation did not run (finding.error)
        const rs = result.results.filter((x) => x.id === id);
        const r = rs.find((x) => x.finding.status === 'fail' && !x.finding.error) ?? rs[0]!;
        expect(r.finding.status, `${id}: expected ${r.finding.expected}; found ${r.finding.found}`).toBe('fail');
        expect(r.finding.error, `${id}: ${r.finding.found}`).toBeUndefined();
      }
      if (m.breaks.some((id) => REQUIREMENTS.find((r) => r.id === id)!.level === 'MUST'))
        expect(judgedMustFailures(result)).toBeGreaterThan(0);
    }, 90_000);
  }
});
