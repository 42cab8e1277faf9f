// A finding may quote what a hook raised or printed (a pipeline error, a command's last line): the test secrets a
// hook leaks there never reach a report; the SEC-* requirements say where they leaked.
import { describe, expect, it } from 'vitest';
import { CONFORMANCE_PASSWORD, CONFORMANCE_SECRET } from '../src/conformance/observe.ts';
import { REQUIREMENTS } from '../src/conformance/requirements/index.ts';
import { runSuite } from '../src/conformance/suite.ts';
import { factoryTarget } from '../src/conformance/targets.ts';
import type { Requirement } from '../src/conformance/types.ts';
import { consoleSummary, junitReport } from '../src/report/conformance.ts';

/** Quotes the pipeline error whole, as FLT-001 quotes its start. */
const QUOTES_THE_ERROR: Requirement = {
  ...REQUIREMENTS.find((r) => r.id === 'RUN-002')!,
  id: 'TST-001',
  check: (o) => ({ status: 'fail', expected: 'no error', found: o.pipelineError ?? 'none' }),
};

describe('findings that quote a hook', () => {
  it('never carry the test token or password it leaked', async () => {
    const target = factoryTarget('builtin:leaky', () => ({
      beforePipelineRun: () => {
        const env = process.env;
        throw new Error(`cannot log in with ${env.MLFLOW_TRACKING_TOKEN} / ${env.MLFLOW_TRACKING_PASSWORD}`);
      },
    }));
    const result = await runSuite(target, { requirements: [QUOTES_THE_ERROR] });
    const found = result.results[0]!.finding.found;
    expect(found).toContain('cannot log in with *** / ***');
    for (const text of [JSON.stringify(result), consoleSummary([result]), junitReport([result])]) {
      expect(text).not.toContain(CONFORMANCE_SECRET);
      expect(text).not.toContain(CONFORMANCE_PASSWORD);
    }
  }, 60_000);
});
