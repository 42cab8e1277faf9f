// Each requirement earns its place: some mutant is caught by it and by no requirement outside its
// family (run on the whole catalogue), so none is only a copy of another's check.
import { afterAll, describe, expect, it } from 'vitest';
import { REQUIREMENTS } from '../src/conformance/requirements/index.ts';
import { judgedMustFailures, runSuite } from '../src/conformance/suite.ts';
import { situationLine } from '../src/conformance/situation-error.ts';
import { MUTANTS, PARENT_REOPENED_PER_CHILD, removeMutantFiles } from './conformance/mutants.ts';
import { stopLeaks } from './conformance/leaky-hook.ts';
import { stopHelpers } from './conformance/leaky-process-hook.ts';

/** The loss checks read the same values as the parameter, metric, artifact and model checks: a value changed
 * or dropped is one not delivered (after an outage too, FLT-013, once nodes start late enough to be judged).
 * They count as members of those families. */
const LOSS = ['FLT-003', 'FLT-005', 'FLT-006', 'FLT-013'];
const VALUE_FAMILIES = ['PAR', 'MET', 'ART', 'MOD'];
/** The spill checks file each value in the run the nesting checks expect it in on the server: a hook that
 * files values in the wrong run spills them there too. They count as members of the nesting family. */
const SPILL_PLACEMENT = ['FLT-010', 'FLT-011'];
const familyOf = (id: string): string => id.slice(0, 3);

function inFamily(id: string, breaks: string[]): boolean {
  const families = new Set(breaks.map(familyOf));
  return (
    families.has(familyOf(id)) ||
    (LOSS.includes(id) && VALUE_FAMILIES.some((f) => families.has(f))) ||
    (SPILL_PLACEMENT.includes(id) && families.has('NST'))
  );
}

describe('mutants caught by their own family alone', () => {
  const alone = MUTANTS.filter((m) => m.alone);
  // The host-exit mutant leaves a timer wherever it runs, this process included.
  afterAll(stopLeaks);
  afterAll(stopHelpers);
  afterAll(removeMutantFiles);

  it('every requirement has one', () => {
    const covered = new Set(alone.flatMap((m) => m.breaks));
    expect(REQUIREMENTS.map((r) => r.id).filter((id) => !covered.has(id))).toEqual([]);
  });

  for (const m of alone) {
    it(`${m.name}: fails ${m.breaks.join(', ')} and nothing outside their family`, async () => {
      const result = await runSuite(m.target);
      // Caught means judged: a situation the mutant stopped leaves its requirements failed but not judged.
      expect(result.errors.map(situationLine), 'situations that did not run').toEqual([]);
      const judged = result.results.filter((r) => r.finding.status === 'fail' && !r.finding.error);
      const failed = [...new Set(judged.map((r) => r.id))];
      expect(
        m.breaks.filter((id) => !failed.includes(id)),
        'not caught by',
      ).toEqual([]);
      const outside = result.results.filter(
        (r) => r.finding.status === 'fail' && !inFamily(r.id, m.breaks) && !m.baseFails?.includes(r.id),
      );
      expect(outside.map((r) => `${r.id}: ${r.finding.found}`)).toEqual([]);
      if (m.breaks.some((id) => REQUIREMENTS.find((r) => r.id === id)!.level === 'MUST'))
        expect(judgedMustFailures(result)).toBeGreaterThan(0);
    }, 120_000);
  }
});

describe('a parent run re-opened at each node and ended after its children (kedro-mlflow re-enters its run)', () => {
  it('is not taken for a parent ended before its children (NST-014)', async () => {
    const nst014 = REQUIREMENTS.filter((r) => r.id === 'NST-014');
    const result = await runSuite(PARENT_REOPENED_PER_CHILD, { requirements: nst014 });
    const findings = result.results.filter((r) => r.id === 'NST-014').map((r) => r.finding);
    // checked where the hook makes child runs (its childRunPerNode mode); skipped where it makes none
    expect(findings.filter((f) => f.status === 'pass').length, JSON.stringify(findings)).toBeGreaterThan(0);
    expect(findings.filter((f) => f.status === 'fail')).toEqual([]);
  }, 120_000);
});
