// The gate's false-positive rate: run the same scenario N+1 times and gate each run against the one
// before it (an A/A comparison: nothing changed). Every firing is a false positive.
// `npx tsx scripts/aa-benchmark.ts [scenario] [--runs 20] [--quick]` (about 30 s per run for overhead-table;
// `--quick` measures as `run --quick` does).
import { parseArgs } from 'node:util';
import { prepareScenario } from '../src/cli/prepare.ts';
import { measure } from '../src/measure/measure.ts';
import { buildReport } from '../src/measure/build-report.ts';
import type { Report } from '../src/measure/report-types.ts';
import { checkBudgets, checkRegressions, gate } from '../src/gate/gate.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '20' },
    hook: { type: 'string', default: 'reference' },
    quick: { type: 'boolean', default: false },
  },
});
const file = positionals[0] ?? 'scenarios/overhead-table.yaml';
const { scenario: loaded } = prepareScenario(file);
const scenario = { ...loaded, hooks: loaded.hooks.filter((h) => h.label === values.hook) };
const comparisons = Number(values.runs);
let previous: Report | undefined;
let fired = 0;
const mde: number[] = [];
for (let i = 0; i <= comparisons; i++) {
  const report = buildReport(scenario, await measure(scenario, { quick: values.quick }), values.quick);
  if (previous) {
    const checks = [
      ...checkBudgets(report, scenario.budgets),
      ...checkRegressions(previous, report, scenario.regression),
    ];
    const result = gate(checks);
    if (result.verdict === 'fail') fired++;
    const wall = checks.find((c) => c.metric === 'wallMs');
    mde.push(Number((wall?.minimumDetectable ?? '±NaN%').replace(/[±%]/g, '')));
    console.log(
      `A/A ${i}/${comparisons}: ${result.verdict}${
        result.verdict === 'fail'
          ? ` (${result.checks
              .filter((c) => c.status === 'fail')
              .map((c) => `${c.id}: ${c.found}`)
              .join('; ')})`
          : ''
      }; wall-time change detectable: ±${mde.at(-1)}%`,
    );
  }
  previous = report;
}
mde.sort((a, b) => a - b);
const rounds = values.quick
  ? Math.min(scenario.trials.quickRepetitions, scenario.trials.repetitions)
  : scenario.trials.repetitions;
console.log(
  `\n${file}, hook ${values.hook}: ${rounds} paired rounds per run; ` +
    `the gate fired in ${fired} of ${comparisons} A/A comparisons ` +
    `(false-positive rate ${((100 * fired) / comparisons).toFixed(1)}%); ` +
    `median detectable wall-time change ±${mde[mde.length >> 1]}%`,
);
