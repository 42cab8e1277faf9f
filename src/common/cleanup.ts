// One registry of what must not outlive the process: child processes (trials, mock, `mlflow server`
// and its process group, containers) and temp folders. Whoever starts one registers how to stop it;
// on SIGINT, SIGTERM or SIGHUP every registered cleanup runs (newest first), then the process exits
// 130, 143 or 129. A second signal runs only the immediate (synchronous) parts and exits at once.
// `process.on('exit')` alone is not enough: a signal's default action kills without running it.
import { readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';

export interface Cleanup {
  name: string;
  /** The orderly stop (may wait, e.g. for a server to shut down). */
  stop: () => Promise<void> | void;
  /** The immediate stop for a second Ctrl-C or for exit: must be synchronous (SIGKILL, rmSync). */
  kill?: () => void;
}

const registry = new Map<number, Cleanup>();
let nextId = 0;

/** Registers a cleanup; the returned function unregisters it (call it once stopped normally). */
export function registerCleanup(cleanup: Cleanup): () => void {
  const id = nextId++;
  registry.set(id, cleanup);
  return () => void registry.delete(id);
}

/** A temp folder removed on interruption and at exit, unless unregistered first. */
export function registerTempDir(dir: string): () => void {
  const remove = (): void => rmSync(dir, { recursive: true, force: true });
  return registerCleanup({ name: `temp folder ${dir}`, stop: remove, kill: remove });
}

/** Kills a detached child's whole process group (it and whatever it started). */
export function killGroup(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(-pid, signal);
  } catch {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  }
}

/** SIGKILL to the process group `id`, never to a lone process of that id (after the leader exited, its
 *  pid may be reused; a group id is not while any member lives). */
export function killGroupOnly(id: number | undefined): void {
  if (!id) return;
  try {
    process.kill(-id, 'SIGKILL');
  } catch {
    // no member left
  }
}

/** Whether process group `id` has a member that is not a zombie (an exited child nobody reaped yet, as under a
 *  container's PID 1 that reaps nothing, is gone for every purpose but `kill(-id, 0)`). Reads /proc (Linux). */
export function groupAlive(id: number): boolean {
  const all = processTable();
  if (!all) return signalReaches(-id);
  return all.some((p) => p.pgrp === id && p.state !== 'Z');
}

export interface ProcessEntry {
  pid: number;
  ppid: number;
  pgrp: number;
  state: string;
}

/** What file descriptor `fd` of process `pid` is open on (`pipe:[123]`), from /proc (Linux); undefined if unknown. */
export function openFileOf(pid: number | undefined, fd: number): string | undefined {
  try {
    return pid ? readlinkSync(`/proc/${pid}/fd/${fd}`) : undefined;
  } catch {
    return undefined;
  }
}

