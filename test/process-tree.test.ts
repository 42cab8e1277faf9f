// The process-tree walk is one, in cleanup.ts: the stall watchdog's worker runs its functions from their source, so
// they must hold up alone (no import, no helper), and walk as cleanup does.
import { readdirSync, readFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { descendantsIn, readProcessTable, type ProcessEntry } from '../src/common/cleanup.ts';

/** A function rebuilt from its source alone, as the worker builds it: nothing of its module is in scope. */
function fromSource<F>(fn: F): F {
  // the source of a function, evaluated (in a context of its own) to that function
  return runInNewContext(`(${String(fn)})`) as F;
}

describe('the process-tree walk the stall watchdog shares', () => {
  it('reads /proc from its source alone', () => {
    const table = fromSource(readProcessTable)(readdirSync, readFileSync);
    expect(table?.find((p) => p.pid === process.pid)?.ppid).toBe(process.ppid);
  });

  it('walks parents before children, without zombies or the subtrees left out, from its source alone', () => {
    const entry = (pid: number, ppid: number, state = 'S'): ProcessEntry => ({ pid, ppid, pgrp: 1, state });
    const table = [entry(11, 10), entry(12, 11), entry(13, 10, 'Z'), entry(14, 10), entry(15, 14), entry(16, 99)];
    const walk = fromSource(descendantsIn);
    expect([...walk(table, 10)]).toEqual([11, 12, 14, 15]);
    expect([...walk(table, 10, new Set([14]))]).toEqual([11, 12]);
  });
});
