// Starts one trial process, hands it the request, and waits for its reply (or its death). An
// external plugin (a `command:` or `kedro` hook) is its own trial process.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EnvironmentError } from '../errors.ts';
import { runCommandTrial } from './command-trial.ts';
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

export async function runTrialProcess(req: TrialRequest, timeoutMs: number): Promise<TrialReply> {
  return req.external ? runCommandTrial(req, req.external) : runNodeTrial(req, timeoutMs);
}

async function runNodeTrial(req: TrialRequest, timeoutMs: number): Promise<TrialReply> {
  if (!existsSync(TRIAL_WORKER))
    throw new EnvironmentError(`the compiled trial worker ${TRIAL_WORKER} is missing: run \`npm run build\``);
  const child = fork(TRIAL_WORKER, [], {
    // Not the parent's flags (a dev run may carry a TypeScript loader); only what Node was given by the user.
    execArgv: [],
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
