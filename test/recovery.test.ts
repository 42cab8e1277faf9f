// The harness recovers hooks with known costs run through `run`'s measurement: requests exactly,
// bytes written within 5%, memory held within 10% on the retained-memory figure. (Wall and CPU
// time recovery is timing, which a shared CI machine cannot promise:
// `npx tsx scripts/recovery-benchmark.ts` measures all five.)
import { beforeAll, describe, expect, it } from 'vitest';
import { measure } from '../src/measure/measure.ts';
import { buildReport } from '../src/measure/build-report.ts';
import type { Report } from '../src/measure/report-types.ts';
import { measured } from './helpers/measured.ts';
import { scenarioOf } from './helpers/scenario.ts';

const NODES = 20;
const RETAIN = 25 * 1024 * 1024;

describe('known costs are recovered', () => {
  let report: Report;
  beforeAll(async () => {
    const scenario = scenarioOf(
      { nodes: NODES, topology: { kind: 'chain' }, work: { cpuMs: 1, ioBytes: 4096, allocBytes: 1 << 20 } },
      {
        hooks: [
          { name: 'calibration', label: 'retain', options: { retainBytesPerNode: RETAIN / NODES } },
          { name: 'calibration', label: 'io', options: { diskBytesPerNode: 100_000, requestsPerNode: 3 } },
        ],
        trials: { repetitions: 3, warmup: 0 },
      },
    );
    report = buildReport(scenario, await measure(scenario), false);
  }, 180_000);

  it('a retained 25 MiB within 10% on the memory-held figure (heap + ArrayBuffers after GC)', () => {
    const held = measured(report.results.retain!.metrics.retainedBytes);
    expect(held.overhead.absolute).toBeGreaterThan(RETAIN * 0.9);
    expect(held.overhead.absolute).toBeLessThan(RETAIN * 1.1);
  });

  it('requests exactly and bytes written within 5%', () => {
    expect(measured(report.results.io!.metrics.apiCalls).with.samples).toEqual([NODES * 3, NODES * 3, NODES * 3]);
    const written = measured(report.results.io!.metrics.writeBytes).overhead.absolute;
    expect(Math.abs(written - NODES * 100_000)).toBeLessThan(NODES * 100_000 * 0.05);
  });
});
