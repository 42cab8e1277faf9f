import { quotedInput } from '../../common/terminal-text.ts';
import type { Locate } from '../../common/validate-yaml.ts';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError, type Diagnostic } from '../../errors.ts';
import { environmentWarning } from '../../measure/environment.ts';
import { measure } from '../../measure/measure.ts';
import { buildReport } from '../../measure/build-report.ts';
import { consoleTables } from '../../report/console.ts';
import type { HtmlDocument } from '../../report/html/index.ts';
import { markdownReport } from '../../report/markdown.ts';
import { readReport } from '../../report/read.ts';
import { writeAtomic, writeReportFiles } from '../../report/write.ts';
import { assertComparable } from '../../gate/comparable.ts';
import { measuredAlikeWarning } from '../../gate/measured-alike.ts';
import { checkBudgets, checkOutcome, checkRegressions, gate } from '../../gate/gate.ts';
import { gateDocument } from '../../report/gate.ts';
import { emitGate } from '../gate-output.ts';
import { writeHtmlReport } from '../html-output.ts';
import { shard } from '../../measure/sweep.ts';
import { widthOf, type Io } from '../io.ts';
import { progressReporter } from '../progress.ts';
import { assertDistinctOutputs, assertWritableDir, assertWritableFile } from '../paths.ts';
import { hookNames, prepareScenario, withHooks } from '../prepare.ts';

/** The flags naming what `run` writes: the reports' folder first, then files. */
const OUTPUT_FLAGS = [
  ['--out', 'out'],
  ['--save-baseline', 'saveBaseline'],
  ['--junit', 'junit'],
  ['--summary', 'summary'],
  ['--gate-json', 'gateJson'],
  ['--html', 'html'],
] as const;

