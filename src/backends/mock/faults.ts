// The seam for fault injection: added latency, a random error rate, and outage windows.
// Applied before any handler runs, the same way for every transport.
import { setTimeout as sleep } from 'node:timers/promises';

export interface FaultSpec {
  /** Added to every answer. */
  latencyMs?: number;
  /** Fraction (0..1) of requests answered 503 TEMPORARILY_UNAVAILABLE. */
  errorRate?: number;
  /** Answer every request with 503 while true (toggle it to simulate an outage). */
  down?: boolean;
  /** Outage windows in milliseconds since the mock started: [start, end). */
  outages?: [number, number][];
}

export type FaultVerdict = { kind: 'pass' } | { kind: 'unavailable' };

export class Faults {
  private spec: FaultSpec = {};
  private readonly startedAt = Date.now();
  private state = 0x2545f491;

  set(spec: FaultSpec): void {
    this.spec = { ...spec };
  }

  get current(): FaultSpec {
    return { ...this.spec };
  }

  async apply(): Promise<FaultVerdict> {
    const { latencyMs = 0, errorRate = 0, down = false, outages = [] } = this.spec;
    if (latencyMs > 0) await sleep(latencyMs);
    if (down) return { kind: 'unavailable' };
    const t = Date.now() - this.startedAt;
    if (outages.some(([a, b]) => t >= a && t < b)) return { kind: 'unavailable' };
    if (errorRate > 0 && this.random() < errorRate) return { kind: 'unavailable' };
    return { kind: 'pass' };
  }

  /** xorshift32: reproducible error injection. */
  private random(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state / 4294967296;
  }
}
