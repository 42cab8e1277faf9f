// A process group started detached (so that a timeout or a signal stops all of it) outlives this
// process when this process dies without running its cleanups: SIGKILL, or a test worker stopped by
// a runner that installs no signal handler. A watchdog closes that gap: a shell in a group of its own
// that blocks reading a pipe from this process. The kernel closes the pipe however this process ends;
// the shell then stops the group (SIGTERM, SIGKILL after a grace time) and removes what it leaves.
// On a normal stop the owner stops the group itself and releases the watchdog first.
import { spawn } from 'node:child_process';
import { killGroupOnly } from './cleanup.ts';

export interface Watchdog {
  /** Stops the watchdog without touching the group (call it before stopping the group yourself). */
  release(): void;
}

// $1: the group's id; $2: the grace time in tenths of a second; $3: a file or folder to remove, or empty.
const SCRIPT = [
  'cat >/dev/null',
  'kill -s TERM -- "-$1" 2>/dev/null',
  'i=0',
  'while kill -s 0 -- "-$1" 2>/dev/null && [ "$i" -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done',
  'kill -s KILL -- "-$1" 2>/dev/null',
  'if [ -n "$3" ]; then rm -rf -- "$3"; fi',
].join('\n');

/** Watches the process group `groupId` (a detached child's pid) until released or this process ends. */
export function watchGroup(groupId: number, options: { remove?: string; graceMs?: number } = {}): Watchdog {
  const grace = String(Math.ceil((options.graceMs ?? 5000) / 100));
  const shell = spawn('sh', ['-c', SCRIPT, 'trackbench-watchdog', String(groupId), grace, options.remove ?? ''], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // Neither the shell nor the pipe keeps this process alive; a failed spawn only means no watchdog.
  shell.on('error', () => {});
  shell.stdin.on('error', () => {});
  shell.unref();
  // stdio 'pipe' makes stdin a net.Socket, which has unref() (the typings say Writable)
  (shell.stdin as unknown as { unref(): void }).unref();
  let released = false;
  return {
    release: () => {
      if (released) return;
      released = true;
      // The whole group: the shell and the `cat` it waits on.
      killGroupOnly(shell.pid);
      shell.stdin.destroy();
    },
  };
}