export function registerRun(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('run')
    .description(
      'measure each scenario without and with each hook (fresh process per trial, interleaved) ' +
        'and write JSON + Markdown reports',
    )
    .argument('<scenarios...>', 'scenario YAML files')
    .option('--quick', "a short smoke run: the scenario's quickRepetitions, one warm-up round")
    .option(
      '--hook <names>',
      "comma-separated hooks to measure instead of the scenario's (labels, built-in names or module:<path>)",
    )
    .option(
      '--shard <i/n>',
      'run only this share of the scenarios (for parallel CI jobs; join the reports with trackbench merge)',
    )
    .option('--out <dir>', 'where reports go', 'reports')
    .option(
      '--save-baseline <file>',
      'also write the JSON report to this file, as the baseline of later runs (one scenario)',
    )
    .option(
      '--baseline <file>',
      'gate this run against a baseline report (budgets and regressions); exit 1 when it fails (one scenario)',
    )
    .option(
      '--allow-failures',
      'keep measuring when a trial fails (its rounds leave the figures; tables show it; the gate fails)',
    )
    .option(
      '--instrument <name>',
      'cpu-sim: count instructions of each trial under Valgrind (deterministic; hook set-up and the run apart)',
    )
    .option('--fail-inconclusive', 'an inconclusive comparison with the baseline fails the gate')
    .option('--junit <file>', 'with budgets or --baseline: write the gate as JUnit XML')
    .option(
      '--summary <file>',
      'with budgets or --baseline: write a short PR-comment Markdown (verdict, then the three figures that matter)',
    )
    .option('--gate-json <file>', 'with budgets or --baseline: write the gate (both reports and the verdict) as JSON')
    .option('--html <file>', 'also write one self-contained HTML report with charts (the gate too, when gated)')
    .action(
      async (
        files: string[],
        opts: {
          quick?: boolean;
          hook?: string;
          shard?: string;
          out: string;
          saveBaseline?: string;
          baseline?: string;
          junit?: string;
          summary?: string;
          gateJson?: string;
          html?: string;
          allowFailures?: boolean;
          failInconclusive?: boolean;
          instrument?: string;
        },
      ) => {
        // Everything is checked before minutes of measuring, and before anything is created: scenarios, hooks,
        // the baseline file, the outputs.
        const outputs = OUTPUT_FLAGS.map(([flag, key]): [string, string | undefined] => [flag, opts[key]]);
        assertDistinctOutputs(
          outputs,
          files.map((f): [string, string] => ['a scenario file', f]),
        );
        const prepared = shard(files, opts.shard).map((f) => {
          const { scenario, locate } = prepareScenario(f);
          return { scenario: opts.hook ? withHooks(scenario, opts.hook) : scenario, locate };
        });
        const scenarios = prepared.map((p) => p.scenario);
        if ((opts.baseline || opts.saveBaseline) && scenarios.length !== 1)
          throw InputError.flag(
            opts.baseline ? '--baseline' : '--save-baseline',
            `works with one scenario; this run has ${scenarios.length}`,
          );
        if (opts.instrument !== undefined && opts.instrument !== 'cpu-sim')
          throw InputError.flag(
            '--instrument',
            `unknown instrument ${quotedInput(opts.instrument)}; the one there is: cpu-sim`,
          );
        const instrument = opts.instrument === 'cpu-sim' ? 'cpu-sim' : undefined;
        const selectedHooks = opts.hook ? hookNames(opts.hook) : undefined;
        const baseline = opts.baseline ? readReport(opts.baseline) : undefined;
        if (baseline && opts.baseline) {
          // scenarios.length is 1 with a baseline (checked above)
          const s = scenarios[0]!;
          const planned = {
            scenario: s.name,
            nodes: s.pipeline.nodes,
            hooks: s.hooks.map((h) => h.label),
            instrument: instrument ?? null,
            pipeline: s.pipeline,
          };
          assertComparable(baseline, planned, [opts.baseline, s.source ?? files[0]!], (path, message) =>
            plannedPlace(path, message, prepared[0]!.locate, opts.hook !== undefined),
          );
        }
        if (!scenarios.length) io.err(`--shard ${opts.shard}: no scenario of ${files.length} falls to this shard`);
        assertWritableDir(opts.out, '--out');
        for (const [flag, path] of outputs.slice(1)) assertWritableFile(path, flag);
        const docs: HtmlDocument[] = [];
        let code = 0;
        for (const scenario of scenarios) {
          const progress = progressReporter(io, scenarios.length > 1 ? `${scenario.name}: ` : '');
          const report = buildReport(
            scenario,
            await measure(scenario, {
              quick: opts.quick,
              allowFailures: opts.allowFailures,
              instrument,
              onProgress: (p) => progress.report(p),
            }),
            Boolean(opts.quick),
            selectedHooks,
          );
          progress.end();
          const paths = writeReportFiles(report, resolve(opts.out), markdownReport(report));
          io.out(consoleTables(report, io.isTTY, widthOf(io)));
          io.out(`reports: ${paths.json}\n         ${paths.md}`);
          // Failed trials and lost values fail every run, gated or not.
          const outcome = checkOutcome(report);
          const faults = outcome.filter((c) => c.status === 'fail');
          if (opts.saveBaseline && faults.length)
            io.out(`baseline not saved (${opts.saveBaseline}): a baseline must be a clean run; ${faults[0]!.found}`);
          else if (opts.saveBaseline) {
            writeAtomic(resolve(opts.saveBaseline), `${JSON.stringify(report, null, 2)}\n`);
            io.out(`baseline saved: ${opts.saveBaseline}`);
          }
          const gated = baseline || Object.keys(scenario.budgets).length;
          if (!gated && outcome.every((c) => c.status === 'pass')) {
            docs.push(report);
            continue;
          }
          const warnings: string[] = [];
          if (baseline && opts.baseline) {
            assertComparable(baseline, report, [opts.baseline, paths.json]);
            const which = `${opts.baseline} and ${paths.json}`;
            for (const warning of [
              environmentWarning(baseline, report, which),
              measuredAlikeWarning(baseline, report, which),
            ])
              if (warning) warnings.push(warning);
            for (const warning of warnings) io.out(warning);
          }
          const checks = [
            ...outcome,
            ...checkBudgets(report, scenario.budgets, scenario.regression.alpha),
            ...(baseline
              ? checkRegressions(baseline, report, {
                  ...scenario.regression,
                  failInconclusive: opts.failInconclusive || scenario.regression.failInconclusive,
                })
              : []),
          ];
          const doc = gateDocument(scenario.name, baseline ?? null, report, gate(checks), warnings);
          docs.push(doc);
          code = Math.max(code, emitGate(doc, io, opts));
        }
        if (opts.html) writeHtmlReport(opts.html, docs, io);
        done(code);
      },
    );
}

/**
 * Where a difference from the baseline (a report's field, comparable.ts) is set for a run about to start: in the
 * scenario's file, or the flag that changed it.
 */
function plannedPlace(path: (string | number)[], message: string, locate: Locate, hookFlag: boolean): Diagnostic {
  if (path[0] === 'scenario') return locate(path.slice(1), message);
  if (path[0] === 'nodes') return locate(['pipeline', 'nodes'], message);
  if (path[0] === 'results' && !hookFlag) return locate(['hooks'], message);
  return { file: path[0] === 'results' ? '--hook' : '--instrument', message };
}
