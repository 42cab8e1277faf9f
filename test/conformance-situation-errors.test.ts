// A situation's own error (cut off by its timeout, the target failed, the backend failed) is kept as such: in the
// JSON, in every report format beside the requirements it left unjudged, and it never lets the suite pass.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backendFailure } from '../src/cli/commands/conformance.ts';
import { main } from '../src/cli/main.ts';
import { startHttpMock } from '../src/backends/mock/http-server.ts';
import type { ScenarioBackend } from '../src/conformance/backend.ts';
import { CONFORMANCE_SECRET, observe } from '../src/conformance/observe.ts';
import { SCENARIOS } from '../src/conformance/scenarios.ts';
import { BackendFailedError, SituationTimeoutError } from '../src/conformance/situation-error.ts';
import { REQUIREMENTS } from '../src/conformance/requirements/index.ts';
import { failsRun, mustFailures, runSuite } from '../src/conformance/suite.ts';
import { commandTarget, type Target, type TargetRun } from '../src/conformance/targets.ts';
import type { SituationError, TargetResult } from '../src/conformance/types.ts';
import { jsonObject, schemaValidator } from '../src/common/validate-yaml.ts';
import {
  consoleSummary,
  jsonReport,
  junitReport,
  markdownMatrix,
  summary,
  tapReport,
} from '../src/report/conformance.ts';
import { conformanceSection } from '../src/report/html/conformance.ts';
import { capture } from './helpers/io.ts';

const validate = schemaValidator(
  jsonObject(createRequire(import.meta.url)('../src/report/conformance.schema.json'), 'the conformance schema'),
  false,
);

/** A process target that never returns (its run is abandoned at `timeoutMs`), or that fails with `error`. */
function target(id: string, run: () => Promise<TargetRun>): Target {
  return { id, inProcess: false, timeoutMs: 100, run };
}

// SHOULD requirements checked in `basic` alone: without the situation's own error, nothing would fail the run.
const SHOULDS = REQUIREMENTS.filter((r) => r.id === 'EFF-001' || r.id === 'EFF-002');

/** `basic` cut off at `timeoutMs`, leaving both SHOULD requirements unjudged. */
function cutOff(timeoutMs: number, error: string): SituationError {
  return { scenario: 'basic', cause: 'timeout', timeoutMs, error, unjudged: ['EFF-001', 'EFF-002'] };
}

