// A finished command exits even when a timer or socket an in-process hook left behind holds the process.
// Only for commands that ran hooks here (conformance of builtin:/module: targets): elsewhere a library's
// idle sockets close by themselves, and nothing is cut short.
import { watchForStalls } from '../common/stall-watchdog.ts';
import { hookTimeoutMs } from '../pipeline/hooks.ts';
import type { Io } from './io.ts';

/** How long a finished command may take to exit by itself before it is made to. */
const EXIT_GRACE_MS = 3000;
let hooksRanHere = false;

let stopStallWatch: (() => void) | undefined;

/**
 * Called by a command that runs hooks in this process. A hook that blocks the main thread (a busy loop) would hang
 * the command for good: past the hook timeout and a grace, the process is stopped, saying why (stall-watchdog.ts).
 */
export function hooksRunInProcess(): void {
  hooksRanHere = true;
  if (stopStallWatch) return;
  const timeout = hookTimeoutMs();
  const limit = timeout + Math.max(10_000, Math.min(30_000, timeout));
  stopStallWatch = watchForStalls(
    limit,
    `trackbench: the main thread has not run for ${Math.round(limit / 1000)} s: a hook running in this process is ` +
      'blocking it (a busy loop, Atomics.wait), past TRACKBENCH_HOOK_TIMEOUT_MS; stopped, with what it started ' +
      '(SIGKILL), no verdict',
  );
}

/** After the command: the main thread is trackbench's again (tests run several commands in one process). */
export function commandFinished(): void {
  stopStallWatch?.();
  stopStallWatch = undefined;
}

/** After the command: exit in EXIT_GRACE_MS if something still holds the process (an unref'd timer, so it
 *  never delays an exit that happens anyway). */
export function exitEvenIfHeld(io: Io): void {
  if (!hooksRanHere) return;
  setTimeout(() => {
    io.err(`trackbench: exiting although something left running holds the process (e.g. a hook's timer)`);
    process.exit();
  }, EXIT_GRACE_MS).unref();
}
