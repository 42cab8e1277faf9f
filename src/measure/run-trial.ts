// Starts one trial process, hands it the request, and waits for its reply (or its death). An
// external plugin (a `command:` or `kedro` hook) is its own trial process.
import { randomUUID } from 'node:crypto';
import { fork } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { killGroupOnly, registerCleanup, registerTempDir } from '../common/cleanup.ts';
import { ESCAPE_MARK, killEscaped, newEscapeMark } from '../common/escaped.ts';
import { releaseHeldOutput } from '../common/held-output.ts';
import { lastLines } from '../common/last-lines.ts';
import type { GroupsWatchdog } from '../common/watchdog.ts';
import { EnvironmentError } from '../errors.ts';
import { runCommandTrial } from './command-trial.ts';
import {
  callgrindArgs,
  COUNTED_PROCESS_ENV,
  countedProbes,
  countedTimeoutEnv,
  DETERMINISTIC_V8_FLAGS,
  readDumps,
  VALGRIND_SLOWDOWN,
} from './instrument.ts';
import type { TrialReply, TrialRequest } from './trial-types.ts';

/**
 * The compiled worker: a trial process runs plain JavaScript, never a TypeScript loader, so that
 * compiling is not billed to the trial. Run from the sources (tests, dev scripts), the worker is
 * the built one in dist/ (`npm run build`; `npm test` builds first).
 */
export const TRIAL_WORKER = fileURLToPath(
  import.meta.url.endsWith('.ts')
    ? new URL('../../dist/measure/trial-worker.js', import.meta.url)
    : new URL('./trial-worker.js', import.meta.url),
);

/**
 * `watchdog`: the run's (watchGroups, started once before the trials), told each trial process's group, so
 * that the trial and what its hook started stop when this process dies without its cleanups (SIGKILL).
 */
export async function runTrialProcess(
  req: TrialRequest,
  timeoutMs: number,
  watchdog?: GroupsWatchdog,
): Promise<TrialReply> {
  return req.external ? runCommandTrial(req, req.external) : runNodeTrial(req, timeoutMs, watchdog);
}