describe('a situation that cannot be observed', () => {
  let hung: TargetResult;
  beforeAll(async () => {
    hung = await runSuite(
      target('hangs', () => new Promise<never>(() => {})),
      { requirements: SHOULDS },
    );
  });

  it('is kept as its own error: cut off by its timeout, with the requirements it left unjudged', () => {
    expect(SHOULDS.map((r) => r.level)).toEqual(['SHOULD', 'SHOULD']);
    expect(hung.errors).toEqual([cutOff(100, 'the target did not return within 0.1 s (it was abandoned)')]);
    for (const x of hung.results)
      expect(x.finding).toEqual({
        status: 'fail',
        error: true,
        expected: 'situation basic to run',
        found:
          'not judged: situation `basic` cut off by its 0.1 s timeout: ' +
          'the target did not return within 0.1 s (it was abandoned)',
      });
  });

  it('fails the run and the verdict though only SHOULD requirements depended on it', () => {
    expect(mustFailures(hung)).toBe(0);
    expect(failsRun(hung)).toBe(true);
    expect(summary([hung])).toMatchObject({ verdict: 'fail', situationErrors: 1 });
    // Waived, the requirements still do not let a situation that never ran pass.
    const waived = { ...hung, results: hung.results.map((x) => ({ ...x, waived: '*' })) };
    expect(failsRun(waived)).toBe(true);
  });

  it('is printed in every format beside the requirements it left unjudged, never as the hook failing them', () => {
    const line = 'situation `basic` cut off by its 0.1 s timeout: the target did not return within 0.1 s';
    const console = consoleSummary([hung], 200);
    expect(console).toContain(`  ERROR ${line} (it was abandoned); not judged: EFF-001, EFF-002`);
    expect(console).toContain('  NOT JUDGED EFF-001 SHOULD');
    expect(console).not.toMatch(/^\s*FAIL /m);
    const md = markdownMatrix([hung]);
    expect(md).toContain(`- hangs **ERROR** ${line} (it was abandoned); not judged: EFF-001, EFF-002`);
    expect(md.match(/\| \*\*not judged\*\* \|/g)).toHaveLength(2);
    expect(md).not.toContain('**FAIL**');
    const xml = junitReport([hung]);
    expect(xml).toContain('tests="3" failures="0" errors="3"');
    expect(xml).toContain('<testcase classname="hangs" name="situation basic"');
    const tap = tapReport([hung]);
    expect(tap.split('\n').slice(1, 3)).toEqual([
      '1..3',
      `not ok 1 - hangs ${line} (it was abandoned); not judged: EFF-001, EFF-002`,
    ]);
    const html = conformanceSection({ kind: 'trackbench-conformance', targets: [hung] }, 'c-').html;
    expect(html).toContain('FAIL: a situation could not run');
    expect(html.match(/class="cell error"/g)).toHaveLength(2);
    expect(html).toContain('cut off by its 0.1 s timeout');
  });

  it('is kept in the JSON, which its schema accepts', () => {
    const json = JSON.parse(JSON.stringify(jsonReport([hung]))) as {
      summary: { verdict: string; situationErrors: number };
      targets: { errors: unknown[] }[];
    };
    expect(validate(json), JSON.stringify(validate.errors)).toBe(true);
    expect(json.summary).toMatchObject({ verdict: 'fail', situationErrors: 1 });
    expect(json.targets[0]!.errors).toEqual(hung.errors);
  });

  it('a command stopped at its time limit before its pipeline ended: cut off, not judged on half a run', async () => {
    const slow = await runSuite(commandTarget('command:sleep 30', 'sleep 30', 200), { requirements: SHOULDS });
    expect(slow.errors).toEqual([
      cutOff(200, 'the command was still running after 0.2 s, its pipeline run not ended: stopped'),
    ]);
    expect(slow.results.every((x) => x.finding.error && x.finding.found.startsWith('not judged: '))).toBe(true);
  });

  it('says the target failed (its process died), the test secrets withheld', async () => {
    const died = await runSuite(
      target('dies', () => Promise.reject(new Error(`killed by SIGKILL (token ${CONFORMANCE_SECRET})`))),
      { requirements: SHOULDS },
    );
    expect(died.errors).toHaveLength(1);
    expect(died.errors[0]).toMatchObject({ scenario: 'basic', cause: 'target', unjudged: ['EFF-001', 'EFF-002'] });
    expect(died.errors[0]!.error).toMatch(/^killed by SIGKILL \(token /);
    expect(JSON.stringify(jsonReport([died]))).not.toContain(CONFORMANCE_SECRET);
    expect(consoleSummary([died], 200)).toContain('ERROR situation `basic` did not run: the target failed: killed by');
  });
});

describe('conformance with a backend that fails', () => {
  const out = mkdtempSync(join(tmpdir(), 'tb-conf-situation-'));
  const saved = process.env.TRACKBENCH_MLFLOW;
  afterAll(() => {
    if (saved === undefined) delete process.env.TRACKBENCH_MLFLOW;
    else process.env.TRACKBENCH_MLFLOW = saved;
    rmSync(out, { recursive: true, force: true });
  });

  it('exits 3 (the environment) with every requirement waived, naming the backend in each situation', async () => {
    // An "mlflow" that exits at once: the server never answers, so no situation can run.
    process.env.TRACKBENCH_MLFLOW = '/bin/false';
    const io = capture();
    const args = ['conformance', '--target', 'builtin:reference', '--backend', 'local', '--waive', '*', '--out', out];
    expect(await main(args, io), io.stderr).toBe(3);
    expect(io.stdout).toMatch(/ERROR situation `basic` did not run: the backend failed: mlflow server exited/);
    expect(io.stderr).toMatch(/the tracking backend failed in \d+ situation\(s\) \(basic: .*mlflow server exited/);
    const file = readdirSync(out).find((f) => f.endsWith('.json'))!;
    const json = JSON.parse(readFileSync(join(out, file), 'utf8')) as {
      summary: { verdict: string };
      targets: { errors: { cause: string; unjudged: string[] }[] }[];
    };
    expect(json.summary.verdict).toBe('fail');
    const errors = json.targets[0]!.errors;
    expect(errors.length).toBeGreaterThan(3);
    expect(new Set(errors.map((e) => e.cause))).toEqual(new Set(['backend']));
    expect(errors.every((e) => e.unjudged.length > 0)).toBe(true);
  }, 60_000);
});

describe('a backend that fails while a situation is observed', () => {
  /** A fresh mock whose read-back of runs, or release, fails. */
  async function failing(what: 'runIds' | 'release'): Promise<ScenarioBackend> {
    const mock = await startHttpMock({ keepBodies: true });
    const broken = (): Promise<never> => Promise.reject(new Error(`${what} failed`));
    return {
      trackingUri: mock.trackingUri,
      requestLog: mock.requestLog,
      mark: 0,
      keepsBodies: true,
      runIds: what === 'runIds' ? broken : () => Promise.resolve(mock.mock.store.runIds()),
      experiments: () => Promise.resolve([]),
      clearFaults: () => {},
      setDown: () => {},
      release: what === 'release' ? () => mock.stop().then(broken) : () => mock.stop(),
    };
  }
  const runs = target('runs', () => Promise.resolve({ output: '', completedNodes: [] }));

  it('is the backend failing, when what reached it cannot be read back or it cannot be released', async () => {
    await expect(observe(runs, SCENARIOS.basic, await failing('runIds'))).rejects.toThrow(BackendFailedError);
    await expect(observe(runs, SCENARIOS.basic, await failing('release'))).rejects.toThrow(BackendFailedError);
  });

  it("does not replace the situation's first error (a timeout stays a timeout)", async () => {
    const hangs = target('hangs', () => new Promise<never>(() => {}));
    await expect(observe(hangs, SCENARIOS.basic, await failing('release'))).rejects.toThrow(SituationTimeoutError);
  });
});

describe('a backend failure beside an answer on the hook', () => {
  const stopped = (cause: SituationError['cause']): SituationError => ({ scenario: 'basic', error: 'boom', cause });
  const mustFailed = {
    id: 'RUN-001',
    level: 'MUST',
    statement: '',
    scenario: 'twice',
    finding: { status: 'fail', expected: 'one run', found: 'two' },
  } as const;
  const target = (errors: SituationError[], failing = false): TargetResult => ({
    target: 't',
    results: failing ? [mustFailed] : [],
    errors,
  });

  it("is the environment's alone (exit 3) only when nothing else failed; a MUST failed elsewhere wins", () => {
    expect(backendFailure([target([])])).toBeUndefined();
    // The MUSTs the stopped situation held read as failed, not judged: no answer on the hook.
    const unjudged = { ...mustFailed, finding: { ...mustFailed.finding, error: true } };
    expect(backendFailure([{ ...target([stopped('backend')]), results: [unjudged] }])?.answered).toBe(false);
    expect(backendFailure([target([stopped('backend')])])).toMatchObject({
      answered: false,
      message: 'the tracking backend failed in 1 situation(s) (basic: boom): no verdict on the requirements they hold',
    });
    // Another target failed a MUST, or a situation the target itself stopped: an answer on a hook (exit 1).
    expect(backendFailure([target([stopped('backend')]), target([], true)])?.answered).toBe(true);
    expect(backendFailure([target([stopped('backend'), stopped('timeout')])])?.answered).toBe(true);
  });
});
