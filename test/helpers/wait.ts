// Polling for what another process does (a child to exit, a folder to go): no event says when.
import { setTimeout as sleep } from 'node:timers/promises';

/** Resolves once `check()` is true; rejects, naming `what`, after `ms`. */
export async function until(what: string, check: () => boolean, ms: number, everyMs = 100): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMs);
  }
}
