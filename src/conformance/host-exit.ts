// Whether a hook lets its host process exit: the target runs a pipeline in a child process that
// returns from its main without process.exit; a hook that leaves a handle open keeps it alive, and
// it is stopped after a grace period. The healthy pipeline and the failing ones (a node error, a
// pipeline error, the server down or down for a while) each run in a child of their own, at the
// same time: a timer cleared only on the happy path, or a re-delivery loop after a spill, shows too.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { groupAlive, killGroupOnly, registerCleanup, registerTempDir } from '../common/cleanup.ts';
import { ESCAPE_MARK, killEscaped, newEscapeMark } from '../common/escaped.ts';
import { watchGroup } from '../common/watchdog.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { conformanceBackend } from './backend.ts';
import { SCENARIOS } from './scenarios.ts';
import { SERVER_LINE, type ScenarioId } from './types.ts';

/** How long the child may take to exit once its pipeline is done. */
export const EXIT_GRACE_MS = 5000;

export interface HostExit {
  /** The situation the child ran. */
  situation: ScenarioId;
  exited: boolean;
  /** From "pipeline done" to the process's exit (or to the grace period's end). */
  afterMs: number;
  code: number | null;
  output: string;
  /** A process the hook started was still running a while after its host exited (then killed). */
  leftProcesses?: boolean;
}

/** Where one child runs: its target, backend and folder. */
export interface ChildRun {
  spec: string;
  options: Record<string, unknown>;
  situation: ScenarioId;
  trackingUri: string;
  experimentName: string;
  workDir: string;
  timeoutMs: number;
  /** Takes the child's server down or brings it back. */
  setDown?: (down: boolean) => void;
}

export function runInChild(run: ChildRun): Promise<HostExit> {
  const script = fileURLToPath(
    new URL(`./host-exit-child.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
  );
  const args = [...(script.endsWith('.ts') ? ['--import', 'tsx'] : []), script, run.spec, JSON.stringify(run.options)];
  // What the hook starts in a session of its own (`detached`, setsid) leaves the group: the mark finds it.
  const mark = newEscapeMark();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [...args, run.trackingUri, run.experimentName, run.workDir, run.situation], {
      stdio: ['ignore', 'pipe', 'pipe'],
      // The hook's temp files go to the child's own folder.
      env: { ...process.env, TMPDIR: run.workDir, [ESCAPE_MARK]: mark },
      // A process group of its own: what the hook starts stays in it (unless it calls setsid), and is seen.
      detached: true,
    });
    const group = child.pid;
    // Listened for from the start: 'close' may come in the same turn as 'exit', before any later listener.
    const closed = once(child, 'close').catch(() => {});
    // Out of the terminal's group, so Ctrl-C does not reach it: stopped on trackbench's signals (cleanup) and,
    // when trackbench ends any other way (a test runner killed, a library user without signal handlers), by
    // the watchdog.
    const watchdog = group ? watchGroup(group) : undefined;
    const forget = registerCleanup({
      name: `host-exit child ${group}`,
      stop: () => void (killGroupOnly(group), killEscaped(mark, group)),
      kill: () => void (killGroupOnly(group), killEscaped(mark, group)),
    });
    let output = '';
    let line = '';
    let doneAt: number | undefined;
    let grace: NodeJS.Timeout | undefined;
    let settled = false;
    const overall = setTimeout(() => killGroupOnly(group), run.timeoutMs);
    const finish = (result: Omit<HostExit, 'situation' | 'output'>): void => {
      if (settled) return;
      settled = true;
      clearTimeout(overall);
      clearTimeout(grace);
      watchdog?.release();
      forget();
      resolve({ situation: run.situation, output, ...result });
    };
    const keep = (b: Buffer): void => {
      output = (output + b.toString('utf8')).slice(-10_000);
      if (doneAt === undefined && output.includes('trackbench: pipeline done')) {
        doneAt = performance.now();
        grace = setTimeout(() => killGroupOnly(group), EXIT_GRACE_MS);
      }
    };
    child.stdout?.on('data', (b: Buffer) => {
      const lines = (line + b.toString('utf8')).split('\n');
      line = lines.pop() ?? '';
      for (const l of lines) if (l === SERVER_LINE.down || l === SERVER_LINE.up) run.setDown?.(l === SERVER_LINE.down);
      keep(b);
    });
    child.stderr?.on('data', keep);
    // A child that could not be started emits 'error' and never 'exit'.
    child.once('error', (err) => {
      output += `\nthe child process could not be run: ${err.message}`;
      finish({ exited: false, afterMs: NaN, code: null });
    });
    // On exit, not on close: a process the hook started may hold the output pipes open (then they are cut).
    child.once('exit', (code, signal) => {
      const afterMs = doneAt === undefined ? NaN : performance.now() - doneAt;
      const exited = doneAt !== undefined && signal === null;
      void (async () => {
        const lingers = exited && (await groupLingers(group));
        killGroupOnly(group);
        const escaped = killEscaped(mark, group).length > 0;
        const leftProcesses = lingers || (exited && escaped);
        // The rest of its output, unless a process outside the group (one that called setsid) holds the pipes.
        await Promise.race([closed, sleep(PIPES_CLOSE_MS)]);
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish({ exited, afterMs, code, ...(leftProcesses ? { leftProcesses } : {}) });
      })();
    });
  });
}

/** How long the output pipes may stay open after the child's group was killed. */
const PIPES_CLOSE_MS = 2000;

/** How long processes the hook started may take to end after their host exited. */
const LINGER_MS = 1000;

/** Whether process group `id` still has a member LINGER_MS after its leader exited. */
async function groupLingers(id: number | undefined): Promise<boolean> {
  if (!id) return false;
  const until = performance.now() + LINGER_MS;
  for (;;) {
    if (!groupAlive(id)) return false;
    if (performance.now() >= until) return true;
    await sleep(50);
  }
}

/** One failing situation in a child, against a fresh mock of its own with the situation's faults. */
export async function runFailingInChild(base: Omit<ChildRun, 'trackingUri' | 'workDir'>): Promise<HostExit> {
  // The mock opens for any situation (a real backend would not for a faulty one).
  const backend = (await conformanceBackend('mock').open(SCENARIOS[base.situation]))!;
  const workDir = mkdtempSync(join(tmpdir(), 'tb-conformance-exit-'));
  const forget = registerTempDir(workDir);
  try {
    const setDown = (down: boolean): void => backend.setDown(down);
    return await runInChild({ ...base, trackingUri: backend.trackingUri, workDir, setDown });
  } finally {
    await backend.release();
    rmSync(workDir, { recursive: true, force: true });
    forget();
  }
}
