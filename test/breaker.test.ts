// The circuit breaker's drain: once the pipeline has ended, an outage may last `drainMs` before the
// rest is spilled; a server that fails once late in a long drain gets its own time, not none.
import { describe, expect, it } from 'vitest';
import { setTimeout as sleep } from 'node:timers/promises';
import { CircuitBreaker, GaveUpError } from '../src/tracking/delivery/breaker.ts';
import { MlflowNetworkError } from '../src/mlflow/errors.ts';

const unreachable = (): MlflowNetworkError => new MlflowNetworkError('runs/log-batch', 'ECONNRESET', 1, 'test');

describe('a draining circuit breaker', () => {
  it('retries a failure that comes after the drain time, when the server was answering until then', async () => {
    const breaker = new CircuitBreaker({ probeMinMs: 5, probeMaxMs: 20, mode: 'wait' });
    breaker.drainFor(30);
    // A slow drain: the server answers throughout the drain time and past it.
    for (let i = 0; i < 4; i++) await breaker.call(() => sleep(15).then(() => i));
    let attempts = 0;
    const sent = breaker.call(() => (++attempts === 1 ? Promise.reject(unreachable()) : Promise.resolve('sent')));
    await expect(sent).resolves.toBe('sent');
    expect([attempts, breaker.outages]).toEqual([2, 1]);
  });

  it('gives up on a server that stays unreachable, after probing it', async () => {
    const breaker = new CircuitBreaker({ probeMinMs: 5, probeMaxMs: 20, mode: 'wait' });
    breaker.drainFor(50);
    let attempts = 0;
    const sent = breaker.call(() => (++attempts, Promise.reject(unreachable())));
    await expect(sent).rejects.toBeInstanceOf(GaveUpError);
    expect(attempts).toBeGreaterThan(1);
  });

  it('with no drain time, gives up at the first failure once the pipeline has ended', async () => {
    const breaker = new CircuitBreaker({ probeMinMs: 5, probeMaxMs: 20, mode: 'wait' });
    breaker.drainFor(0);
    let attempts = 0;
    await expect(breaker.call(() => (++attempts, Promise.reject(unreachable())))).rejects.toBeInstanceOf(GaveUpError);
    expect(attempts).toBe(1);
  });
});
