// Starts one trial process, hands it the request, and waits for its reply (or its death). An
// external plugin (a `command:` hook) is its own trial process.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { registerCleanup } from '../common/cleanup.ts';
import { EnvironmentError } from '../errors.ts';
import { externalCommand } from '../tracking/registry.ts';
import { runCommandTrial } from './command-trial.ts';
import type { TrialReply, TrialRequest } from './trial-types.ts';

const WORKER = fileURLToPath(new URL('./trial-worker.ts', import.meta.url));

export async function runTrialProcess(req: TrialRequest, timeoutMs: number): Promise<TrialReply> {
  const command = externalCommand(req.scenario.hooks);
  return command ? runCommandTrial(req, command, timeoutMs) : runNodeTrial(req, timeoutMs);
}

async function runNodeTrial(req: TrialRequest, timeoutMs: number): Promise<TrialReply> {
  const child = fork(WORKER, [], {
    // tsx resolved from this package, not from the current folder (run works from any folder).
    execArgv: ['--import', import.meta.resolve('tsx')],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, MLFLOW_TRACKING_URI: req.trackingUri },
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // Interrupted: the trial removes its own temp files on SIGTERM; SIGKILL if it does not stop.
  const unregister = registerCleanup({
    name: `trial process ${child.pid}`,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
    kill: () => child.kill('SIGKILL'),
  });
  void exited.then(unregister);
  let stderr = '';
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
      if (reply) resolve(reply);
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
