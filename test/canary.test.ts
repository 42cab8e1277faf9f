// Secrets nowhere: canary credentials in the environment and in a backend URI; every output file,
// console line, request log and mock state of `trace`, `run`, `conformance`, `replay` and a failing
// run is searched for them.
import { readdirSync, readFileSync, statSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpMock, type HttpMock } from '../src/backends/mock/http-server.ts';
import { main } from '../src/cli/main.ts';

const CANARIES = {
  MLFLOW_TRACKING_TOKEN: 'canaryTOKENq7w1',
  MLFLOW_TRACKING_PASSWORD: 'canaryPASSWORDz3',
  MLFLOW_TRACKING_USERNAME: 'canaryuser',
};
const URI_PASSWORD = 'canaryURIpass9x';
const ALL = [CANARIES.MLFLOW_TRACKING_TOKEN, CANARIES.MLFLOW_TRACKING_PASSWORD, URI_PASSWORD];
// The Basic header's base64 must not leak either.
ALL.push(Buffer.from(`canaryuser:${CANARIES.MLFLOW_TRACKING_PASSWORD}`).toString('base64'));

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function leaks(text: string): string[] {
  return ALL.filter((s) => text.includes(s));
}

describe('canary credentials appear nowhere', () => {
  let mock: HttpMock;
  const saved: Record<string, string | undefined> = {};
  const dir = mkdtempSync(join(tmpdir(), 'tb-canary-'));
  const output: string[] = [];
  const io = { out: (s: string) => void output.push(s), err: (s: string) => void output.push(s), isTTY: false };

  beforeAll(async () => {
    for (const [k, v] of Object.entries(CANARIES)) {
      saved[k] = process.env[k];
      process.env[k] = v;
    }
    mock = await startHttpMock();
  });
  afterAll(async () => {
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    await mock.stop();
  });

  const scenario = (name: string, extra: string): string => {
    const f = join(dir, `${name}.yaml`);
    writeFileSync(
      f,
      [
        `name: ${name}`,
        'pipeline: {nodes: 4, paramsPerNode: {count: 2}, metricsPerNode: 1, work: {cpuMs: 0}}',
        'hooks: [reference]',
        'trials: {repetitions: 1, warmup: 0, quickRepetitions: 1}',
        extra,
      ].join('\n'),
    );
    return f;
  };

  it('trace, run (remote URI with credentials), a failing run, replay and conformance', async () => {
    const remote = mock.trackingUri.replace('http://', `http://canaryuser:${URI_PASSWORD}@`);
    const out = join(dir, 'reports');
    expect(await main(['trace', scenario('trace', ''), '--format', 'json'], io)).toBe(0);
    expect(await main(['run', scenario('run', `backend: {kind: remote, uri: "${remote}"}`), '--out', out], io)).toBe(0);
    const failing = scenario('failing', '');
    writeFileSync(failing, readFileSync(failing, 'utf8').replace('work: {cpuMs: 0}', 'work: {cpuMs: 0}, failAt: 2'));
    await main(['run', failing, '--out', out, '--quick'], io);
    const spill = join(dir, 'spill.jsonl');
    writeFileSync(
      spill,
      [
        JSON.stringify({
          type: 'run',
          id: 'r',
          run: 'p',
          experimentName: 'canary',
          runName: 'p',
          runId: null,
          tags: [],
        }),
        JSON.stringify({ type: 'params', id: 'v', run: 'p', items: [{ key: 'k', value: 'v' }], reason: 'x' }),
      ].join('\n'),
    );
    expect(await main(['replay', spill, '--tracking-uri', remote], io)).toBe(0);
    await main(['conformance', '--target', 'builtin:reference', '--format', 'json', '--out', join(dir, 'conf')], io);

    expect(leaks(output.join('\n'))).toEqual([]);
    // Every file written (the scenario files are the input that holds the URI password).
    for (const f of filesUnder(dir).filter((x) => !x.endsWith('.yaml')))
      expect(leaks(readFileSync(f, 'utf8')), f).toEqual([]);
    expect(leaks(JSON.stringify(mock.requestLog.since(0)))).toEqual([]);
    const state = mock.mock.store.runIds().map((id) => JSON.stringify(mock.mock.store.getRun(id)));
    state.push(JSON.stringify(mock.mock.store.searchExperiments()));
    expect(leaks(state.join('\n'))).toEqual([]);
    // Something was searched: reports, spill journal and console output exist.
    const reports = filesUnder(out).filter((f) => f.endsWith('.json'));
    expect(reports.length).toBeGreaterThanOrEqual(1);
    // The remote URI is in the report, without its password.
    expect(reports.map((f) => readFileSync(f, 'utf8')).join('\n')).toContain('http://***@127.0.0.1');
    expect(filesUnder(dir).some((f) => f.endsWith('.journal'))).toBe(true);
    expect(output.join('\n')).toMatch(/replayed/);
  }, 300_000);
});
