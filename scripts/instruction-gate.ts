// Does the instruction-count gate see a 1% change, and only that? Under `--instrument cpu-sim`:
// 1. a baseline run of the reference hook (through scripts/costlier-reference-hook.mjs, extra 0);
// 2. a calibration run with a large extra computation per node, giving instructions per iteration;
// 3. `--runs` A/A runs gated against the baseline (every firing is a false positive), and
// 4. `--runs` runs of the hook made `--extra` (default 1%) more expensive, gated against it (every
//    run that passes is a miss).
// Prints the A/A spread of the hook's instruction overhead, both firing counts and the time of one
// instrumented gate run. `npx tsx scripts/instruction-gate.ts [scenario] [--runs 10] [--rounds 3]`
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { prepareScenario } from '../src/cli/prepare.ts';
import { installSignalHandlers } from '../src/common/cleanup.ts';
import { checkRegressions, gate } from '../src/gate/gate.ts';
import { buildReport } from '../src/measure/build-report.ts';
import { measure } from '../src/measure/measure.ts';
import type { Report } from '../src/measure/report-types.ts';
import type { Scenario } from '../src/scenario/types.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    extra: { type: 'string', default: '0.01' },
  },
});
// Interrupted: the trial in progress (and its Valgrind) stops too.
installSignalHandlers();
const file = positionals[0] ?? 'scenarios/overhead-table.yaml';
const runs = Number(values.runs);
const extra = Number(values.extra);
const HOOK = fileURLToPath(new URL('./costlier-reference-hook.mjs', import.meta.url));
const { scenario: loaded } = prepareScenario(file);

/** The scenario with one hook: the reference hook plus `extraIterations` per node, labelled as the baseline's. */
function withHook(extraIterations: number): Scenario {
  return {
    ...loaded,
    hooks: [{ name: `module:${HOOK}`, label: 'reference', options: { extraIterations } }],
    // Counts repeat: a few rounds suffice. The one warm-up round (uncounted) creates the experiment.
    trials: { ...loaded.trials, repetitions: Number(values.rounds), warmup: 1 },
  };
}

async function counted(extraIterations: number): Promise<{ report: Report; seconds: number }> {
  const scenario = withHook(extraIterations);
  const started = performance.now();
  const report = buildReport(scenario, await measure(scenario, { instrument: 'cpu-sim' }), false);
  return { report, seconds: (performance.now() - started) / 1000 };
}

/** The hook's instructions in the pipeline run: median with - median without (the gate's figure). */
function hookInstructions(report: Report, metric: 'instructions' | 'allocatorInstructions' = 'instructions'): number {
  const m = report.results.reference?.metrics[metric];
  if (!m?.available) throw new Error(`no instruction count in the report: ${m ? m.reason : 'no reference hook'}`);
  return m.overhead.absolute;
}

function gated(baseline: Report, report: Report): { fired: boolean; found: string } {
  const checks = checkRegressions(baseline, report, loaded.regression);
  const failed = checks.filter((c) => c.status === 'fail');
  const instr = checks.find((c) => c.metric === 'instructions');
  return {
    fired: gate(checks).verdict === 'fail',
    found: [instr?.found, ...failed.map((c) => `FAILED ${c.id}: ${c.found}`)].join('; '),
  };
}

const baseline = await counted(0);
const base = hookInstructions(baseline.report);
console.log(`baseline: ${base.toLocaleString('en')} instructions of hook (${baseline.seconds.toFixed(0)} s)`);

// Calibration: instructions of one iteration of the extra computation, from a run with many of them.
const nodes = loaded.pipeline.nodes;
const probeIterations = 20_000;
const probe = hookInstructions((await counted(probeIterations)).report);
const perIteration = (probe - base) / (probeIterations * nodes);
const iterations = Math.round((extra * base) / (perIteration * nodes));
console.log(
  `one iteration: ${perIteration.toFixed(2)} instructions; +${(extra * 100).toFixed(2)}% is ${iterations} per node`,
);

const aa: number[] = [base];
// The hook's instructions in the C allocator, counted apart and gated with a band of their own.
const inAllocator: number[] = [hookInstructions(baseline.report, 'allocatorInstructions')];
let falsePositives = 0;
for (let i = 1; i <= runs; i++) {
  const { report, seconds } = await counted(0);
  aa.push(hookInstructions(report));
  inAllocator.push(hookInstructions(report, 'allocatorInstructions'));
  const g = gated(baseline.report, report);
  if (g.fired) falsePositives++;
  console.log(`A/A ${i}/${runs}: ${g.fired ? 'FIRED' : 'pass'} (${g.found}) ${seconds.toFixed(0)} s`);
}
let detected = 0;
for (let i = 1; i <= runs; i++) {
  const { report, seconds } = await counted(iterations);
  const g = gated(baseline.report, report);
  if (g.fired) detected++;
  console.log(
    `+${(extra * 100).toFixed(2)}% ${i}/${runs}: ${g.fired ? 'fired' : 'MISSED'} (${g.found}) ${seconds.toFixed(0)} s`,
  );
}
/** Relative spread (max - min) / median, and the range, of a set of counts. */
function spreadOf(counts: number[]): { spread: string; range: string } {
  const sorted = [...counts].sort((a, b) => a - b);
  const spread = (sorted.at(-1)! - sorted[0]!) / sorted[sorted.length >> 1]!;
  return {
    spread: `${(spread * 100).toFixed(3)}%`,
    range: `${sorted[0]!.toLocaleString('en')} .. ${sorted.at(-1)!.toLocaleString('en')}`,
  };
}
const run = spreadOf(aa);
const allocator = spreadOf(inAllocator);
const band = `±${(loaded.regression.instructionNoise * 100).toFixed(2)}%`;
console.log(
  `\n${file}, ${Number(values.rounds)} rounds a run, band ${band}: ` +
    `A/A spread of the hook's instructions over ${aa.length} runs ${run.spread} (${run.range}); ` +
    `in the C allocator ${allocator.spread} (${allocator.range}); ` +
    `the gate fired in ${falsePositives} of ${runs} A/A runs and in ${detected} of ${runs} runs ` +
    `+${(extra * 100).toFixed(2)}% more expensive; one instrumented run took ${baseline.seconds.toFixed(0)} s`,
);
process.exitCode = falsePositives === 0 && detected === runs ? 0 : 1;
