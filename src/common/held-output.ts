// A child's output pipes can outlive it: a process it started in a session of its own (`setsid`) escapes the
// group kill and keeps them open, and this process would wait on them (its 'close', its event loop) for as long.
import type { ChildProcess } from 'node:child_process';
import { killHoldersOf, openFileOf } from './cleanup.ts';

/** How long the output may stay open after the child exited before its holders are killed. */
export const OUTPUT_GRACE_MS = 2000;

/**
 * Call right after spawning. Once `child` has exited, its stdout/stderr still open OUTPUT_GRACE_MS later are
 * released: whatever holds them is killed and they are closed, so 'close' follows; `onHeld` says it happened.
 */
export function releaseHeldOutput(child: ChildProcess, onHeld: () => void): void {
  // Named while the child holds them: what still holds them later was started by the child.
  // Node's stdio pipes are socket pairs; never a shared file (/dev/null), whose holders are anyone's.
  const pipes = [1, 2].map((fd) => openFileOf(child.pid, fd)).filter((f) => f && /^(pipe|socket):/.test(f));
  let grace: NodeJS.Timeout | undefined;
  child.once('exit', () => {
    grace = setTimeout(() => {
      onHeld();
      for (const pipe of pipes) if (pipe) killHoldersOf(pipe);
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, OUTPUT_GRACE_MS);
  });
  child.once('close', () => clearTimeout(grace));
}
