// One trial of an external plugin (a `command:` hook): the command runs the described pipeline
// in its own process, with tracking on or off, and writes its own probes to a JSON file. The
// parent counts API calls from the request log, as for every trial. Under the instruction-count
// instrument the command line runs under Valgrind, followed into the program it starts (a pyenv
// shim is a shell script), and the process that marks its phases (the Python helper) is counted.
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { readInputText, UnreadableInput } from '../common/read-input.ts';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { registerTempDir } from '../common/cleanup.ts';
import { indentedTail, lastLine, lastLines } from '../common/last-lines.ts';
import { shellQuote } from '../common/shell.ts';
import { EnvironmentError } from '../errors.ts';
import { describePipeline } from '../pipeline/describe.ts';
import { COMMAND_EXIT_GRACE_MS, endedHow, runExternal } from '../pipeline/external.ts';
import { generatePipeline } from '../pipeline/generate.ts';
import { INJECTED_FAILURE } from '../pipeline/work.ts';
import { scenarioDir } from '../tracking/registry.ts';
import type { ExternalHook } from './external-hooks.ts';
import { callgrindArgs, countedProbes, readDumps, VALGRIND_SLOWDOWN } from './instrument.ts';
import type { ResourceProbes } from './probes.ts';
import { plannedProduction } from './produced.ts';
import { COUNTED_METRICS, type TrialReply, type TrialRequest } from './trial-types.ts';

const REQUIRED = ['wallMs', 'cpuMs', 'peakRssBytes'] as const;
const OPTIONAL = ['diskWriteBytes', 'writeBytes', 'retainedBytes', 'setupMs'] as const;

/** Probes are a small JSON object. */
const MAX_PROBES_BYTES = 1024 * 1024;

