// Starts one trial process, hands it the request, and waits for its reply (or its death). An
// external plugin (a `command:` hook) is its own trial process.
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../errors.ts';
import { externalCommand } from '../tracking/registry.ts';
import { runCommandTrial } from './command-trial.ts';
import { callgrindArgs, DETERMINISTIC_V8_FLAGS, readDumps } from './instrument.ts';
import type { TrialReply, TrialRequest } from './trial-types.ts';

const WORKER = fileURLToPath(new URL('./trial-worker.ts', import.meta.url));

export async function runTrialProcess(req: TrialRequest, timeoutMs: number): Promise<TrialReply> {
  const command = externalCommand(req.scenario.hooks);
  return command ? runCommandTrial(req, command, timeoutMs) : runNodeTrial(req, timeoutMs);
}

async function runNodeTrial(req: TrialRequest, timeoutMs: number): Promise<TrialReply> {
  if (!req.valgrind) return runNodeProcess(req, timeoutMs);
  // Under Valgrind: the same trial, counted; time, memory and I/O figures are Valgrind's, not the
  // pipeline's, so they are left out (null) and the counts take their place.
  const dir = mkdtempSync(join(tmpdir(), 'trackbench-callgrind-'));
  try {
    const reply = await runNodeProcess(req, timeoutMs * VALGRIND_SLOWDOWN, dir);
    if (!reply.ok) return reply;
    const counted = readDumps(dir);
    if ('unavailable' in counted) return { ok: false, error: counted.unavailable, outputTail: reply.outputTail };
    const { retainedBytes } = reply.probes;
    return {
      ...reply,
      probes: { ...NOT_UNDER_VALGRIND, retainedBytes, ...counted },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Valgrind runs Node about 20-50 times slower. */
const VALGRIND_SLOWDOWN = 60;

const NOT_UNDER_VALGRIND = {
  wallMs: null,
  cpuMs: null,
  peakRssBytes: null,
  diskWriteBytes: null,
  writeBytes: null,
};

function runNodeProcess(req: TrialRequest, timeoutMs: number, callgrindDir?: string): Promise<TrialReply> {
  const nodeFlags = ['--expose-gc', '--import', 'tsx'];
  const child =
    callgrindDir && req.valgrind
      ? fork(WORKER, [], {
          execPath: req.valgrind,
          execArgv: [...callgrindArgs(callgrindDir), process.execPath, ...DETERMINISTIC_V8_FLAGS, ...nodeFlags],
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
          env: {
            ...process.env,
            MLFLOW_TRACKING_URI: req.trackingUri,
            TRACKBENCH_INSTRUMENT: 'cpu-sim',
            TRACKBENCH_DETERMINISTIC: '1',
          },
        })
      : fork(WORKER, [], {
          execArgv: nodeFlags,
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
          env: { ...process.env, MLFLOW_TRACKING_URI: req.trackingUri },
        });
  let stderr = '';
  // stdio[2] is 'pipe' above, so stderr exists.
  child.stderr!.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString('utf8')).slice(-4000);
  });
  return new Promise<TrialReply>((resolve, reject) => {
    let reply: TrialReply | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new EnvironmentError(`trial did not finish within ${timeoutMs} ms (scenario trials.timeoutMs)`));
    }, timeoutMs);
    child.once('message', (m) => {
      reply = m as TrialReply;
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new EnvironmentError(`could not start a trial process: ${err.message}`));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const outputTail = tail(stderr);
      if (reply && code !== 0 && reply.ok)
        resolve({
          ...reply,
          exitCode: code ?? undefined,
          outputTail,
          pipelineError: reply.pipelineError ?? `exit ${code}`,
        });
      else if (reply) resolve({ ...reply, outputTail });
      else
        reject(
          new EnvironmentError(
            `trial process exited (${signal ?? `code ${code}`}) without a result${stderr ? `:\n${stderr.trim()}` : ''}`,
          ),
        );
    });
    child.send(req);
  });
}

/** The last lines a process printed, for failure messages. */
export function tail(output: string, lines = 6): string {
  return output.trim().split('\n').slice(-lines).join('\n');
}
