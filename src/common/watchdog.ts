// A process group started detached (so that a timeout or a signal stops all of it) outlives this
// process when this process dies without running its cleanups: SIGKILL, or a test worker stopped by
// a runner that installs no signal handler. A watchdog closes that gap: a shell in a group of its own
// that blocks reading a pipe from this process. The kernel closes the pipe however this process ends;
// the shell then stops the group (SIGTERM, SIGKILL after a grace time) and removes what it leaves.
// On a normal stop the owner stops the group itself and releases the watchdog first.
// watchGroups: one watchdog for a series of groups one after the other (a run's trials), told over the pipe
// which group to stop: the shell is started once, outside any trial, instead of once per trial (a shell's
// start-up costs ~2 ms of CPU and ~10 ms of the parent's time, beside a trial's start-up on a 2-core machine;
// a line costs the shell ~5 µs).
import { spawn } from 'node:child_process';
import { killGroupOnly } from './cleanup.ts';

export interface Watchdog {
  /** Stops the watchdog without touching the group (call it before stopping the group yourself). */
  release(): void;
}

export interface GroupsWatchdog extends Watchdog {
  /** The group to stop when this process dies, in place of the one before; undefined: none (it has ended). */
  watch(groupId: number | undefined): void;
}

// $1: the group's id, or empty; each line read replaces it (an empty line: no group); $2: the grace time in
// tenths of a second; $3: a file or folder to remove, or empty. The pipe's end (EOF) ends the loop.
const SCRIPT = [
  'g=$1',
  'while IFS= read -r line; do g=$line; done',
  'if [ -n "$g" ]; then',
  '  kill -s TERM -- "-$g" 2>/dev/null',
  '  i=0',
  '  while kill -s 0 -- "-$g" 2>/dev/null && [ "$i" -lt "$2" ]; do sleep 0.1; i=$((i + 1)); done',
  '  kill -s KILL -- "-$g" 2>/dev/null',
  'fi',
  'if [ -n "$3" ]; then rm -rf -- "$3"; fi',
].join('\n');

interface WatchOptions {
  /** A file or folder to remove once the group is stopped. */
  remove?: string;
  /** How long the group has to stop on SIGTERM before SIGKILL (default 5 s). */
  graceMs?: number;
}

/** Watches the process group `groupId` (a detached child's pid) until released or this process ends. */
export function watchGroup(groupId: number, options: WatchOptions = {}): Watchdog {
  return startWatchdog(String(groupId), options);
}

/** A watchdog for one group at a time, set with watch(); until then it stops none, but removes `remove`. */
export function watchGroups(options: WatchOptions = {}): GroupsWatchdog {
  return startWatchdog('', options);
}

function startWatchdog(groupId: string, options: WatchOptions): GroupsWatchdog {
  const grace = String(Math.ceil((options.graceMs ?? 5000) / 100));
  const shell = spawn('sh', ['-c', SCRIPT, 'trackbench-watchdog', groupId, grace, options.remove ?? ''], {
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
    watch: (id) => {
      if (!released) shell.stdin.write(`${id ?? ''}\n`);
    },
    release: () => {
      if (released) return;
      released = true;
      // The whole group: the shell and a `sleep` it may wait on.
      killGroupOnly(shell.pid);
      shell.stdin.destroy();
    },
  };
}
