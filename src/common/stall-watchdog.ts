// A hook running in this process (trace, conformance of builtin:/module: targets) can block its main thread for
// good: a busy loop, Atomics.wait. Then no timer fires (the hook timeout is one), no signal handler runs (Node runs
// them on the main thread), and the command hangs until someone kills it by hand. A worker thread has an event
// loop of its own: it watches a count the main thread's loop raises every second, and when the count stands still
// past the limit it says so on stderr and kills what this process started, then the process (SIGKILL: nothing
// else stops a blocked main thread; the exit status is 137).
import { Worker } from 'node:worker_threads';
import { descendantsIn, readProcessTable } from './cleanup.ts';

// Plain JavaScript, run by the worker as it is (no TypeScript loader there); the process tree is read and walked by
// cleanup.ts's own functions, from their source (compiled JavaScript by then; they import nothing).
const WORKER = `
const { workerData } = require('node:worker_threads');
const { readdirSync, readFileSync, writeSync } = require('node:fs');
const readProcessTable = ${readProcessTable.toString()};
const descendantsIn = ${descendantsIn.toString()};
const { beats, limitMs, pid, message } = workerData;
let last = Atomics.load(beats, 0);
let since = Date.now();
setInterval(() => {
  const now = Atomics.load(beats, 0);
  if (now !== last) {
    last = now;
    since = Date.now();
    return;
  }
  if (Date.now() - since < limitMs) return;
  writeSync(2, message + '\\n');
  // Children before their parents, the process last.
  for (const p of [...descendantsIn(readProcessTable(readdirSync, readFileSync) || [], pid).reverse(), pid]) {
    try { process.kill(p, 'SIGKILL'); } catch {}
  }
}, 250);
`;

/**
 * Watches this process's main thread until the returned function is called: stalled for more than `limitMs`,
 * the process is killed after `message` is written to stderr.
 */
export function watchForStalls(limitMs: number, message: string): () => void {
  const beats = new Int32Array(new SharedArrayBuffer(4));
  const beat = setInterval(() => Atomics.add(beats, 0, 1), 1000);
  beat.unref();
  const worker = new Worker(WORKER, { eval: true, workerData: { beats, limitMs, pid: process.pid, message } });
  // Neither keeps the process alive; a worker that could not start only means no watch.
  worker.unref();
  worker.on('error', () => {});
  return () => {
    clearInterval(beat);
    void worker.terminate();
  };
}