export async function runCommandTrial(req: TrialRequest, external: ExternalHook): Promise<TrialReply> {
  const { command, timeoutMs } = external;
  // In the run's temp folder: removed with it by the run's watchdog when trackbench is killed outright.
  const dir = mkdtempSync(join(req.tempDir ?? tmpdir(), 'trackbench-trial-'));
  const unregister = registerTempDir(dir);
  try {
    const pipeline = generatePipeline(req.scenario.pipeline);
    const pipelineFile = join(dir, 'pipeline.json');
    const probesFile = join(dir, 'probes.json');
    writeFileSync(pipelineFile, JSON.stringify(describePipeline(pipeline, req.scenario.name)));
    const callgrindDir = req.valgrind ? join(dir, 'callgrind') : undefined;
    const env = {
      ...process.env,
      ...external.env,
      MLFLOW_TRACKING_URI: req.trackingUri,
      TRACKBENCH_PIPELINE_FILE: pipelineFile,
      TRACKBENCH_PROBES_FILE: probesFile,
      TRACKBENCH_TRACKING: req.variant.kind === 'with' ? 'on' : 'off',
      // As a Node trial's: what the process (Kedro, the plugin) leaves in temp folders goes with the trial's.
      TMPDIR: dir,
      // A trial is one pipeline run, whatever the caller's environment says (conformance's `twice` asks for two).
      TRACKBENCH_PIPELINE_RUNS: '1',
      // Counted: the helper marks its phases and counts busy work in iterations; str hashing seeded.
      ...(callgrindDir ? { TRACKBENCH_INSTRUMENT: 'cpu-sim', TRACKBENCH_DETERMINISTIC: '1', PYTHONHASHSEED: '0' } : {}),
    };
    if (callgrindDir) mkdirSync(callgrindDir);
    const line =
      req.valgrind && callgrindDir
        ? [req.valgrind, ...callgrindArgs(callgrindDir, true), 'sh', '-c', command].map(shellQuote).join(' ')
        : command;
    // Run from the scenario's folder, so relative paths in the command read like module: paths do.
    const limit = callgrindDir ? timeoutMs * VALGRIND_SLOWDOWN : timeoutMs;
    const limitAfterRun = callgrindDir ? COMMAND_EXIT_GRACE_MS * VALGRIND_SLOWDOWN : COMMAND_EXIT_GRACE_MS;
    const result = await runExternal(line, env, limit, scenarioDir(req.scenario.source));
    const tail = lastLines(result.output);
    const indented = indentedTail(tail);
    const ended = endedHow(result.code, result.signal);
    if (result.timedOut)
      throw new EnvironmentError(
        `trial command did not finish within ${limit} ms (the hook's timeoutMs, or trials.timeoutMs): ` +
          `${command}${indented}`,
      );
    // It escaped the trial's group, so it could have run on into the next trial, billed to it: no measurement.
    if (result.outputHeld)
      return {
        ok: false,
        outputTail: tail,
        error:
          `command ${ended}, but a process it started in a session of its own (setsid?) ` +
          `still held its output: killed: ${command}`,
      };
    if (result.escaped)
      return {
        ok: false,
        outputTail: tail,
        error:
          `command ${ended}, but left running what it started outside its process group (setsid?), which could ` +
          `have logged on into the next trial: killed: ${result.escaped.join('; ')}: ${command}`,
      };
    if (!existsSync(probesFile)) {
      return {
        ok: false,
        outputTail: tail,
        error:
          `command ${ended} without writing its probes to TRACKBENCH_PROBES_FILE ` +
          `(README: "Measuring an external plugin"): ${command}`,
      };
    }
    // Written as its pipeline run ended: a process that lives on long after (a non-daemon thread, a timer, a slow
    // teardown) costs every `kedro run` that time, outside every figure here: not a measurement (RUN-012's limit).
    const lingeredMs = result.exitedAt - statSync(probesFile).mtimeMs;
    if (lingeredMs > limitAfterRun)
      return {
        ok: false,
        outputTail: tail,
        error:
          `command ${ended} ${(lingeredMs / 1000).toFixed(1)} s after its pipeline run ended (it wrote its ` +
          `probes), more than ${limitAfterRun / 1000} s (a non-daemon thread or timer left running?): ${command}`,
      };
    // A failAt scenario's node fails the pipeline on purpose, with tracking on and off: a command whose last line
    // says that node raised it (the Python helper's node does) failed as asked; any other failure is its own (a
    // hook that raised after the node did: its own error is the last line).
    const failing = pipeline.nodes.find((n) => n.fails);
    const injected = failing && result.code !== 0 && saysInjected(result.output, failing.name);
    if (result.code !== 0 && req.variant.kind === 'without' && !injected)
      // The baseline must run: a failure with tracking off is a broken environment, not a figure.
      return {
        ok: false,
        error: `the pipeline failed with tracking off (${ended}): ${command}${indented}`,
      };
    let probesText: string;
    try {
      // A regular file of a few bytes: a FIFO or a link to something huge is the command's failure, not a hang.
      probesText = readInputText(probesFile, MAX_PROBES_BYTES);
    } catch (err) {
      if (!(err instanceof UnreadableInput)) throw err;
      return { ok: false, outputTail: tail, error: `its TRACKBENCH_PROBES_FILE is ${err.message}: ${command}` };
    }
    const probes = parseProbes(probesText, command);
    const counted = callgrindDir ? readDumps(callgrindDir) : undefined;
    return {
      ok: true,
      ...(counted ? countedReply(counted) : { probes }),
      produced: plannedProduction(pipeline),
      outputTail: tail,
      exitCode: result.code !== 0 ? result.code : undefined,
      pipelineError: injected
        ? `${INJECTED_FAILURE} ${failing.name}`
        : result.code !== 0
          ? `command ${ended}${tail ? `: ${lastLine(tail)}` : ''}`
          : undefined,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    unregister();
  }
}

/** A counted trial's figures; a command that marks no phases (or not as expected) has none, and says why. */
function countedReply(
  counted: ReturnType<typeof readDumps>,
): Pick<TrialReply & { ok: true }, 'probes' | 'unavailable'> {
  if ('unavailable' in counted)
    return {
      probes: countedProbes({ instructions: null, allocatorInstructions: null, setupInstructions: null }),
      unavailable: Object.fromEntries([...COUNTED_METRICS].map((m) => [m, counted.unavailable])),
    };
  const { setupUnavailable, ...counts } = counted;
  return {
    probes: countedProbes(counts),
    ...(setupUnavailable ? { unavailable: { setupInstructions: setupUnavailable } } : {}),
  };
}

/**
 * The probes file: wallMs, cpuMs, peakRssBytes as numbers >= 0; diskWriteBytes, writeBytes and retainedBytes as
 * numbers or null (not measurable there; retainedBytes may be left out, as older helpers and other runners do).
 * setupMs, the plugin's import and set-up before the run (the Python helper: from its mark() to the measured
 * block), is the trial's start-up figure, as a Node trial's; null or left out (older helpers): not measured.
 */
export function parseProbes(text: string, command: string): ResourceProbes {
  const fail = (what: string): never => {
    throw new EnvironmentError(
      `the probes written by \`${command}\` ${what}; expected {"wallMs": n, "cpuMs": n, "peakRssBytes": n, ` +
        `"diskWriteBytes": n|null, "writeBytes": n|null, "retainedBytes": n|null, "setupMs": n|null}`,
    );
  };
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (err) {
    return fail(`are not JSON (${(err as Error).message})`);
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return fail('are not a JSON object');
  const record = data as Record<string, unknown>;
  const number = (key: string, nullable: boolean): number | null => {
    const v = record[key];
    if (nullable && (v === null || v === undefined)) return null;
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0)
      return fail(`give ${key} = ${JSON.stringify(v)}, not a number >= 0`);
    return v;
  };
  const [wallMs, cpuMs, peakRssBytes] = REQUIRED.map((k) => number(k, false) as number);
  const [diskWriteBytes, writeBytes, retainedBytes, setupMs] = OPTIONAL.map((k) => number(k, true));
  return {
    wallMs: wallMs!,
    cpuMs: cpuMs!,
    peakRssBytes: peakRssBytes!,
    diskWriteBytes: diskWriteBytes!,
    writeBytes: writeBytes!,
    retainedBytes: retainedBytes!,
    startupMs: setupMs!,
  };
}

/** Whether the last line of `output` says node `name` raised the injected failure (the name whole, not a prefix). */
export function saysInjected(output: string, name: string): boolean {
  const last = lastLine(output);
  const said = `${INJECTED_FAILURE} ${name}`;
  const at = last.lastIndexOf(said);
  return at >= 0 && /^(\s|$)/.test(last.slice(at + said.length));
}
