import type { Command } from 'commander';
import { environmentWarning } from '../../measure/environment.ts';
import { assertComparable } from '../../gate/comparable.ts';
import { measuredAlikeWarning } from '../../gate/measured-alike.ts';
import { gateDocument } from '../../report/gate.ts';
import { readReport, reportLocator } from '../../report/read.ts';
import { checkBudgets, checkOutcome, checkRegressions, gate } from '../../gate/gate.ts';
import { emitGate } from '../gate-output.ts';
import { writeHtmlReport } from '../html-output.ts';
import type { Io } from '../io.ts';
import { assertDistinctOutputs, assertWritableFile } from '../paths.ts';

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
      'write a short PR-comment Markdown: the verdict, then the three figures that matter ' +
        '(the full verdict is appended to $GITHUB_STEP_SUMMARY when set)',
    )
    .option('--gate-json <file>', 'write the gate (both reports and the verdict) as JSON, for `report` and `history`')
    .option('--html <file>', 'write one self-contained HTML file: baseline vs current per figure, with the verdict')
    .action(
      (
        baselineFile: string,
        currentFile: string,
        opts: { junit?: string; summary?: string; gateJson?: string; html?: string; failInconclusive?: boolean },
      ) => {
        const outputs: [string, string | undefined][] = [
          ['--junit', opts.junit],
          ['--summary', opts.summary],
          ['--gate-json', opts.gateJson],
          ['--html', opts.html],
        ];
        assertDistinctOutputs(outputs, [
          ['the input <baseline>', baselineFile],
          ['the input <current>', currentFile],
        ]);
        for (const [flag, path] of outputs) assertWritableFile(path, flag);
        const baseline = readReport(baselineFile);
        const current = readReport(currentFile);
        const locate = reportLocator();
        assertComparable(baseline, current, [baselineFile, currentFile], (path, message) =>
          locate(currentFile, path, message),
        );
        const warnings = [environmentWarning(baseline, current), measuredAlikeWarning(baseline, current)].filter(
          (w) => w !== undefined,
        );
        for (const warning of warnings) io.out(warning);
        const regression = current.scenario.regression;
        const checks = [
          ...checkOutcome(current),
          ...checkBudgets(current, current.scenario.budgets ?? {}, regression.alpha),
          ...checkRegressions(baseline, current, {
            ...regression,
            failInconclusive: opts.failInconclusive || regression.failInconclusive,
          }),
        ];
        const doc = gateDocument(current.scenario.name, baseline, current, gate(checks), warnings);
        const code = emitGate(doc, io, opts);
        if (opts.html) writeHtmlReport(opts.html, [doc], io);
        done(code);
      },
    );
}
