// A finished command exits even when a timer or socket an in-process hook left behind holds the process.
// Only for commands that ran hooks here (conformance of builtin:/module: targets): elsewhere a library's
// idle sockets close by themselves, and nothing is cut short.
import type { Io } from './io.ts';

/** How long a finished command may take to exit by itself before it is made to. */
const EXIT_GRACE_MS = 3000;
let hooksRanHere = false;

/** Called by a command that runs hooks in this process. */
export function hooksRunInProcess(): void {
  hooksRanHere = true;
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
