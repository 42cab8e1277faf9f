// The suite checks itself: every requirement catches at least one deliberately broken hook, and
// the reference hook passes every MUST and SHOULD it is checked on.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { REQUIREMENTS } from '../src/conformance/requirements/index.ts';
import { mustFailures, runSuite } from '../src/conformance/suite.ts';
import { parseTarget } from '../src/conformance/targets.ts';
import { targetOptions } from '../src/conformance/target-options.ts';
import { MUTANTS } from './conformance/mutants.ts';

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
  it('passes every MUST and SHOULD it is checked on', async () => {
    const result = await runSuite(parseTarget('builtin:reference'));
    const failed = result.results
      .filter((r) => r.finding.status === 'fail')
      .map((r) => `${r.id}: expected ${r.finding.expected}; found ${r.finding.found}`);
    expect(failed).toEqual([]);
    expect(result.results.filter((r) => r.finding.status === 'pass').length).toBeGreaterThanOrEqual(
      REQUIREMENTS.length - 3,
    );
  }, 90_000);

  it('passes the parameter requirements under every long-value strategy and flattening setting', async () => {
    const params = REQUIREMENTS.filter((r) => ['PAR-006', 'PAR-010', 'PAR-011', 'FLT-005'].includes(r.id));
    for (const opts of [
      ['long_params_strategy=truncate'],
      ['long_params_strategy=tag'],
      ['flatten=true'],
      ['flatten=true', 'recursive=false', 'sep=/'],
    ]) {
      const result = await runSuite(parseTarget('builtin:reference', targetOptions(opts)), { requirements: params });
      const failed = result.results
        .filter((r) => r.finding.status !== 'pass')
        .map((r) => `${r.id}: ${r.finding.found}`);
      expect(failed, opts.join(' ')).toEqual([]);
    }
  }, 120_000);

  it('with a child run per node, also passes the nested-run requirements', async () => {
    // FLT-007 aside: with a child run per node the reference hook's one-request-at-a-time delivery backs up
    // behind a slow server (a known limit of its delivery, being rewritten).
    const nested = REQUIREMENTS.filter((r) => r.id !== 'FLT-007');
    const target = parseTarget('builtin:reference', targetOptions(['childRunPerNode=true']));
    const result = await runSuite(target, { requirements: nested });
    expect(result.results.filter((r) => r.finding.status === 'fail').map((r) => `${r.id}: ${r.finding.found}`)).toEqual(
      [],
    );
    for (const id of ['NST-001', 'NST-002', 'NST-003'])
      expect(result.results.find((r) => r.id === id)!.finding.status).toBe('pass');
  }, 60_000);
});

describe('every mutant is caught by the requirement it targets', () => {
  for (const m of MUTANTS) {
    it(`${m.name} fails ${m.breaks.join(', ')}`, async () => {
      const result = await runSuite(m.target, { requirements: REQUIREMENTS.filter((r) => m.breaks.includes(r.id)) });
      for (const id of m.breaks) {
        const r = result.results.find((x) => x.id === id)!;
        expect(r.finding.status, `${id}: expected ${r.finding.expected}; found ${r.finding.found}`).toBe('fail');
      }
      if (m.breaks.some((id) => REQUIREMENTS.find((r) => r.id === id)!.level === 'MUST'))
        expect(mustFailures(result)).toBeGreaterThan(0);
    }, 90_000);
  }
});
