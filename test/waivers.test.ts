// Waivers and not-applicable requirements at the suite and report layer: a waived failure does not
// fail the run and every reporter shows it; a requirement a target cannot be checked on is n/a
// with its reason.
import { describe, expect, it } from 'vitest';
import { REQUIREMENTS } from '../src/conformance/requirements/index.ts';
import { mustFailures, runSuite } from '../src/conformance/suite.ts';
import { factoryTarget } from '../src/conformance/targets.ts';
import { checkWaivers, waiverFor } from '../src/conformance/waivers.ts';
import { consoleSummary, junitReport, markdownMatrix, tapReport } from '../src/report/conformance.ts';

const basic = REQUIREMENTS.filter((r) => r.scenario === 'basic');

describe('waivers', () => {
  it('match by ID or pattern', () => {
    expect(waiverFor('ART-001', ['ART-*'])).toBe('ART-*');
    expect(waiverFor('ART-001', ['MOD-*', 'ART-001'])).toBe('ART-001');
    expect(waiverFor('ART-011', ['ART-00?'])).toBeUndefined();
    expect(waiverFor('RUN-002', ['ART-*'])).toBeUndefined();
    expect(() => checkWaivers(['ART-*', 'not a pattern'], '--waive')).toThrow(/not a pattern/);
  });

  it('a hook that logs nothing: waived MUST failures do not count, and every reporter shows them', async () => {
    const target = factoryTarget('builtin:silent', () => ({}));
    target.notApplicable = () => ({ 'TAG-001': 'the test says so' });
    const plain = await runSuite(target, { requirements: basic });
    const waived = await runSuite(target, {
      requirements: basic,
      waive: ['RUN-*', 'EXP-*', 'PAR-*', 'MET-*', 'TAG-*'],
    });
    expect(mustFailures(plain)).toBeGreaterThan(0);
    const left = waived.results.filter((x) => x.level === 'MUST' && x.finding.status === 'fail' && !x.waived);
    expect(mustFailures(waived)).toBe(left.length);
    expect(mustFailures(waived)).toBeLessThan(mustFailures(plain));
    expect(waived.waivers).toEqual(['RUN-*', 'EXP-*', 'PAR-*', 'MET-*', 'TAG-*']);
    const run = waived.results.find((x) => x.id.startsWith('RUN-') && x.finding.status === 'fail')!;
    expect(run.waived).toBe('RUN-*');
    const tag001 = waived.results.find((x) => x.id === 'TAG-001')!;
    expect(tag001.finding).toMatchObject({ status: 'skip', found: 'not applicable: the test says so' });
    const text = consoleSummary([waived]);
    expect(text).toContain('waivers: RUN-*, EXP-*, PAR-*, MET-*, TAG-*');
    expect(text).toContain(`WAIVED (RUN-*) ${run.id}`);
    expect(text).toContain('n/a TAG-001: the test says so');
    expect(junitReport([waived])).toContain('waived (RUN-*)');
    expect(tapReport([waived])).toContain(
      `- builtin:silent ${run.id} [${run.level}] ${run.statement} # TODO waived (RUN-*)`,
    );
    expect(markdownMatrix([waived, plain])).toContain('waived (RUN-*)');
  }, 60_000);
});
