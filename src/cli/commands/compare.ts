import type { Command } from 'commander';
import { assertComparable } from '../../gate/comparable.ts';
import { readReport } from '../../report/write.ts';
import { checkBudgets, checkRegressions, gate } from '../../gate/gate.ts';
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
    .option('--junit <file>', 'write JUnit XML, one test case per check')
    .option(
      '--summary <file>',
      'write the Markdown verdict to a file (it is also appended to $GITHUB_STEP_SUMMARY when set)',
    )
    .action((baselineFile: string, currentFile: string, opts: { junit?: string; summary?: string }) => {
      assertWritableFile(opts.junit, '--junit');
      assertWritableFile(opts.summary, '--summary');
      const baseline = readReport(baselineFile);
      const current = readReport(currentFile);
      assertComparable(baseline, current, [baselineFile, currentFile]);
      const checks = [
        ...checkBudgets(current, current.scenario.budgets ?? {}, current.scenario.regression?.alpha),
        ...checkRegressions(baseline, current, current.scenario.regression ?? { alpha: 0.05, noise: 0.02 }),
      ];
      done(emitGate(gate(checks), current.scenario.name, io, opts));
    });
}
