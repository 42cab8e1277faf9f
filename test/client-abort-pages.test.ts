// What bounds a read-back below its deadline: a client's AbortSignal ends the request in flight and every retry, and
// `pages` refuses a listing of empty pages with ever-new tokens (it would never end).
import { afterEach, describe, expect, it } from 'vitest';
import { allPages, MAX_EMPTY_PAGES_IN_A_ROW, MlflowClient } from '../src/mlflow/client.ts';
import { startStubServer, type StubServer } from './helpers/stub-tracking-server.ts';

const stubs: StubServer[] = [];
afterEach(async () => {
  for (const s of stubs.splice(0)) await s.stop();
});

async function stub(answer: Parameters<typeof startStubServer>[0]): Promise<StubServer> {
  const s = await startStubServer(answer);
  stubs.push(s);
  return s;
}

describe('pages: empty pages with ever-new tokens', () => {
  it(`fail after ${MAX_EMPTY_PAGES_IN_A_ROW} in a row, named, long before any deadline`, async () => {
    let asked = 0;
    const page = (token: string | undefined) => {
      asked++;
      return Promise.resolve({ runs: [] as string[], next_page_token: String(Number(token ?? 0) + 1) });
    };
    await expect(allPages('runs/search', page, (p) => p.runs)).rejects.toThrow(
      `runs/search handed back ${MAX_EMPTY_PAGES_IN_A_ROW} empty pages in a row, each with a new page token: ` +
        'its pages never end',
    );
    expect(asked).toBe(MAX_EMPTY_PAGES_IN_A_ROW);
  });

  it('a listing with empty pages here and there, and long, is read whole', async () => {
    // 1000 pages; every other one empty, then 99 empty ones in a row with a token, then the last (empty, none).
    const page = (token: string | undefined) => {
      const n = Number(token ?? 0);
      const runs = (n % 2 === 0 && n < 900) || n === 899 ? [`r${n}`] : [];
      return Promise.resolve({ runs, ...(n < 999 ? { next_page_token: String(n + 1) } : {}) });
    };
    expect(await allPages('runs/search', page, (p) => p.runs)).toHaveLength(451);
  });
});

describe('the client stops at its AbortSignal', () => {
  it('aborted in flight: the call fails with the reason at once, and no retry is sent', async () => {
    const s = await stub(() => ({ body: {}, delayMs: 5000 }));
    const controller = new AbortController();
    const client = new MlflowClient({ trackingUri: s.uri, retry: { maxRetries: 3 }, signal: controller.signal });
    const reason = new Error('deadline passed');
    setTimeout(() => controller.abort(reason), 100);
    const started = performance.now();
    await expect(client.getRun('r')).rejects.toBe(reason);
    expect(performance.now() - started).toBeLessThan(4000);
    expect(client.stats.requests).toBe(1);
    await expect.poll(() => s.abandoned).toBe(1);
    client.close();
  }, 30_000);
});
