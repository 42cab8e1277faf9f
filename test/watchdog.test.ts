// The watchdog of a detached process group: the group is stopped (and its folder removed) when its
// owner dies without its cleanups, and left alone once the owner has released the watchdog.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it, onTestFinished } from 'vitest';
import { until } from './helpers/wait.ts';

const WATCHDOG = resolve('dist/common/watchdog.js');

const groupAlive = (id: number): boolean => {
  try {
    process.kill(-id, 0);
    return true;
  } catch {
    return false;
  }
};

function watchdogsOf(groupId: number): string[] {
  const out = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' });
  return out.split('\n').filter((a) => a.includes(`trackbench-watchdog ${groupId} `));
}

/**
 * An owner process: starts a detached group of two `sleep`s (ignoring SIGTERM when `stubborn`, so only
 * the SIGKILL after the grace time stops it), watches it, prints the group's id, then `ends` as told.
 */
function owner(dir: string, ends: 'hang' | 'exit' | 'release', stubborn = false) {
  const group = stubborn ? 'trap "" TERM; sleep 600 & sleep 600' : 'sleep 600 & sleep 600';
  const script = `
    import { spawn } from 'node:child_process';
    const { watchGroup } = await import(${JSON.stringify(WATCHDOG)});
    const group = spawn('sh', ['-c', ${JSON.stringify(group)}], { detached: true, stdio: 'ignore' });
    group.unref();
    const dog = watchGroup(group.pid, { remove: ${JSON.stringify(dir)}, graceMs: 500 });
    console.log(group.pid);
    if (${JSON.stringify(ends)} === 'hang') setInterval(() => {}, 1000);
    if (${JSON.stringify(ends)} === 'release') dog.release();
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  onTestFinished(() => void (child.exitCode === null && child.kill('SIGKILL')));
  return child;
}

async function groupOf(child: ReturnType<typeof owner>): Promise<number> {
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  const id = Number(line.toString().trim());
  onTestFinished(() => {
    if (groupAlive(id)) process.kill(-id, 'SIGKILL');
  });
  return id;
}

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-watchdog-'));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('watchGroup', () => {
  it('stops the group and removes its folder when the owner is SIGKILLed', async () => {
    const dir = tempDir();
    const child = owner(dir, 'hang');
    const id = await groupOf(child);
    expect(groupAlive(id)).toBe(true);
    child.kill('SIGKILL');
    await until('the group to be stopped', () => !groupAlive(id), 10_000);
    await until('the folder to be removed', () => !existsSync(dir), 5000);
    await until('the watchdog to end', () => watchdogsOf(id).length === 0, 5000);
  }, 30_000);

  it('kills a group that ignores SIGTERM once the grace time is over', async () => {
    const dir = tempDir();
    const child = owner(dir, 'hang', true);
    const id = await groupOf(child);
    child.kill('SIGKILL');
    await until('the stubborn group to be killed', () => !groupAlive(id), 10_000);
    expect(existsSync(dir)).toBe(false);
  }, 30_000);

  it('does not keep its owner alive, and stops the group when the owner exits without releasing it', async () => {
    const dir = tempDir();
    const child = owner(dir, 'exit');
    const id = await groupOf(child);
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    await until('the group to be stopped', () => !groupAlive(id), 10_000);
    expect(existsSync(dir)).toBe(false);
  }, 30_000);

  it('once released, leaves the group and its folder to their owner', async () => {
    const dir = tempDir();
    const child = owner(dir, 'release');
    const id = await groupOf(child);
    await once(child, 'exit');
    await until('the watchdog to end', () => watchdogsOf(id).length === 0, 5000);
    // Given the time the watchdog would have taken to act (its grace is 0.5 s).
    await sleep(1500);
    expect(groupAlive(id)).toBe(true);
    expect(existsSync(dir)).toBe(true);
  }, 30_000);
});
