// The CLI: one small file per command; this file only wires them and maps errors to exit codes
// (0 ok, 1 a check failed, 2 bad input or usage, 3 the environment failed).
import { Command, CommanderError } from 'commander';
import { commandFinished, exitEvenIfHeld } from './exit.ts';
import { leaveSignalExitToCaller, removeAllSync, stopAllContainers } from '../backends/container-cleanup.ts';
import {
  installSignalHandlers,
  InterruptedError,
  interruptedBy,
  registerCleanup,
  SIGNAL_EXIT_CODES,
} from '../common/cleanup.ts';
import { CheckFailedError, EnvironmentError, InputError, errorMessage } from '../errors.ts';
import { registerBench } from './commands/bench.ts';
import { registerCompare } from './commands/compare.ts';
import { registerConformance } from './commands/conformance.ts';
import { registerGenerate } from './commands/generate.ts';
import { registerHistory } from './commands/history.ts';
import { registerMerge } from './commands/merge.ts';
import { registerMockMlflow } from './commands/mock-mlflow.ts';
import { registerReplay } from './commands/replay.ts';
import { registerReport } from './commands/report.ts';
import { registerRun } from './commands/run.ts';
import { registerSweep } from './commands/sweep.ts';
import { registerTrace } from './commands/trace.ts';
import { registerValidate } from './commands/validate.ts';
import { assertEnvNumbers, assertTempFolder, WRITES_TEMP_FILES } from './env-values.ts';
import { assertFlagValues, assertNoRepeatedFlags, countFlagUses } from './flags.ts';
import { processIo, stdoutForCommandOnly, type Io } from './io.ts';
import { isMlflowError } from '../mlflow/errors.ts';
import { quotedInput } from '../common/terminal-text.ts';
import { VERSION } from '../version.ts';

export async function main(argv: string[], io: Io = processIo): Promise<number> {
  let code = 0;
  const done = (c: number): void => {
    code = c;
  };
  const output = {
    writeOut: (s: string) => io.out(s),
    writeErr: (s: string) => io.err(s),
    // commander quotes a refused value whole (`--format` of 100,000 characters): cut, as trackbench's own messages
    outputError: (s: string, write: (s: string) => void) =>
      write(s.replace(/'([^'\n]{81,})'/g, (_, value: string) => quotedInput(value))),
  };
  const program = new Command('trackbench')
    .description('Benchmark and conformance harness for experiment-tracking hooks in data pipelines')
    .version(VERSION)
    .exitOverride()
    .configureOutput(output)
    .showHelpAfterError('(run with --help for usage)');
  for (const register of [
    registerValidate,
    registerGenerate,
    registerRun,
    registerTrace,
    registerReplay,
    registerCompare,
    registerSweep,
    registerMerge,
    registerReport,
    registerHistory,
    registerBench,
    registerConformance,
    registerMockMlflow,
  ])
    register(program, io, done);
  // Before any command's own checks: an empty flag value is never taken as "not given", nor one given twice.
  countFlagUses(program);
  program.hook('preAction', (_program, command) => {
    assertNoRepeatedFlags(command);
    assertFlagValues(command);
    assertEnvNumbers();
    if (WRITES_TEMP_FILES.has(command.name())) assertTempFolder();
  });
  for (const cmd of program.commands) cmd.exitOverride().configureOutput(output);

  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (err) {
    return exitCodeFor(err, io);
  } finally {
    commandFinished();
  }
}

/**
 * The process around `main` (bin/trackbench.js): exit code, and a promise that rejects with nobody
 * to handle it is reported as the internal error it is (exit 3) instead of killing the process
 * before what it started is stopped.
 */
export async function runCli(argv: string[], io: Io = processIo): Promise<void> {
  // SIGINT/SIGTERM/SIGHUP stop every child and remove temp folders (src/common/cleanup.ts); the
  // container module then leaves exiting to that handler and its containers are one more cleanup.
  installSignalHandlers((line) => io.err(line));
  leaveSignalExitToCaller();
  stdoutForCommandOnly();
  // kill: when the orderly stop outlasts its bound (a loaded machine), remove the containers at once.
  registerCleanup({ name: 'containers', stop: stopAllContainers, kill: removeAllSync });
  // An error no code path caught: from trackbench, or from a hook running in this process (conformance of
  // builtin: and module: targets) in a timer or a promise nobody awaited. Said once each; the command goes
  // on to its verdict, and the exit is at least 3.
  let unhandled = false;
  const said = new Set<string>();
  const uncaught = (kind: string) => (reason: unknown) => {
    unhandled = true;
    // After the command (a hook's timer firing while the process exits): the exit code says so too.
    if (finished) process.exitCode = Math.max(Number(process.exitCode ?? 0), 3);
    const line = `trackbench: ${kind} that no code path caught (trackbench's, or a hook's running in this process): `;
    const message = errorMessage(reason);
    if (!said.has(message)) io.err(line + message);
    said.add(message);
  };
  let finished = false;
  process.on('unhandledRejection', uncaught('a promise rejection'));
  process.on('uncaughtException', uncaught('an exception'));
  // process.exit() by a hook running in this process ends it before any verdict: never exit 0 then.
  process.on('exit', (exitCode) => {
    if (finished || interruptedBy()) return;
    io.err('trackbench: the process was ended before the command finished (process.exit() in a hook?); no verdict');
    // 1 and 2 would say "a check failed" or "bad input": neither happened
    if (exitCode < 3) process.exitCode = 3;
  });
  const code = await main(argv, io);
  finished = true;
  process.exitCode = unhandled ? Math.max(code, 3) : code;
  exitEvenIfHeld(io);
}

function exitCodeFor(err: unknown, io: Io): number {
  // Interrupted: the signal handler is cleaning up and exits with its own code; say nothing more.
  const signal = interruptedBy();
  if (signal) return SIGNAL_EXIT_CODES[signal as keyof typeof SIGNAL_EXIT_CODES] ?? 130;
  if (err instanceof CommanderError) {
    // Help and version are exits with code 0; everything else commander rejects is usage.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof InterruptedError) return SIGNAL_EXIT_CODES[err.signal as keyof typeof SIGNAL_EXIT_CODES] ?? 130;
  if (err instanceof InputError) {
    io.err(err.message);
    return 2;
  }
  if (err instanceof CheckFailedError) {
    io.err(err.message);
    return 1;
  }
  if (isMlflowError(err)) {
    io.err(`mlflow: ${err.message}`);
    return 3;
  }
  if (err instanceof EnvironmentError) {
    io.err(`environment: ${err.message}`);
    return 3;
  }
  io.err(`trackbench: unexpected error: ${errorMessage(err)}`);
  if (process.env.TRACKBENCH_DEBUG && err instanceof Error) io.err(err.stack ?? '');
  return 3;
}
