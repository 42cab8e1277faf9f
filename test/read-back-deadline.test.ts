// A read-back has an overall deadline (src/mlflow/read-deadline.ts): a server that pages for ever with fresh tokens,
// or answers each page slowly, ends it by the deadline with an environment failure that says so (exit 3, no report),
// never a figure; a healthy read-back over many pages is not cut off.
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { expectedValues, readBackWork, ServerReader } from '../src/measure/server-values.ts';
import { pipelineOf } from './helpers/scenario.ts';
import { READ_BACK_BASE_MS, ReadBackTimeoutError, readBackTimeoutMs } from '../src/mlflow/read-deadline.ts';
import { cli } from './helpers/io.ts';
import { startStubServer, type StubRequest, type StubServer } from './helpers/stub-tracking-server.ts';

const stubs: StubServer[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const s of stubs.splice(0)) await s.stop();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  delete process.env.TRACKBENCH_READ_BACK_TIMEOUT_MS;
});

const NOTHING_PRODUCED = { params: 0, metrics: 0, artifacts: 0, models: 0, nodesRun: 0 };
const NOTHING_EXPECTED = { params: [], metrics: [], artifacts: [] };
const RULES = { params: [], metricKeys: true };

const run = (id: string, experiment: string) => ({
  info: { run_id: id, experiment_id: experiment, artifact_uri: 'mlflow-artifacts:/x', lifecycle_stage: 'active' },
  data: {},
});

/**
 * A healthy server holding `experiments` experiments, one per page of experiments/search, each with two runs, one per
 * page of runs/search; every answer `delayMs` late. The paths a read-back of a run asks for are answered as empty.
 */
function healthy(
  experiments: number,
  delayMs = 0,
): (req: StubRequest) => { body: unknown; delayMs: number; status?: number } {
  return ({ path, fields }) => {
    const token = typeof fields.page_token === 'string' ? Number(fields.page_token) : 0;
    if (path.endsWith('/experiments/search')) {
      const next = token + 1 < experiments ? { next_page_token: String(token + 1) } : {};
      return { body: { experiments: [{ experiment_id: `e${token}`, lifecycle_stage: 'active' }], ...next }, delayMs };
    }
    if (path.endsWith('/runs/search')) {
      const exp = (fields.experiment_ids as string[])[0]!;
      const next = token === 0 ? { next_page_token: '1' } : {};
      return { body: { runs: [run(`${exp}-r${token}`, exp)], ...next }, delayMs };
    }
    if (path.endsWith('/runs/get')) return { body: { run: run(String(fields.run_id), 'e0') }, delayMs };
    if (path.endsWith('/artifacts/list')) return { body: { root_uri: 'mlflow-artifacts:/x', files: [] }, delayMs };
    // An MLflow 2 server: no logged models.
    if (path.endsWith('/logged-models/search'))
      return { body: { error_code: 'ENDPOINT_NOT_FOUND' }, status: 404, delayMs };
    return { body: {}, delayMs };
  };
}

async function stub(answer: Parameters<typeof startStubServer>[0]): Promise<StubServer> {
  const s = await startStubServer(answer);
  stubs.push(s);
  return s;
}

/** experiments/search pages for ever, each page a new experiment and a new token (its runs: none). */
const endless = ({ path, fields }: StubRequest) => {
  const n = typeof fields.page_token === 'string' ? Number(fields.page_token) : 0;
  if (path.endsWith('/experiments/search'))
    return { body: { experiments: [{ experiment_id: `e${n}` }], next_page_token: String(n + 1) } };
  return { body: { runs: [] } };
};

/** What a 300 ms deadline that passed says, the pages it read captured. */
const DEADLINE_TEXT =
  String.raw`no verdict on values: read-back of http://127\.0\.0\.1:\d+ ` +
  String.raw`did not finish within 0\.3 s \(read (\d+) pages/0 runs\)`;
const DEADLINE_MESSAGE = new RegExp(`^${DEADLINE_TEXT}`);

