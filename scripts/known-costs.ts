// The five known costs the recovery benchmarks inject per node (a 2 ms wait, 1.5 ms of busy CPU, 25 MiB kept
// alive in all, 3 requests, 100 kB written), and how the figure `run` reports for each is set against it.
import { loadavg } from 'node:os';
import { metricOf, type Report } from '../src/measure/report-types.ts';
import type { MetricName } from '../src/measure/trial-types.ts';
import { bootstrapPaired, median } from '../src/stats/basic.ts';

export type CostKind = 'wait' | 'cpu' | 'retain' | 'requests' | 'disk';

/** One known cost: what is injected per node, and the figure that must recover it. */
export interface KnownCost {
  label: string;
  kind: CostKind;
  perNode: number;
  metric: MetricName;
  expected: number;
  within: number;
}

const MIB = 1024 * 1024;

export function knownCosts(nodes: number): KnownCost[] {
  const cost = (label: string, kind: CostKind, perNode: number, metric: MetricName, within: number): KnownCost => ({
    label,
    kind,
    perNode,
    metric,
    expected: perNode * nodes,
    within,
  });
  return [
    cost('wait-2ms', 'wait', 2, 'wallMs', 0.1),
    cost('cpu-1.5ms', 'cpu', 1.5, 'cpuMs', 0.1),
    cost('retain-25MiB', 'retain', Math.round((25 * MIB) / nodes), 'retainedBytes', 0.1),
    cost('requests-3', 'requests', 3, 'apiCalls', 0),
    cost('disk-100kB', 'disk', 100_000, 'diskWriteBytes', 0.05),
  ];
}

/** Prints injected vs recovered for each hook of the report (labelled `<prefix><cost label>`); returns the misses. */
export function printRecovery(report: Report, costs: KnownCost[], prefix = ''): number {
  let missed = 0;
  const load = (): string => `load ${loadavg()[0]!.toFixed(1)}`;
  for (const c of costs) {
    const label = prefix + c.label;
    const m = metricOf(report.results[label]!, c.metric);
    if (!m.available) {
      console.log(`${label.padEnd(21)} ${c.metric}: unavailable (${m.reason})`);
      missed++;
      continue;
    }
    const x = m.without.samples;
    const y = m.with.samples;
    const found = median(y) - median(x);
    const [lo, hi] = bootstrapPaired(x, y, (a, b) => median(b) - median(a), { seed: 1 });
    const error = found / c.expected - 1;
    const ok = Math.abs(error) <= c.within;
    if (!ok) missed++;
    console.log(
      `${label.padEnd(21)} ${c.metric.padEnd(14)} injected ${c.expected.toLocaleString('en-US').padStart(11)}` +
        `  recovered ${Math.round(found).toLocaleString('en-US').padStart(11)}` +
        ` [95% ${Math.round(lo)}, ${Math.round(hi)}]` +
        `  ${(error * 100).toFixed(1)}% (allowed ±${c.within * 100}%) ${ok ? 'ok' : 'MISSED'}  ${load()}`,
    );
  }
  return missed;
}
