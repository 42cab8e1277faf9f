import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { containerRuntimeProblem } from '../../backends/container.ts';
import { localServerAvailable } from '../../backends/local-server.ts';
import { CONFORMANCE_BACKENDS, type ConformanceBackendKind } from '../../conformance/backend.ts';
import { failsRun, judgedMustFailures, runSuite } from '../../conformance/suite.ts';
import { targetOptions } from '../../conformance/target-options.ts';
import { EnvironmentError } from '../../errors.ts';
import { parseTarget } from '../../conformance/targets.ts';
import { hooksRunInProcess } from '../exit.ts';
import { checkWaivers } from '../../conformance/waivers.ts';
import { consoleSummary, jsonReport, junitReport, markdownMatrix, tapReport } from '../../report/conformance.ts';
import { writeAtomic } from '../../report/write.ts';
import type { TargetResult } from '../../conformance/types.ts';
import { writeHtmlReport } from '../html-output.ts';
import { widthOf, type Io } from '../io.ts';
import { timestamped } from '../../common/file-names.ts';
import { assertDistinctOutputs, assertWritableDir, assertWritableFile } from '../paths.ts';

interface ConformanceOptions {
  target: string[];
  format: string;
  out: string;
  backend: ConformanceBackendKind;
  option?: string[];
  config?: string;
  html?: string;
  waive?: string[];
}

export function registerConformance(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('conformance')
    .description(
      'check tracking hooks against the requirement catalogue, on what actually reached MLflow; ' +
        'exit 1 when a MUST fails or a situation could not run',
    )
    .requiredOption(
      '--target <target...>',
      'builtin:<name>, module:<path>, command:<shell command> or kedro:<scenario.yaml>[#label] (repeatable)',
    )
    .option('--waive <ids...>', 'accept these requirements failing: IDs or patterns (ART-*); shown in every report')
    .addOption(
      new Option('--format <format>', 'what to print')
        .choices(['console', 'json', 'junit', 'tap', 'markdown'])
        .default('console'),
    )
    .addOption(
      new Option(
        '--backend <kind>',
        'where the hooks log: a fresh mock per situation, or one real MLflow (local server, container); ' +
          'situations with injected faults need the mock',
      )
        .choices([...CONFORMANCE_BACKENDS])
        .default('mock'),
    )
    .option(
      '--option <key=value...>',
      'a setting for builtin: and module: targets (mlflow.yml key, or a short name: childRunPerNode, ' +
        'long_params_strategy, flatten, recursive, sep)',
    )
    .option('--config <mlflow.yml>', 'an mlflow.yml for builtin: and module: targets (--option values apply over it)')
    .option(
      '--out <dir>',
      'where JSON, JUnit XML (and, for several targets, the Markdown matrix) are written',
      'reports',
    )
    .option('--html <file>', 'also write one self-contained HTML file: the requirement x target matrix')
    .action(async (opts: ConformanceOptions) => {
      checkWaivers(opts.waive ?? [], '--waive');
      const options = targetOptions(opts.option, opts.config);
      const targets = opts.target.map((t) => parseTarget(t, options));
      // Before a target's code is loaded: the outputs are flags like any other.
      assertDistinctOutputs(
        [
          ['--out', opts.out],
          ['--html', opts.html],
        ],
        opts.config === undefined ? [] : [['the --config file', opts.config]],
      );
      assertWritableDir(opts.out, '--out');
      assertWritableFile(opts.html, '--html');
      if (targets.some((t) => t.inProcess)) hooksRunInProcess();
      for (const t of targets) await t.load?.();
      await assertBackendAvailable(opts.backend);
      const results: TargetResult[] = [];
      for (const t of targets)
        results.push(
          await runSuite(t, {
            waive: opts.waive,
            backend: opts.backend,
            onScenario: io.isTTY ? (id, s) => io.progress?.(`${id}: scenario ${s}`) : undefined,
          }),
        );
      if (io.isTTY) io.progress?.('');
      const dir = resolve(opts.out);
      mkdirSync(dir, { recursive: true });
      const base = join(dir, timestamped('conformance'));
      writeAtomic(`${base}.json`, `${JSON.stringify(jsonReport(results), null, 2)}\n`);
      writeAtomic(`${base}.junit.xml`, junitReport(results));
      if (results.length > 1) writeAtomic(`${base}.md`, markdownMatrix(results));
      const printed = {
        console: () => consoleSummary(results, widthOf(io)),
        json: () => JSON.stringify(jsonReport(results)),
        junit: () => junitReport(results),
        tap: () => tapReport(results),
        markdown: () => markdownMatrix(results),
      }[opts.format as 'console']();
      io.out(printed);
      if (opts.format === 'console')
        io.out(
          ['reports:', `${base}.json`, `${base}.junit.xml`, ...(results.length > 1 ? [`${base}.md`] : [])].join('\n  '),
        );
      if (opts.html)
        writeHtmlReport(opts.html, [{ ...jsonReport(results), kind: 'trackbench-conformance', targets: results }], io);
      const backend = backendFailure(results);
      if (backend && !backend.answered) throw new EnvironmentError(backend.message);
      if (backend) io.err(`environment: ${backend.message}`);
      done(results.some(failsRun) ? 1 : 0);
    });
}

/**
 * Situations the tracking backend stopped, said in one line, and whether the run has an answer on a hook anyway
 * (a MUST failed, or a situation stopped by the target or its time limit). Without one, the backend's failure is the
 * environment's (exit 3): a CI job must not read a broken MLflow install as a regression. With one, the answer wins
 * (exit 1), and the backend's failure is said beside it. The reports show which requirements it left unjudged.
 */
export function backendFailure(results: TargetResult[]): { message: string; answered: boolean } | undefined {
  const failed = results.flatMap((r) => r.errors.filter((e) => e.cause === 'backend'));
  if (!failed.length) return undefined;
  return {
    message:
      `the tracking backend failed in ${failed.length} situation(s) ` +
      `(${failed[0]!.scenario}: ${failed[0]!.error}): no verdict on the requirements they hold`,
    // A MUST "failed" as not judged (the situation that holds it did not run) is no answer.
    answered: results.some((r) => judgedMustFailures(r) > 0 || r.errors.some((e) => e.cause !== 'backend')),
  };
}

/** Says in one line (exit 3) when the chosen backend cannot run here, before any situation is tried. */
async function assertBackendAvailable(kind: ConformanceBackendKind): Promise<void> {
  if (kind === 'local' && !localServerAvailable())
    throw new EnvironmentError('--backend local: no mlflow server installed; run `npm run setup:mlflow`');
  if (kind === 'container') {
    const problem = await containerRuntimeProblem();
    if (problem) throw new EnvironmentError(`--backend container: ${problem}`);
  }
}
