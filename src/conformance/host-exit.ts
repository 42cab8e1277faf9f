// Whether a hook lets its host process exit: the target runs the basic pipeline in a child
// process that returns from its main without process.exit; a hook that leaves a handle open keeps
// it alive, and it is stopped after a grace period.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** How long the child may take to exit once its pipeline is done. */
export const EXIT_GRACE_MS = 5000;

export interface HostExit {
  exited: boolean;
  /** From "pipeline done" to the process's exit (or to the grace period's end). */
  afterMs: number;
  code: number | null;
  output: string;
}

export function runInChild(
  spec: string,
  options: Record<string, unknown>,
  trackingUri: string,
  experimentName: string,
  workDir: string,
  timeoutMs: number,
): Promise<HostExit> {
  const script = fileURLToPath(
    new URL(`./host-exit-child.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
  );
  const args = [...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), script, spec, JSON.stringify(options)];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args, trackingUri, experimentName, workDir], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: process.env,
    });
    let output = '';
    let doneAt: number | undefined;
    let grace: NodeJS.Timeout | undefined;
    const keep = (b: Buffer): void => {
      output = (output + b.toString('utf8')).slice(-10_000);
      if (doneAt === undefined && output.includes('trackbench: pipeline done')) {
        doneAt = performance.now();
        grace = setTimeout(() => child.kill('SIGKILL'), EXIT_GRACE_MS);
      }
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    const overall = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(overall);
      clearTimeout(grace);
      const afterMs = doneAt === undefined ? NaN : performance.now() - doneAt;
      resolve({ exited: doneAt !== undefined && signal === null, afterMs, code, output });
    });
  });
}
