// Does `run` recover hooks whose cost is known? Each calibration hook adds one known cost per node
// (a 2 ms wait, 1.5 ms of busy CPU, 25 MiB kept alive in all, requests and bytes written) to the
// same pipeline; the harness's overhead figure for it is set against the injected cost. Timing:
// its figures depend on the machine's load (say the load average with them).
// `npx tsx scripts/recovery-benchmark.ts [--nodes 50] [--rounds 6]`; exit 1 when a figure misses.
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { installSignalHandlers } from '../src/common/cleanup.ts';
import { buildReport } from '../src/measure/build-report.ts';
import { measure } from '../src/measure/measure.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { stringify } from 'yaml';
import { type CostKind, knownCosts, printRecovery } from './known-costs.ts';

const { values } = parseArgs({ options: { nodes: { type: 'string', default: '50' }, rounds: { type: 'string' } } });
installSignalHandlers();
const nodes = Number(values.nodes);
const rounds = Number(values.rounds ?? 6);
/** The calibration hook's option that injects each known cost. */
const OPTION: Record<CostKind, string> = {
  wait: 'waitMsPerNode',
  cpu: 'cpuMsPerNode',
  retain: 'retainBytesPerNode',
  requests: 'requestsPerNode',
  disk: 'diskBytesPerNode',
};
const COSTS = knownCosts(nodes);

const { scenario } = parseScenario(
  stringify({
    name: 'recovery-benchmark',
    pipeline: { nodes, topology: { kind: 'chain' }, work: { cpuMs: 1 } },
    hooks: COSTS.map((c) => ({ name: 'calibration', label: c.label, options: { [OPTION[c.kind]]: c.perNode } })),
    trials: { repetitions: rounds, warmup: 1 },
  }),
  'recovery-benchmark.yaml',
);
const started = performance.now();
const report = buildReport(scenario, await measure(scenario), false);
console.log(`${nodes} nodes, ${rounds} paired rounds, load average ${loadavg()[0]!.toFixed(1)} at the end`);
const missed = printRecovery(report, COSTS);
console.log(`${missed} of ${COSTS.length} missed; ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = missed ? 1 : 0;