/** SIGKILLs every other process with a descriptor open on `file` (as openFileOf names it): a pipe's holders. */
export function killHoldersOf(file: string): void {
  for (const p of processTable() ?? []) {
    if (p.pid === process.pid) continue;
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${p.pid}/fd`);
    } catch {
      continue; // ended meanwhile, or not ours to read
    }
    if (fds.some((fd) => openFileOf(p.pid, Number(fd)) === file)) signalReaches(p.pid, 'SIGKILL');
  }
}

/** Every process in /proc (Linux), or undefined without /proc. */
function processTable(): ProcessEntry[] | undefined {
  return readProcessTable(readdirSync, readFileSync);
}

/**
 * The process table read through `readdir` and `readFile` (given, not imported, and no helper called): the stall
 * watchdog's worker, which runs plain JavaScript, runs this very function from its source (stall-watchdog.ts).
 */
export function readProcessTable(
  readdir: (path: string) => string[],
  readFile: (path: string, encoding: 'utf8') => string,
): ProcessEntry[] | undefined {
  let pids: string[];
  try {
    pids = readdir('/proc').filter((d) => /^\d+$/.test(d));
  } catch {
    return undefined;
  }
  const table: ProcessEntry[] = [];
  for (const pid of pids) {
    let stat: string;
    try {
      stat = readFile(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // ended meanwhile
    }
    // pid (comm) state ppid pgrp ...: comm may hold spaces and parentheses, so read after the last ')'
    const [state = '', ppid, pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    table.push({ pid: Number(pid), ppid: Number(ppid), pgrp: Number(pgrp), state });
  }
  return table;
}

/** The live processes descended from this one (its children, theirs, ...), from /proc (Linux; none without it);
 *  the subtrees of `except` are left out. */
export function descendants(except: ReadonlySet<number> = new Set()): number[] {
  return descendantsIn(processTable() ?? [], process.pid, except);
}

/** The live descendants of `root` in `table`, parents before their children, the subtrees of `except` left out.
 *  Self-contained, as readProcessTable: the stall watchdog's worker runs it from its source too. */
export function descendantsIn(
  table: readonly ProcessEntry[],
  root: number,
  except: ReadonlySet<number> = new Set(),
): number[] {
  const found: number[] = [];
  const walk = (parent: number): void => {
    for (const p of table)
      if (p.ppid === parent && p.state !== 'Z' && !except.has(p.pid) && !found.includes(p.pid)) {
        found.push(p.pid);
        walk(p.pid);
      }
  };
  walk(root);
  return found;
}

/**
 * SIGKILLs what this process started since `before` (its descendants then): for hooks run in this process,
 * whose children are in this process's group (which is not this process's to stop). Each one found is
 * stopped (SIGSTOP) before the next look, so none can start another unseen or leave its children to
 * init (no longer descendants) before they are found; then all are killed. A child started with
 * `detached`/setsid stays a descendant and is found; one whose parent exited before this ran is not.
 */
export function killStartedSince(before: ReadonlySet<number>): void {
  const stopped = new Set<number>();
  for (let round = 0; round < 20; round++) {
    const fresh = descendants(before).filter((pid) => !stopped.has(pid));
    if (!fresh.length) break;
    for (const pid of fresh) {
      stopped.add(pid);
      signalReaches(pid, 'SIGSTOP');
    }
  }
  for (const pid of stopped) signalReaches(pid, 'SIGKILL');
}

function signalReaches(target: number, signal: NodeJS.Signals | 0 = 0): boolean {
  try {
    process.kill(target, signal);
    return true;
  } catch {
    return false;
  }
}

export function pendingCleanups(): string[] {
  return [...registry.values()].map((c) => c.name);
}

/** Runs every orderly stop, newest first, each bounded by `timeoutMs`; falls back to its kill. */
export async function runCleanups(timeoutMs = 10_000): Promise<void> {
  const entries = [...registry.entries()].reverse();
  registry.clear();
  for (const [, c] of entries) {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        Promise.resolve().then(c.stop),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        }),
      ]);
    } catch {
      c.kill?.();
    } finally {
      clearTimeout(timer);
    }
  }
}

/** Runs every immediate kill, synchronously (for a second signal and for process exit). */
export function runKills(): void {
  const entries = [...registry.values()].reverse();
  registry.clear();
  for (const c of entries) {
    try {
      c.kill?.();
    } catch {
      // best effort: the process is going away
    }
  }
}

export const SIGNAL_EXIT_CODES: Record<'SIGINT' | 'SIGTERM' | 'SIGHUP', number> = {
  SIGHUP: 129,
  SIGINT: 130,
  SIGTERM: 143,
};

/** Raised by writers after an interruption: a run that was stopped writes no report. */
export class InterruptedError extends Error {
  constructor(readonly signal: NodeJS.Signals) {
    super(`interrupted by ${signal}`);
    this.name = 'InterruptedError';
  }
}

let installed = false;
let interrupted: NodeJS.Signals | undefined;

/** The signal that interrupted this process, if one did. */
export function interruptedBy(): NodeJS.Signals | undefined {
  return interrupted;
}

/**
 * Installs the handlers once: the first signal stops everything in order and exits with 128+n;
 * a second one kills at once. `say` prints one line about it (stderr). `watchParent`: how a dead
 * parent is noticed: `poll` its pid each second, or `ipc`, the IPC channel closing (a forked trial,
 * which exits by itself once it has replied: the listener keeps the channel open until then).
 */
export function installSignalHandlers(
  say: (line: string) => void = (l) => void process.stderr.write(`${l}\n`),
  watchParent: 'poll' | 'ipc' = 'poll',
): void {
  if (installed) return;
  installed = true;
  process.on('exit', runKills);
  for (const signal of Object.keys(SIGNAL_EXIT_CODES) as (keyof typeof SIGNAL_EXIT_CODES)[]) {
    process.on(signal, () => {
      const code = SIGNAL_EXIT_CODES[signal];
      if (interrupted) {
        runKills();
        process.exit(code);
      }
      interrupted = signal;
      const what = pendingCleanups().length;
      say(`trackbench: ${signal}: stopping${what ? ` (${what} thing(s) to clean up)` : ''}; no report written`);
      void runCleanups().finally(() => process.exit(code));
    });
  }
  // The parent (npx, a shell) died without passing the signal on: behave as on SIGHUP.
  // A trial has no timer for it: under Valgrind each tick ran JavaScript in the counted phases, as
  // many times as the phase lasted seconds, so a loaded machine counted more (and moved collections).
  if (watchParent === 'ipc') {
    process.once('disconnect', () => process.emit('SIGHUP', 'SIGHUP'));
    return;
  }
  const parent = process.ppid;
  const watch = setInterval(() => {
    if (process.ppid !== parent) process.emit('SIGHUP', 'SIGHUP');
  }, 1000);
  watch.unref();
}
