// Containers this process started, removed however it ends. Without Ryuk (Podman) nothing else would
// reap them: the backend stops its container normally; SIGINT/SIGTERM and process exit remove what is
// left by label with the runtime's command-line client (synchronous, and it works while a container is
// still starting, before testcontainers has handed us its handle).
import { spawnSync } from 'node:child_process';
import { constants } from 'node:os';

export const SESSION_LABEL = 'org.trackbench.session';

export interface TrackedContainer {
  /** The value of SESSION_LABEL on the container. */
  session: string;
  runtime: { kind: 'docker' | 'podman'; cli: string; releaseSync(): void };
  /** The normal, graceful stop (testcontainers' stop and remove). */
  stop(): Promise<void>;
}

const tracked = new Set<TrackedContainer>();
let handlersInstalled = false;

/** How long a synchronous removal keeps trying: a loaded machine can make one podman command take many seconds. */
const REMOVE_DEADLINE_MS = 90_000;

/**
 * Removes the container(s) with this session label now, synchronously; true once a listing shows none.
 * Lists, removes, and lists again until then (a listing or removal that times out or fails is retried).
 */
export function removeBySession(entry: TrackedContainer, deadlineMs = REMOVE_DEADLINE_MS): boolean {
  const { cli, kind } = entry.runtime;
  const until = Date.now() + deadlineMs;
  const remaining = (): number => Math.max(1000, until - Date.now());
  do {
    const listed = spawnSync(cli, ['ps', '-aq', '--filter', `label=${SESSION_LABEL}=${entry.session}`], {
      encoding: 'utf8',
      timeout: remaining(),
    });
    if (listed.status === 0) {
      const ids = listed.stdout.split('\n').filter(Boolean);
      if (!ids.length) return true;
      spawnSync(cli, ['rm', '-f', ...(kind === 'podman' ? ['-t', '1'] : []), ...ids], { timeout: remaining() });
    }
  } while (Date.now() < until);
  return false;
}

/** Removes every tracked container at once (the immediate stop when an orderly one timed out). One that
 *  cannot be removed stays tracked (a later cleanup tries again) and is named on stderr with the command. */
export function removeAllSync(): void {
  for (const entry of tracked) {
    if (!removeBySession(entry)) {
      const { cli } = entry.runtime;
      process.stderr.write(
        `trackbench: could not remove container labelled ${SESSION_LABEL}=${entry.session}; remove it with ` +
          `\`${cli} rm -f $(${cli} ps -aq --filter label=${SESSION_LABEL}=${entry.session})\`\n`,
      );
      continue;
    }
    entry.runtime.releaseSync();
    tracked.delete(entry);
  }
}

let exitOnSignal = true;

function onSignal(signal: NodeJS.Signals): void {
  removeAllSync();
  if (exitOnSignal) process.exit(128 + constants.signals[signal]);
}

/** For a general signal handler (the CLI's): this module then only removes its containers on a signal
 *  and leaves exiting to that handler (which may also call stopAllContainers first). Listener counts
 *  cannot decide it: libraries (signal-exit) listen too and each would wait for the other. */
export function leaveSignalExitToCaller(): void {
  exitOnSignal = false;
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  process.on('exit', removeAllSync);
}

function uninstallHandlers(): void {
  if (!handlersInstalled || tracked.size > 0) return;
  handlersInstalled = false;
  process.removeListener('SIGINT', onSignal);
  process.removeListener('SIGTERM', onSignal);
  process.removeListener('exit', removeAllSync);
}

/** Registers a container (before it starts); the returned function forgets it once it is stopped. */
export function trackContainer(entry: TrackedContainer): () => void {
  tracked.add(entry);
  installHandlers();
  return () => {
    tracked.delete(entry);
    uninstallHandlers();
  };
}

/** Stops every container this process still runs (for a general signal handler to call). */
export async function stopAllContainers(): Promise<void> {
  await Promise.allSettled([...tracked].map((entry) => entry.stop()));
  removeAllSync();
}

export function runningContainerCount(): number {
  return tracked.size;
}
