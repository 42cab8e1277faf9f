// Does `run` recover a Python hook's known costs? The same five costs as scripts/recovery-benchmark.ts (a 2 ms
// wait, 1.5 ms of busy CPU, 25 MiB held, 3 requests and 100 kB written per node), paid by a Kedro hook in real
// Kedro (`kind: kedro`, fixtures/known-cost/known_cost_hooks.py) and by a `command:` runner
// (fixtures/known-cost/known_cost_command.py), each against its own process with tracking off. Timing figures
// depend on the machine's load (printed beside each). The Kedro hook's environment is the one
// test/kedro-memory-held.test.ts uses (provisioned on first use, a minute or two).
// `npx tsx scripts/recovery-benchmark-python.ts [--nodes 50] [--rounds 6] [--only kedro|command] [--costs wait,cpu]`
// (--costs: some of wait, cpu, retain, requests, disk); exit 1 when a figure misses.
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { installSignalHandlers } from '../src/common/cleanup.ts';
import { buildReport } from '../src/measure/build-report.ts';
import { measure } from '../src/measure/measure.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { type CostKind, knownCosts, printRecovery } from './known-costs.ts';

const { values } = parseArgs({
  options: {
    nodes: { type: 'string', default: '50' },
    rounds: { type: 'string' },
    only: { type: 'string' },
    costs: { type: 'string' },
  },
});
installSignalHandlers();
const nodes = Number(values.nodes);
const rounds = Number(values.rounds ?? 6);
const FIXTURES = resolve(import.meta.dirname, '../fixtures/known-cost');
/** The fixture's environment variable that injects each known cost. */
const VARIABLE: Record<CostKind, string> = {
  wait: 'TRACKBENCH_COST_SLEEP_MS',
  cpu: 'TRACKBENCH_COST_CPU_MS',
  retain: 'TRACKBENCH_COST_RETAIN_BYTES',
  requests: 'TRACKBENCH_COST_REQUESTS',
  disk: 'TRACKBENCH_COST_DISK_BYTES',
};
const COSTS = knownCosts(nodes).filter((c) => !values.costs || values.costs.split(',').includes(c.kind));
const KINDS = values.only ? [values.only] : ['kedro', 'command'];

const hooks = KINDS.flatMap((kind) =>
  COSTS.map((c) => {
    const env = { PYTHONPATH: FIXTURES, [VARIABLE[c.kind]]: String(c.perNode) };
    const label = `${kind} ${c.label}`;
    if (kind === 'command') return { name: `command:python3 ${FIXTURES}/known_cost_command.py`, label, env };
    return {
      kind: 'kedro',
      hook: 'known_cost_hooks:KnownCostHook',
      kedro: '1.7.0',
      packages: ['kedro-mlflow==2.0.3', 'mlflow==3.17.2', 'kedro-datasets==9.6.0'],
      env,
      label,
    };
  }),
);
const { scenario } = parseScenario(
  stringify({
    name: 'recovery-benchmark-python',
    // Nothing to log: the hooks only pay their costs, so no value is lost.
    pipeline: {
      nodes,
      topology: { kind: 'chain' },
      work: { cpuMs: 1 },
      paramsPerNode: { count: 0 },
      metricsPerNode: 0,
    },
    hooks,
    trials: { repetitions: rounds, warmup: 1, timeoutMs: 600_000 },
  }),
  'recovery-benchmark-python.yaml',
);
const started = performance.now();
const report = buildReport(scenario, await measure(scenario), false);
console.log(`${nodes} nodes, ${rounds} paired rounds, load average ${loadavg()[0]!.toFixed(1)} at the end`);
let missed = 0;
for (const kind of KINDS) missed += printRecovery(report, COSTS, `${kind} `);
const all = COSTS.length * KINDS.length;
console.log(`${missed} of ${all} missed; ${((performance.now() - started) / 1000).toFixed(0)} s`);
process.exitCode = missed ? 1 : 0;