async function runNodeTrial(req: TrialRequest, timeoutMs: number, watchdog?: GroupsWatchdog): Promise<TrialReply> {
  if (!req.valgrind) return runNodeProcess(req, timeoutMs, watchdog);
  // Under Valgrind: the same trial, counted; time, memory and I/O figures are Valgrind's, not the
  // pipeline's, so they are left out (null) and the counts take their place. In the run's temp folder,
  // which the watchdog removes when this process is killed.
  const dir = mkdtempSync(join(req.tempDir ?? tmpdir(), 'trackbench-callgrind-'));
  // An interrupted run removes it too (the finally below does not run when a signal ends the process).
  const unregister = registerTempDir(dir);
  try {
    const reply = await runNodeProcess(req, timeoutMs * VALGRIND_SLOWDOWN, watchdog, dir);
    if (!reply.ok) return reply;
    const counted = readDumps(dir);
    // The Node worker always marks three times: anything else is a broken count, not a figure.
    if ('unavailable' in counted || counted.setupInstructions === null) {
      const error =
        'unavailable' in counted ? counted.unavailable : 'expected 3 callgrind dumps (one per mark), found 2';
      return { ok: false, error, outputTail: reply.outputTail };
    }
    return { ...reply, probes: countedProbes(counted) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
    unregister();
  }
}

function runNodeProcess(
  req: TrialRequest,
  timeoutMs: number,
  watchdog?: GroupsWatchdog,
  callgrindDir?: string,
): Promise<TrialReply> {
  if (!existsSync(TRIAL_WORKER))
    throw new EnvironmentError(`the compiled trial worker ${TRIAL_WORKER} is missing: run \`npm run build\``);
  // Not the parent's flags (a dev run may carry a TypeScript loader); --expose-gc for the memory probe.
  const nodeFlags = ['--expose-gc'];
  // What a hook starts in a session of its own (`detached`, setsid) with its output elsewhere escapes the group
  // kill and the held-output check alike: the mark in its environment finds it (escaped.ts).
  const mark = newEscapeMark();
  const trialEnv = {
    ...process.env,
    MLFLOW_TRACKING_URI: req.trackingUri,
    ...(req.tempDir ? { TMPDIR: req.tempDir } : {}),
    [ESCAPE_MARK]: mark,
  };
  const child =
    callgrindDir && req.valgrind
      ? fork(TRIAL_WORKER, [], {
          execPath: req.valgrind,
          execArgv: [...callgrindArgs(callgrindDir), process.execPath, ...DETERMINISTIC_V8_FLAGS, ...nodeFlags],
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
          detached: true,
          env: {
            ...trialEnv,
            ...COUNTED_PROCESS_ENV,
            TRACKBENCH_INSTRUMENT: 'cpu-sim',
            TRACKBENCH_DETERMINISTIC: '1',
            ...countedTimeoutEnv(timeoutMs),
          },
        })
      : fork(TRIAL_WORKER, [], {
          execArgv: nodeFlags,
          stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
          detached: true,
          env: trialEnv,
        });
  // A trial runs in a process group of its own (detached), so what a hook started in it (a server, a `sleep`)
  // is stopped with it: once the trial process has exited, whatever is left of its group is killed. Should this
  // process die first (SIGKILL: no cleanup runs), the watchdog stops the group (a line written to its pipe).
  watchdog?.watch(child.pid);
  let escaped: string[] = [];
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      killGroupOnly(child.pid);
      escaped = killEscaped(mark, child.pid);
      watchdog?.watch(undefined);
      resolve();
    }),
  );
  // Interrupted: the trial removes its own temp files on SIGTERM; SIGKILL if it does not stop.
  const unregister = registerCleanup({
    name: `trial process ${child.pid}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    kill: () => {
      child.kill('SIGKILL');
      killEscaped(mark, child.pid);
    },
  });
  void exited.then(unregister);
  let stderr = '';
  // stdio[2] is 'pipe' above, so stderr exists.
  child.stderr!.on('data', (b: Buffer) => {
    stderr = (stderr + b.toString('utf8')).slice(-4000);
  });
  return new Promise<TrialReply>((resolve, reject) => {
    let reply: TrialReply | undefined;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      // A failed trial like any other (named by the caller, counted with --allow-failures), with what it printed.
      resolve({
        ok: false,
        error: `it did not finish within ${timeoutMs} ms (scenario trials.timeoutMs)`,
        outputTail: lastLines(stderr),
      });
    }, timeoutMs);
    // Only the worker's reply counts: it carries the nonce sent with the request. Anything else a hook or a
    // library sends on the channel (pm2-style messages, a made-up result) is not the trial's result.
    const nonce = randomUUID();
    child.on('message', (m: unknown) => {
      if (reply || typeof m !== 'object' || m === null || !('nonce' in m) || m.nonce !== nonce) return;
      // the worker's own reply (the nonce says so): a TrialReply with the nonce beside it
      const { nonce: _, ...rest } = m as TrialReply & { nonce: string };
      reply = rest;
    });
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(new EnvironmentError(`could not start a trial process: ${err.message}`));
    });
    // What a hook started in a session of its own (setsid) and left holding the trial's stderr would keep this
    // process from ever exiting: killed, and the trial fails (it ran outside the trial's group, maybe into the next).
    let outputHeld = false;
    releaseHeldOutput(child, () => void (outputHeld = true));
    // After the exit and the output's end: what the trial printed last is in.
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const outputTail = lastLines(stderr);
      if (outputHeld)
        resolve({
          ok: false,
          error: 'a process it started in a session of its own (setsid?) still held its output after it exited: killed',
          outputTail,
        });
      else if (escaped.length)
        resolve({
          ok: false,
          error:
            'it left running what a hook started outside its process group (detached, setsid?), which could have ' +
            `logged on into the next trial: killed: ${escaped.join('; ')}`,
          outputTail,
        });
      else if (reply && code !== 0 && reply.ok)
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
    child.send({ ...req, nonce });
  });
}
