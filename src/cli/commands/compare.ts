import type { Command } from 'commander';
import { environmentDifferences } from '../../measure/environment.ts';
import { assertComparable } from '../../gate/comparable.ts';
import { readReport } from '../../report/write.ts';
import { checkBudgets, checkOutcome, checkRegressions, gate } from '../../gate/gate.ts';
import { emitGate } from '../gate-output.ts';
import type { Io } from '../io.ts';
import { assertWritableFile } from '../paths.ts';

export function registerCompare(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('compare')
    .description(
      "gate a run against a baseline: the current scenario's budgets, and regressions since the baseline; " +
        'exit 1 when either breaks',
    )
    .argument('<baseline>', 'baseline report (JSON)')
    .argument('<current>', 'current report (JSON)')
    .option('--fail-inconclusive', 'an inconclusive comparison fails the gate')
    .option('--junit <file>', 'write JUnit XML, one test case per check')
    .option(
      '--summary <file>',
      'write the Markdown verdict to a file (it is also appended to $GITHUB_STEP_SUMMARY when set)',
    )
    .action(
      (
        baselineFile: string,
        currentFile: string,
        opts: { junit?: string; summary?: string; failInconclusive?: boolean },
      ) => {
        assertWritableFile(opts.junit, '--junit');
        assertWritableFile(opts.summary, '--summary');
        const baseline = readReport(baselineFile);
        const current = readReport(currentFile);
        assertComparable(baseline, current, [baselineFile, currentFile]);
        const differences = environmentDifferences(baseline.environment, current.environment);
        if (differences.length)
          io.out(
            `warning: the two reports measured different environments; differences may be the environment's:\n` +
              differences.map((d) => `  ${d}`).join('\n'),
          );
        const regression = current.scenario.regression;
        const checks = [
          ...checkOutcome(current),
          ...checkBudgets(current, current.scenario.budgets ?? {}, regression.alpha),
          ...checkRegressions(baseline, current, {
            ...regression,
            failInconclusive: opts.failInconclusive || regression.failInconclusive,
          }),
        ];
        done(emitGate(gate(checks), current.scenario.name, io, opts));
      },
    );
}