describe('a read-back past its deadline ends, and says so', () => {
  it('a server paging for ever with fresh tokens: ReadBackTimeoutError by the deadline, not a hang', async () => {
    const s = await stub(endless);
    const reader = new ServerReader(s.uri, 300);
    const started = performance.now();
    const err = await reader.deliveredSince(NOTHING_PRODUCED, NOTHING_EXPECTED, RULES).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ReadBackTimeoutError);
    const message = (err as Error).message;
    expect(message).toMatch(DEADLINE_MESSAGE);
    expect(message).toMatch(/TRACKBENCH_READ_BACK_TIMEOUT_MS sets the limit/);
    // It had read many pages (each a page of experiments and its runs' page), and ended: wide bound, not a timing.
    expect(Number(DEADLINE_MESSAGE.exec(message)![1])).toBeGreaterThan(2);
    expect(performance.now() - started).toBeLessThan(10_000);
  }, 30_000);

  it('before the first trial too: prime() does not swallow the deadline as it does a failed look', async () => {
    const s = await stub(endless);
    await expect(new ServerReader(s.uri, 300).prime()).rejects.toThrow(DEADLINE_MESSAGE);
  }, 30_000);

  it('a server answering each page slowly: ended by the deadline, the request in flight aborted', async () => {
    // Ten pages of experiments, each answered 2 s late: 20 s of healthy-looking paging.
    const s = await stub((req) => ({ ...healthy(10)(req), delayMs: 2000 }));
    const started = performance.now();
    await expect(new ServerReader(s.uri, 300).prime()).rejects.toThrow(DEADLINE_MESSAGE);
    expect(performance.now() - started).toBeLessThan(1900);
    // The first page was never answered: its request was cut off, not left to finish.
    await expect.poll(() => s.abandoned).toBe(1);
    expect(s.answered).toBe(0);
  }, 30_000);

  it('a healthy read-back over many pages (each answer 5 ms late) is not cut off', async () => {
    const s = await stub(healthy(8, 5));
    const got = await new ServerReader(s.uri, 20_000).deliveredSince(NOTHING_PRODUCED, NOTHING_EXPECTED, RULES);
    // 8 experiments, each with 2 runs on 2 pages of runs/search: every run read.
    expect(got).toMatchObject({ available: true, runs: 16 });
  }, 30_000);
});

describe('the look before the first trial', () => {
  it("lists the runs already on the server and reads none of them whole (a remote server's history)", async () => {
    const paths: string[] = [];
    const s = await stub((req) => {
      paths.push(req.path);
      return healthy(8)(req);
    });
    const reader = new ServerReader(s.uri, 20_000);
    await reader.prime();
    expect(paths.filter((p) => p.endsWith('/experiments/search'))).toHaveLength(8);
    expect(paths.filter((p) => !/\/(experiments|runs)\/search$/.test(p))).toEqual([]);
    // They are known: the next look finds none of them new.
    expect(await reader.newRunCount()).toBe(0);
  }, 30_000);
});

describe('the default deadline scales with the values expected', () => {
  it('120 s at least, 50 ms a value more; TRACKBENCH_READ_BACK_TIMEOUT_MS sets it outright', () => {
    expect(readBackTimeoutMs(0, {})).toBe(READ_BACK_BASE_MS);
    // 5000 nodes x (10 params + 5 metrics): over an hour, never cut off while healthy.
    expect(readBackTimeoutMs(75_000, {})).toBe(120_000 + 75_000 * 50);
    expect(readBackTimeoutMs(75_000, { TRACKBENCH_READ_BACK_TIMEOUT_MS: '300' })).toBe(300);
  });

  it('counts each value, five units a node (its own run costs requests) and one per 100 KB of files', () => {
    const p = pipelineOf({
      nodes: 4,
      metricsPerNode: 0,
      paramsPerNode: { count: 0 },
      artifactsPerNode: { count: 0, bytes: 0 },
    });
    expect(readBackWork(p, expectedValues(p))).toBe(20);
    const files = pipelineOf({
      nodes: 4,
      metricsPerNode: 0,
      paramsPerNode: { count: 0 },
      artifactsPerNode: { count: 1, bytes: 1e6 },
    });
    const expected = expectedValues(files);
    expect(expected.artifacts).toHaveLength(4);
    // 4 files of 1 MB: 4 values and 40 units of 100 KB (9.77 each, rounded up once over the total)
    expect(readBackWork(files, expected)).toBe(20 + 4 + Math.ceil(4e6 / 102_400));
  });

  it('a TRACKBENCH_READ_BACK_TIMEOUT_MS not in range is refused up front (exit 2), like a flag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-deadline-'));
    dirs.push(dir);
    writeFileSync(join(dir, 's.yaml'), 'name: x\npipeline: {nodes: 3}\nhooks: [reference]\n');
    process.env.TRACKBENCH_READ_BACK_TIMEOUT_MS = '0';
    expect(await cli(['validate', join(dir, 's.yaml')])).toMatchObject({
      code: 2,
      err: 'TRACKBENCH_READ_BACK_TIMEOUT_MS (environment) must be milliseconds from 1 to 2147483647; got "0"\n',
    });
  });
});

