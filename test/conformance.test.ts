// The suite checks itself: every requirement catches at least one deliberately broken hook, and
// the reference hook passes every MUST and SHOULD it is checked on.
import { describe, expect, it } from 'vitest';
import { REQUIREMENTS } from '../src/conformance/requirements/index.ts';
import { mustFailures, runSuite } from '../src/conformance/suite.ts';
import { factoryTarget, parseTarget } from '../src/conformance/targets.ts';
import { BUILTIN_HOOKS } from '../src/tracking/registry.ts';
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
  }, 60_000);

  it('with a child run per node, also passes the nested-run requirements', async () => {
    const nested = REQUIREMENTS.filter((r) => r.id.startsWith('NST') || r.id.startsWith('RUN'));
    const target = factoryTarget('reference+children', BUILTIN_HOOKS.reference!.factory, {
      mlflow: { trackbench: { childRunPerNode: true } },
    });
    const result = await runSuite(target, { requirements: nested });
    expect(result.results.filter((r) => r.finding.status !== 'pass').map((r) => `${r.id}: ${r.finding.found}`)).toEqual(
      [],
    );
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
    }, 60_000);
  }
});
