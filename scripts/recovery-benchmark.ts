// Does `run` recover hooks whose cost is known? Each calibration hook adds one known cost per node
// (a 2 ms wait, 1.5 ms of busy CPU, 25 MiB kept alive in all, requests and bytes written) to the
// same pipeline; the harness's overhead figure for it is set against the injected cost. Timing:
// its figures depend on the machine's load (say the load average with them).
// `npx tsx scripts/recovery-benchmark.ts [--nodes 50] [--rounds 6]`; exit 1 when a figure misses.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { installSignalHandlers } from '../src/common/cleanup.ts';
import { buildReport } from '../src/measure/build-report.ts';
import { metricOf } from '../src/measure/report-types.ts';
import { measure } from '../src/measure/measure.ts';
import type { MetricName } from '../src/measure/trial-types.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { bootstrapPaired, median } from '../src/stats/basic.ts';
import { stringify } from 'yaml';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '50' }, rounds: { type: 'string' } } });
installSignalHandlers();
const nodes = Number(values.nodes);
const rounds = Number(values.rounds ?? 6);
const MIB = 1024 * 1024;

/** One known cost: the calibration options that inject it, and the figure that must recover it. */
const COSTS: {
  label: string;
  options: Record<string, number>;
  metric: MetricName;
  expected: number;
  within: number;
}[] = [
  { label: 'wait-2ms', options: { waitMsPerNode: 2 }, metric: 'wallMs', expected: 2 * nodes, within: 0.1 },
  { label: 'cpu-1.5ms', options: { cpuMsPerNode: 1.5 }, metric: 'cpuMs', expected: 1.5 * nodes, within: 0.1 },
  {
    label: 'retain-25MiB',
    options: { retainBytesPerNode: Math.round((25 * MIB) / nodes) },
    metric: 'retainedBytes',
    expected: Math.round((25 * MIB) / nodes) * nodes,
    within: 0.1,
  },
  { label: 'requests-3', options: { requestsPerNode: 3 }, metric: 'apiCalls', expected: 3 * nodes, within: 0 },
  {
    label: 'disk-100kB',
    options: { diskBytesPerNode: 100_000 },
    metric: 'diskWriteBytes',
    expected: 100_000 * nodes,
    within: 0.05,
  },
];

const { scenario } = parseScenario(
  stringify({
    name: 'recovery-benchmark',
    pipeline: { nodes, topology: { kind: 'chain' }, work: { cpuMs: 1 } },
    hooks: COSTS.map((c) => ({ name: 'calibration', label: c.label, options: c.options })),
    trials: { repetitions: rounds, warmup: 1 },
  }),
  'recovery-benchmark.yaml',
);
const started = performance.now();
const report = buildReport(scenario, await measure(scenario), false);
let missed = 0;
console.log(`${nodes} nodes, ${rounds} paired rounds, load average ${loadavg()[0]!.toFixed(1)} at the end`);
for (const c of COSTS) {
  const m = metricOf(report.results[c.label]!, c.metric);
  if (!m.available) {
    console.log(`${c.label.padEnd(13)} ${c.metric}: unavailable (${m.reason})`);
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
    `${c.label.padEnd(13)} ${c.metric.padEnd(14)} injected ${c.expected.toLocaleString('en-US').padStart(11)}` +
      `  recovered ${Math.round(found).toLocaleString('en-US').padStart(11)}` +
      ` [95% ${Math.round(lo)}, ${Math.round(hi)}]` +
      `  ${(error * 100).toFixed(1)}% (allowed ±${c.within * 100}%) ${ok ? 'ok' : 'MISSED'}`,
  );
}
console.log(`${missed} of ${COSTS.length} missed; ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = missed ? 1 : 0;
