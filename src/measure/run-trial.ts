// Starts one trial process, hands it the request, and waits for its reply (or its death). An
// external plugin (a `command:` or `kedro` hook) is its own trial process.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../errors.ts';
import { runCommandTrial } from './command-trial.ts';
import type { TrialReply, TrialRequest } from './trial-types.ts';

const WORKER = fileURLToPath(new URL('./trial-worker.ts', import.meta.url));

export async function runTrialProcess(req: TrialRequest, timeoutMs: number): Promise<TrialReply> {
  return req.external ? runCommandTrial(req, req.external) : runNodeTrial(req, timeoutMs);
}

async function runNodeTrial(req: TrialRequest, timeoutMs: number): Promise<TrialReply> {
  const child = fork(WORKER, [], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    env: { ...process.env, MLFLOW_TRACKING_URI: req.trackingUri },
  });
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
