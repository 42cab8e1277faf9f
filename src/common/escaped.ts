// A process a command started in a session of its own (`setsid`, a daemon's double fork) with its output sent
// elsewhere escapes the group kill and the held-output check alike, and outlives the command: it could go on
// logging into the next trial. It keeps the environment it was started with, so a mark put there finds it.
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { readProcessTable } from './cleanup.ts';

/** The variable that carries the mark (in the command's environment, so in everything it starts). */
export const ESCAPE_MARK = 'TRACKBENCH_PROCESS_MARK';

export function newEscapeMark(): string {
  return randomUUID();
}

function environOf(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0');
  } catch {
    return []; // ended meanwhile, or not ours to read
  }
}

function commandLineOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ').trim() || `pid ${pid}`;
  } catch {
    return `pid ${pid}`;
  }
}

/**
 * Stops, then SIGKILLs, every live process outside process group `group` whose environment carries `mark` (the
 * group itself is the caller's to kill); returns their command lines. Each one found is stopped before the next
 * look, so none can start another unseen. Linux (/proc); elsewhere none are found.
 */
export function killEscaped(mark: string, group: number | undefined): string[] {
  const entry = `${ESCAPE_MARK}=${mark}`;
  const stopped = new Map<number, string>();
  for (let round = 0; round < 20; round++) {
    const table = readProcessTable(readdirSync, readFileSync) ?? [];
    const fresh = table.filter(
      (p) => p.pgrp !== group && p.state !== 'Z' && !stopped.has(p.pid) && p.pid !== process.pid,
    );
    const marked = fresh.filter((p) => environOf(p.pid).includes(entry));
    if (!marked.length) break;
    for (const p of marked) {
      stopped.set(p.pid, commandLineOf(p.pid));
      signal(p.pid, 'SIGSTOP');
    }
  }
  for (const pid of stopped.keys()) signal(pid, 'SIGKILL');
  return [...stopped.values()];
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // ended meanwhile
  }
}
