// The history store (file and folder, keyed by commit and time, stable order, no duplicates) and
// its HTML: a line per hook over at least 5 commits, the commit where the gate fired shaded.
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ciCommit, ciRef } from '../src/cli/ci-env.ts';
import { main } from '../src/cli/main.ts';
import { measure } from '../src/measure/measure.ts';
import { buildReport } from '../src/measure/build-report.ts';
import { gateDocument } from '../src/report/gate.ts';
import { readStore, type HistoryEntry } from '../src/report/history.ts';
import type { Report } from '../src/measure/report-types.ts';
import { checkBudgets, gate } from '../src/gate/gate.ts';
import { IN_CI, MISSING, SKIP, count, embedded, launch, open, screenshot } from './helpers/browser.ts';
import { LONG_A, captureIo } from './helpers/html-scenario.ts';
import { scenarioOf } from './helpers/scenario.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-history-'));
let report: Report;
let failedGate: string;
let runFile: string;
const COMMITS = ['a1', 'b2', 'c3', 'd4', 'e5', 'f6'].map((c) => c.repeat(20));

beforeAll(async () => {
  const s = scenarioOf(
    { nodes: 6, topology: { kind: 'chain' }, work: { cpuMs: 1 } },
    {
      name: 'history-test',
      hooks: [
        { name: 'calibration', label: LONG_A, options: { requestsPerNode: 1, cpuMsPerNode: 2 } },
        { name: 'calibration', label: 'no-requests', options: { cpuMsPerNode: 1 } },
      ],
      trials: { repetitions: 3, warmup: 1 },
    },
  );
  report = buildReport(s, await measure(s), false);
  runFile = join(dir, 'run.json');
  writeFileSync(runFile, JSON.stringify(report));
  // A real gate that fires: a budget of zero API calls against a hook that makes one per node.
  failedGate = join(dir, 'gate.json');
  const g = gateDocument('history-test', null, report, gate(checkBudgets(report, { apiCalls: { max: 0 } })));
  expect(g.gate.verdict).toBe('fail');
  writeFileSync(failedGate, JSON.stringify(g));
}, 300_000);

const add = (store: string, file: string, commit: string, i: number, extra: string[] = []) =>
  main(
    ['history', 'add', file, '--store', store, '--commit', commit, '--time', `2026-11-0${i + 1}T12:00:00Z`, ...extra],
    captureIo(),
  );

