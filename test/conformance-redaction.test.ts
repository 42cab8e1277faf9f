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

/** Quotes the start of the pipeline error, cut inside the token (as checks cut excerpts): all but its last 11. */
const QUOTES_A_PIECE: Requirement = {
  ...QUOTES_THE_ERROR,
  id: 'TST-002',
  check: (o) => {
    const error = o.pipelineError ?? '';
    return { status: 'fail', expected: 'no error', found: error.slice(0, error.indexOf(' / ') - 11) };
  },
};

describe('findings that quote a hook', () => {
  it('never carry the test token or password it leaked', async () => {
    const target = factoryTarget('builtin:leaky', () => ({
      beforePipelineRun: () => {
        const env = process.env;
        throw new Error(`cannot log in with ${env.MLFLOW_TRACKING_TOKEN} / ${env.MLFLOW_TRACKING_PASSWORD}`);
      },
    }));
    const result = await runSuite(target, { requirements: [QUOTES_THE_ERROR, QUOTES_A_PIECE] });
    const [whole, piece] = result.results.map((r) => r.finding.found);
    expect(whole).toContain('cannot log in with *** / ***');
    // The start of the message and 21 characters of the token: no whole secret to mask, so it is withheld.
    expect(piece).toMatch(/^\[withheld: it quotes a test secret/);
    for (const text of [JSON.stringify(result), consoleSummary([result]), junitReport([result])]) {
      expect(text).not.toContain(CONFORMANCE_SECRET);
      expect(text).not.toContain(CONFORMANCE_PASSWORD);
    }
  }, 60_000);
});