/**
 * `trackbench run --quick` of a 2-node scenario of `hook` against `uri`, with a 300 ms read-back deadline: its exit
 * code, what it printed, and what is in its reports folder.
 */
async function runAgainst(
  uri: string,
  hook: string,
): Promise<{ code: number; out: string; err: string; files: string[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'tb-deadline-'));
  dirs.push(dir);
  // A module hook (taken to log values) that sends nothing: the trial runs, then its values are read back.
  writeFileSync(join(dir, 'hook.mjs'), 'export default () => ({});\n');
  writeFileSync(
    join(dir, 's.yaml'),
    [
      'name: deadline',
      'pipeline: {nodes: 2, paramsPerNode: {count: 1}, metricsPerNode: 1, work: {cpuMs: 1, ioBytes: 0}}',
      `hooks: [${JSON.stringify(hook)}]`,
      'trials: {repetitions: 1, warmup: 0, quickRepetitions: 1}',
      `backend: {kind: remote, uri: "${uri}"}`,
    ].join('\n'),
  );
  process.env.TRACKBENCH_READ_BACK_TIMEOUT_MS = '300';
  const out = join(dir, 'reports');
  const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', out]);
  return { ...r, files: existsSync(out) ? readdirSync(out) : [] };
}

describe('trackbench run against a server whose read-back never ends', () => {
  it('before the first trial: exits 3, naming the read-back, and writes no report', async () => {
    const r = await runAgainst((await stub(endless)).uri, 'reference');
    expect(r.code, r.out + r.err).toBe(3);
    expect(r.err).toMatch(new RegExp(`environment: ${DEADLINE_TEXT}, before the first trial; no report written`));
    expect(r.out + r.err).not.toMatch(/PASS|delivered/);
    expect(r.files).toEqual([]);
  }, 60_000);

  it('after a trial: exits 3 naming the trial, and writes no report', async () => {
    // The look before the first trial finds one empty page; every later one pages for ever.
    let looks = 0;
    const s = await stub((req) => {
      if (req.path.endsWith('/experiments/search') && req.fields.page_token === undefined) looks++;
      return looks === 1 ? { body: {} } : endless(req);
    });
    const r = await runAgainst(s.uri, 'module:./hook.mjs');
    expect(r.code, r.out + r.err).toBe(3);
    expect(r.err).toMatch(new RegExp(`environment: ${DEADLINE_TEXT}, after trial \\d+ \\(.*\\); no report written`));
    expect(r.out + r.err).not.toMatch(/PASS|delivered/);
    expect(r.files).toEqual([]);
  }, 60_000);
});

describe('trackbench conformance whose read-back does not finish', () => {
  it('exits 3, naming the read-back, with no verdict and no report', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-deadline-'));
    dirs.push(dir);
    // 1 ms: no read-back of a situation's runs (dozens of requests to the mock) finishes in it.
    process.env.TRACKBENCH_READ_BACK_TIMEOUT_MS = '1';
    const out = join(dir, 'reports');
    const r = await cli(['conformance', '--target', 'builtin:reference', '--out', out]);
    expect(r.code, r.out + r.err).toBe(3);
    expect(r.err).toMatch(
      /^environment: no verdict on values: read-back of http:\/\/127\.0\.0\.1:\d+ did not finish within 0\.001 s/,
    );
    expect(r.out).not.toMatch(/PASS|FAIL/);
    expect(existsSync(out) ? readdirSync(out) : []).toEqual([]);
  }, 60_000);
});