describe('history store', () => {
  it('a store that is the report it reads: exit 2 saying so, the report left as it was', async () => {
    const before = readFileSync(runFile, 'utf8');
    const io = captureIo();
    expect(await main(['history', 'add', runFile, '--store', runFile, '--commit', COMMITS[0]!], io)).toBe(2);
    expect(io.stderr).toContain('--store names the <report> it reads');
    expect(readFileSync(runFile, 'utf8')).toBe(before);
  });

  it('keeps one line per run, sorted by time whatever the order added, and skips a run added twice', async () => {
    const store = join(dir, 'store', 'history.jsonl');
    const order = [3, 0, 5, 1, 4, 2];
    for (const i of order) expect(await add(store, i === 4 ? failedGate : runFile, COMMITS[i]!, i)).toBe(0);
    const text = readFileSync(store, 'utf8');
    const lines = text.trim().split('\n');
    expect(lines).toHaveLength(6);
    expect(lines.map((l) => (JSON.parse(l) as HistoryEntry).commit)).toEqual(COMMITS);
    expect(readStore(store).map((e) => e.gate)).toEqual([null, null, null, null, 'fail', null]);
    expect(Object.keys(JSON.parse(lines[0]!) as object)).toEqual([
      'commit',
      'time',
      'ref',
      'scenario',
      'nodes',
      'gate',
      'hooks',
    ]);
    const io = captureIo();
    expect(
      await main(
        ['history', 'add', runFile, '--store', store, '--commit', COMMITS[0]!, '--time', '2026-11-01T12:00:00Z'],
        io,
      ),
    ).toBe(0);
    expect(io.stdout).toContain('already in');
    expect(readFileSync(store, 'utf8')).toBe(text);
  });

  it('a folder store writes one file per run (branches never touch the same file)', async () => {
    const store = join(dir, 'folder-store');
    for (const i of [0, 1, 2]) expect(await add(store, runFile, COMMITS[i]!, i)).toBe(0);
    expect(readdirSync(store)).toHaveLength(3);
    expect(readStore(store).map((e) => e.commit)).toEqual(COMMITS.slice(0, 3));
  });

  it('takes the commit and ref from the CI environment', () => {
    expect(ciCommit({ GITHUB_SHA: 'abc123' })).toBe('abc123');
    expect(ciCommit({ CI_COMMIT_SHA: 'def456' })).toBe('def456');
    expect(ciRef({ GITHUB_REF: 'refs/heads/main' })).toBe('refs/heads/main');
  });

  it('bad input: a broken store line is named by file:line, a bad --time by its flag; exit 2', async () => {
    const store = join(dir, 'broken.jsonl');
    writeFileSync(store, `${readFileSync(join(dir, 'store', 'history.jsonl'), 'utf8').split('\n')[0]}\n{oops\n`);
    const before = readFileSync(store, 'utf8');
    let io = captureIo();
    expect(await main(['history', 'add', runFile, '--store', store, '--commit', 'abcd1234'], io)).toBe(2);
    expect(io.stderr).toContain(`${store}:2:2 `); // at the character that breaks it
    expect(readFileSync(store, 'utf8')).toBe(before);
    io = captureIo();
    expect(
      await main(['history', 'add', runFile, '--store', store, '--commit', 'abcd1234', '--time', 'yesterday'], io),
    ).toBe(2);
    expect(io.stderr).toContain('--time');
  });

  it('a time Date.parse reads but is none (0, -1, 2026-02-30), by flag or CI variable: refused', async () => {
    const store = join(dir, 'times', 'history.jsonl');
    const add = async (time: string[]) => {
      const io = captureIo();
      const code = await main(['history', 'add', runFile, '--store', store, '--commit', 'abcd1234', ...time], io);
      return { code, err: io.stderr };
    };
    // 0 was stored as 2000-01-01, -1 as 2001-01-01 and 2026-02-30 as March 2
    for (const time of ['0', '-1', '2026-02-30T00:00:00Z', '2026-12-31T23:59:60Z', '2026-12-08'])
      expect(await add(['--time', time]), time).toEqual({
        code: 2,
        err: `--time expected an ISO 8601 time, e.g. 2026-11-28T16:00:00Z; got "${time}"\n`,
      });
    // A CI timestamp was stored as it was: the store's own reader then refused every later add and draw.
    process.env.CI_COMMIT_TIMESTAMP = 'yesterday';
    try {
      expect((await add([])).err).toBe(
        'CI_COMMIT_TIMESTAMP (environment) expected an ISO 8601 time, e.g. 2026-11-28T16:00:00Z; got "yesterday"\n',
      );
    } finally {
      delete process.env.CI_COMMIT_TIMESTAMP;
    }
    expect(readdirSync(dir)).not.toContain('times');
    expect(await add(['--time', '2026-12-01T10:00:00+01:00'])).toMatchObject({ code: 0, err: '' });
    expect(readStore(store).map((e) => e.time)).toEqual(['2026-12-01T09:00:00.000Z']);
  });

  it('a folder store takes a run of a 300-character scenario name; a store under a file is refused', async () => {
    const long = structuredClone(JSON.parse(readFileSync(runFile, 'utf8')) as Report);
    long.scenario.name = 'n'.repeat(300);
    const file = join(dir, 'long-name.json');
    writeFileSync(file, JSON.stringify(long));
    const store = join(dir, 'long-store');
    let io = captureIo();
    expect(await main(['history', 'add', file, '--store', store, '--commit', 'abcd1234', '--ref', 'main'], io)).toBe(0);
    expect(readdirSync(store)).toEqual([expect.stringMatching(/^.{20,40}_abcd1234_n{71}-[0-9a-f]{8}\.json$/)]);
    expect(readStore(store).map((e) => e.scenario)).toEqual(['n'.repeat(300)]);
    // It failed at mkdir, after the report was read: exit 3, EEXIST.
    io = captureIo();
    const under = join(file, 'store.jsonl');
    expect(await main(['history', 'add', runFile, '--store', under, '--commit', 'abcd1234', '--ref', 'main'], io)).toBe(
      2,
    );
    expect(io.stderr).toBe(`--store cannot write the history store to ${file}: ${file} is not a folder\n`);
  });

  it('a store line that is `null` is named by file:line, exit 2 (it was read as an entry: exit 3)', async () => {
    const store = join(dir, 'null.jsonl');
    writeFileSync(store, 'null\n');
    const io = captureIo();
    expect(await main(['history', 'html', '--store', store, '--html', join(dir, 'null.html')], io)).toBe(2);
    expect(io.stderr).toBe(`${store}:1:1 not a history entry (needs commit, time, scenario, nodes, gate, hooks)\n`);
    expect(readdirSync(dir)).not.toContain('null.html');
  });
});

describe.skipIf(SKIP)('history HTML in chromium', () => {
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (!MISSING) browser = await launch();
  });
  afterAll(async () => browser?.close());

  it('has chromium', () => {
    expect(MISSING, IN_CI ? 'CI must install chromium (npm run setup:browser)' : '').toBeNull();
  });

  it('draws 6 commits with a line per hook, and shades the one where the gate fired', async () => {
    const store = join(dir, 'store', 'history.jsonl');
    const out = join(dir, 'history.html');
    expect(await main(['history', 'html', '--store', store, '--html', out], captureIo())).toBe(0);
    const { page, errors, requests } = await open(browser!, out);
    expect(errors).toEqual([]);
    expect(requests).toHaveLength(1);
    const entries = await embedded<HistoryEntry[]>(page);
    expect(entries).toHaveLength(6);
    const hooks = Object.keys(entries[0]!.hooks);
    expect(hooks).toHaveLength(2);
    for (const key of ['wallMsPerNode', 'apiCallsPerNode'] as const) {
      const chart = `[data-chart="h0-${key}"]`;
      expect(await count(page, `${chart} path.line`), key).toBe(hooks.length);
      const points = entries.reduce((n, e) => n + hooks.filter((h) => typeof e.hooks[h]?.[key] === 'number').length, 0);
      expect(await count(page, `${chart} circle.point`), key).toBe(points);
      expect(await count(page, `${chart} rect.gate-fail`), key).toBe(1);
    }
    const title = await page.textContent('[data-chart="h0-wallMsPerNode"] rect.gate-fail title');
    expect(title).toContain(`gate failed at ${COMMITS[4]!.slice(0, 7)}`);
    await screenshot(page, 'history');
  });
});
