// The circuit breaker's drain: once the pipeline has ended, the server may be unreachable for `drainMs` in all
// before the rest is spilled. A server that fails once late in a long drain gets what is left of that time, not
// none; one that keeps failing cannot stretch it. Virtual time: no assertion depends on the machine's load.
import { describe, expect, it } from 'vitest';
import { CircuitBreaker, GaveUpError } from '../src/tracking/delivery/breaker.ts';
import { MlflowNetworkError } from '../src/mlflow/errors.ts';

const unreachable = (): MlflowNetworkError => new MlflowNetworkError('runs/log-batch', 'ECONNRESET', 1, 'test');

/** A breaker on a virtual clock that only moves when it sleeps or a request "takes" time. */
function virtualBreaker(): { breaker: CircuitBreaker; now: () => number; spend: (ms: number) => void } {
  let t = 0;
  const clock = { now: () => t, sleep: (ms: number) => Promise.resolve((t += ms)) };
  return {
    breaker: new CircuitBreaker({ probeMinMs: 5, probeMaxMs: 20, mode: 'wait', clock }),
    now: () => t,
    spend: (ms) => void (t += ms),
  };
}

describe('a draining circuit breaker', () => {
  it('retries a failure that comes after the drain time, when the server was answering until then', async () => {
    const { breaker, spend } = virtualBreaker();
    breaker.drainFor(30);
    // A slow drain: the server answers throughout the drain time and past it.
    for (let i = 0; i < 4; i++) await breaker.call(() => Promise.resolve(spend(15)));
    let attempts = 0;
    const sent = breaker.call(() => (++attempts === 1 ? Promise.reject(unreachable()) : Promise.resolve('sent')));
    await expect(sent).resolves.toBe('sent');
    expect([attempts, breaker.outages]).toEqual([2, 1]);
  });

  it('gives up on a server that stays unreachable, after probing it for the drain time', async () => {
    const { breaker, now } = virtualBreaker();
    breaker.drainFor(50);
    let attempts = 0;
    await expect(breaker.call(() => (++attempts, Promise.reject(unreachable())))).rejects.toBeInstanceOf(GaveUpError);
    expect(attempts).toBeGreaterThan(1);
    expect(now()).toBe(50);
  });

  it('gives up on a flapping server once its outages add up to the drain time', async () => {
    const { breaker, now } = virtualBreaker();
    breaker.drainFor(100);
    // Every other request fails; each outage lasts one 5 ms probe wait, and every call gets through.
    let attempts = 0;
    const flapping = (): Promise<number> => (++attempts % 2 ? Promise.reject(unreachable()) : Promise.resolve(0));
    let delivered = 0;
    const drained = (async () => {
      for (;;) delivered += 1 + (await breaker.call(flapping));
    })();
    await expect(drained).rejects.toBeInstanceOf(GaveUpError);
    // 19 outages of 5 ms each end in a delivery; the 20th reaches the 100 ms and gives up.
    expect(delivered).toBe(19);
    expect(now()).toBe(100);
  });

  it('with no drain time, gives up at the first failure once the pipeline has ended', async () => {
    const { breaker } = virtualBreaker();
    breaker.drainFor(0);
    let attempts = 0;
    await expect(breaker.call(() => (++attempts, Promise.reject(unreachable())))).rejects.toBeInstanceOf(GaveUpError);
    expect(attempts).toBe(1);
  });
});
