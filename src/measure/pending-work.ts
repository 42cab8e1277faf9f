// What a hook left running when the pipeline run ended, as `run` (trial-worker.ts) and `trace` (trace.ts) check it:
// work that would keep a real run's process from exiting, or be cut off by that exit unmeasured.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Worker } from 'node:worker_threads';

/**
 * Handles that keep a Node process alive until someone closes them: a ref'd timer (or immediates queued again and
 * again), a server, a child process, a watcher, and a ref'd TCP connection. node:http's agent, undici (fetch) and
 * the reference hook's socket transport unref a kept-alive socket while it is idle, so a ref'd one is a connection
 * the hook keeps open, or one with an exchange still in flight. Requests in flight (a file read the TypeScript loader
 * left, a DNS lookup) end by themselves, and are not counted. Unix-domain connections (PipeWrap) are not told apart
 * from the process's own stdio and IPC pipes by name, and are not counted either.
 */
const HOLDING = new Set([
  'Timeout',
  'Immediate',
  'TCPServerWrap',
  'PipeServerWrap',
  'UDPWrap',
  'ProcessWrap',
  'FSEventWrap',
  'StatWatcher',
  'TCPSocketWrap',
]);

export interface PendingWorkWatch {
  /** What is pending now that was not when the watch began: holding handles by name, then a `Worker` per live
   * worker thread started since. */
  pending(): string[];
  stop(): void;
}

/** Holding handles by name, each with how many there are. */
function holdingNow(): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of process.getActiveResourcesInfo()) if (HOLDING.has(r)) counts.set(r, (counts.get(r) ?? 0) + 1);
  return counts;
}

/**
 * Starts watching, before the hook is loaded: what holds the process then (trace's own server, a test runner's
 * timers, the stall watchdog's thread) is not the hook's. A worker thread is no handle Node lists: each one started
 * from now on is followed (Node's documented process 'worker' event) until it exits. One alive at the end counts,
 * ref'd or not: a ref'd one holds the process, an unref'd one is terminated by the exit wherever its work stands.
 */
export async function watchPendingWork(): Promise<PendingWorkWatch> {
  // Node emits 'worker' on a later tick (process.nextTick): a thread started before this call, its event queued
  // ahead of this tick, is not followed.
  await new Promise<void>((resolve) => process.nextTick(resolve));
  const before = holdingNow();
  const live = new Set<Worker>();
  const onWorker = (worker: Worker): void => {
    // Node's own loader thread (module.register, which tsx calls to load a `.ts` hook on Node 20): not the hook's
    // work, and it lives as long as the process.
    if (worker.constructor.name === 'InternalWorker') return;
    live.add(worker);
    worker.once('exit', () => live.delete(worker));
  };
  process.on('worker', onWorker);
  return {
    pending: () => {
      const left: string[] = [];
      for (const [name, n] of holdingNow()) for (let i = before.get(name) ?? 0; i < n; i++) left.push(name);
      // threadId is -1 once the thread has exited (should it have before its 'worker' event was seen).
      for (const w of live) if (w.threadId !== -1) left.push('Worker');
      return left;
    },
    stop: () => void process.off('worker', onWorker),
  };
}

const nextTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** What closes on its own a little after a hook asked it to: a socket ended, a worker terminated, not awaited. */
const CLOSING = new Set(['TCPSocketWrap', 'Worker']);
/** How long those are given to close: a healthy close takes milliseconds; one that is held stays held. */
export const CLOSING_GRACE_MS = 1000;

/**
 * What is pending two turns after the run's end: a rejection or exception a hook left behind has surfaced by then
 * (crashing a trial's process, Node's default), and a hook's own `close()` of a server has taken effect. A socket
 * or worker still closing (`socket.end()`, `worker.terminate()` not awaited) is looked at again until it is gone,
 * for up to CLOSING_GRACE_MS.
 */
export async function pendingAfterRun(watch: PendingWorkWatch, graceMs = CLOSING_GRACE_MS): Promise<string[]> {
  await nextTurn();
  await nextTurn();
  const deadline = Date.now() + graceMs;
  let left = watch.pending();
  while (left.some((r) => CLOSING.has(r)) && Date.now() < deadline) {
    await sleep(10);
    left = watch.pending();
  }
  return left;
}

/** The verdict on work left pending, the same in `run` (a failed trial) and `trace`. */
export function pendingWorkMessage(pending: readonly string[]): string {
  return (
    `a hook left work pending when the run ended (${pending.join(', ')}): a real run's process would ` +
    'not exit then, and what it does then is neither measured nor waited for'
  );
}
