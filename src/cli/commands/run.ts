import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../errors.ts';
import { measure, type Progress } from '../../measure/measure.ts';
import { buildReport } from '../../measure/build-report.ts';
import { consoleTables } from '../../report/console.ts';
import { markdownReport } from '../../report/markdown.ts';
import { readReport, writeAtomic, writeReportFiles } from '../../report/write.ts';
import { assertComparable } from '../../gate/comparable.ts';
import { checkBudgets, checkRegressions, gate } from '../../gate/gate.ts';
import { emitGate } from '../gate-output.ts';
import { shard } from '../../measure/sweep.ts';
import type { Scenario } from '../../scenario/types.ts';
import { checkHookRefs } from '../../tracking/registry.ts';
import type { Io } from '../io.ts';
import { prepareScenario } from '../prepare.ts';
import { codeOf } from '../../common/caught.ts';

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
    .option('--junit <file>', 'with budgets or --baseline: write the gate as JUnit XML')
    .option('--summary <file>', 'with budgets or --baseline: write the Markdown verdict to a file')
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
        },
      ) => {
        // Everything is checked before minutes of measuring: scenarios, hooks, the baseline file.
        const scenarios = shard(files, opts.shard).map((f) => {
          const { scenario } = prepareScenario(f);
          return opts.hook ? withHooks(scenario, opts.hook) : scenario;
        });
        if ((opts.baseline || opts.saveBaseline) && scenarios.length !== 1)
          throw InputError.flag(
            opts.baseline ? '--baseline' : '--save-baseline',
            `works with one scenario; this run has ${scenarios.length}`,
          );
        const baseline = opts.baseline ? readReport(opts.baseline) : undefined;
        assertWritableDir(opts.out);
        let code = 0;
        for (const scenario of scenarios) {
          const report = buildReport(
            scenario,
            await measure(scenario, { quick: opts.quick, onProgress: io.isTTY ? progressLine() : undefined }),
            Boolean(opts.quick),
          );
          if (io.isTTY) process.stderr.write('\r\x1b[K');
          const paths = writeReportFiles(report, resolve(opts.out), markdownReport(report));
          io.out(consoleTables(report, io.isTTY));
          io.out(`reports: ${paths.json}\n         ${paths.md}`);
          if (opts.saveBaseline) {
            writeAtomic(resolve(opts.saveBaseline), `${JSON.stringify(report, null, 2)}\n`);
            io.out(`baseline saved: ${opts.saveBaseline}`);
          }
          if (!baseline && !Object.keys(scenario.budgets).length) continue;
          // a baseline is read only when --baseline is given
          if (baseline) assertComparable(baseline, report, [opts.baseline!, paths.json]);
          const checks = [
            ...checkBudgets(report, scenario.budgets, scenario.regression.alpha),
            ...(baseline ? checkRegressions(baseline, report, scenario.regression) : []),
          ];
          code = Math.max(code, emitGate(gate(checks), scenario.name, io, opts));
        }
        done(code);
      },
    );
}

/**
 * Fails now, naming the flag, rather than after minutes of measuring. The nearest existing ancestor
 * is checked first: a recursive mkdir into some special file systems (/proc) never returns on Node 20.
 */
function assertWritableDir(dir: string): void {
  const fail = (why: string): never => {
    throw InputError.flag('--out', `cannot write reports to ${dir}: ${why}`);
  };
  let existing = resolve(dir);
  while (!existsSync(existing)) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) fail(`${existing} is not a folder`);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    fail(`${existing} is not writable`);
  }
  if (existing.startsWith('/proc') || existing.startsWith('/sys')) fail(`${existing} is not an ordinary file system`);
  try {
    mkdirSync(resolve(dir), { recursive: true });
  } catch (err) {
    fail(codeOf(err) ?? String(err));
  }
}

/** The scenario with the hooks named on the command line, checked like the scenario's own. */
function withHooks(scenario: Scenario, list: string): Scenario {
  const names = list
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  if (!names.length) throw InputError.flag('--hook', 'names no hook');
  const hooks = names.map((name) => scenario.hooks.find((h) => h.label === name) ?? { name, label: name, options: {} });
  const next = { ...scenario, hooks };
  const problems = checkHookRefs(next, (path, message) => ({
    file: '--hook',
    message: `${hooks[Number(path[1])]?.name ?? ''}: ${message}`,
  }));
  if (problems.length) throw new InputError(problems);
  return next;
}

/** One line, rewritten in place on stderr; only on a TTY, so nothing of it reaches CI logs. */
function progressLine(): (p: Progress) => void {
  return (p) => {
    const eta = p.done > 0 ? ((p.elapsedMs / p.done) * (p.total - p.done)) / 1000 : NaN;
    const what = p.variant ? `${p.warmup ? 'warm-up' : `round ${p.round + 1}`}, ${p.variant}` : 'done';
    process.stderr.write(
      `\r\x1b[Ktrial ${Math.min(p.done + 1, p.total)}/${p.total} (${what}) ${(p.elapsedMs / 1000).toFixed(0)} s ` +
        `elapsed${Number.isFinite(eta) ? `, about ${eta.toFixed(0)} s left` : ''}`,
    );
  };
}
