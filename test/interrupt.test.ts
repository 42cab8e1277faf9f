// Clean interruption: SIGINT, SIGTERM and SIGHUP stop a run, every child (trials, `mlflow server`
// and its process group) and remove the run's temp folders; no report is written.
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { until } from './helpers/wait.ts';
import { localServerAvailable } from '../src/backends/local-server.ts';

const BIN = resolve('bin/trackbench.js');

/** pid -> [ppid, args] of every process. */
function processes(): Map<number, [number, string]> {
  const out = execFileSync('ps', ['-eo', 'pid=,ppid=,args='], { encoding: 'utf8' });
  const map = new Map<number, [number, string]>();
  for (const line of out.split('\n')) {
    const m = /^\s*(\d+)\s+(\d+)\s+(.*)$/.exec(line);
    if (m) map.set(Number(m[1]), [Number(m[2]), m[3]!]);
  }
  return map;
}

function descendants(root: number): number[] {
  const all = processes();
  const found: number[] = [];
  const walk = (pid: number): void => {
    for (const [child, [ppid]] of all)
      if (ppid === pid && !found.includes(child)) {
        found.push(child);
        walk(child);
      }
  };
  walk(root);
  return found;
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Runs the CLI, signals it mid-run, checks every process it started is gone. `expectedCode` null: killed
 * outright (SIGKILL), so only what outlives the CLI by design is checked: the mlflow server's group and folder,
 * stopped by its watchdog (the CLI's own temp folders are its cleanups' work, which SIGKILL prevents).
 */
async function interrupt(
  backend: 'local' | 'mock',
  signal: NodeJS.Signals,
  expectedCode: number | null,
): Promise<void> {
  const root = mkdtempSync(join(tmpdir(), 'tb-interrupt-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const tmp = join(root, 'tmp');
  mkdirSync(tmp);
  const scenario = join(root, 's.yaml');
  writeFileSync(
    scenario,
    [
      'name: interrupt',
      'pipeline: {nodes: 10, work: {cpuMs: 1, sleepMs: 30}}',
      'hooks: [reference]',
      `backend: {kind: ${backend}}`,
      'trials: {repetitions: 50, warmup: 0, quickRepetitions: 50}',
    ].join('\n'),
  );
  const { child, exited, output: printed } = startCli(['run', scenario, '--out', join(root, 'out')], tmp);
  // Signal in the middle: for `local`, once the mlflow server runs; then once a trial runs (a
  // server slow to start on a busy machine is interrupted while starting, which must be clean too).
  const trialRunning = (): boolean =>
    descendants(child.pid!).some((pid) => processes().get(pid)?.[1].includes('trial-worker'));
  if (backend === 'local')
    await until('the mlflow server', () => [...processes().values()].some(([, a]) => a.includes(tmp)), 200_000);
  await until('a trial process', trialRunning, backend === 'local' ? 60_000 : 120_000).catch(() => {
    if (backend !== 'local') throw new Error('timed out waiting for a trial process');
  });
  const tree = descendants(child.pid!);
  // The mlflow server runs in its own process group: collect it too.
  const groups = processes();
  const inTmp = [...groups].filter(([, [, args]]) => args.includes(tmp)).map(([pid]) => pid);
  // For `local`: the server (and its workers) run, so the test checks they are stopped.
  if (backend === 'local') expect(inTmp.length).toBeGreaterThan(0);
  child.kill(signal);
  const code = await exited;
  expect(code, printed()).toBe(expectedCode);
  if (expectedCode === null) {
    // The server's watchdog gives it 5 s to stop on SIGTERM before SIGKILL.
    await until(
      'every child and the mlflow server to be gone',
      () => [...tree, ...inTmp].every((pid) => !alive(pid)),
      15_000,
    );
    expect([...processes().values()].filter(([, args]) => args.includes(tmp))).toEqual([]);
    await until(
      'its folder to be removed',
      () => !readdirSync(tmp).some((f) => f.startsWith('trackbench-mlflow-')),
      5000,
    );
    return;
  }
  expect(printed()).toMatch(new RegExp(`${signal}: stopping`));
  await until('every child to be gone', () => [...tree, ...inTmp].every((pid) => !alive(pid)), 5000);
  expect([...processes().values()].filter(([, args]) => args.includes(tmp))).toEqual([]);
  // No temp folder of the run is left (tsx's own compile cache is not the run's).
  expect(readdirSync(tmp).filter((f) => f.startsWith('trackbench'))).toEqual([]);
  expect(existsSync(join(root, 'out')) ? readdirSync(join(root, 'out')) : []).toEqual([]);
}

describe('interruption', () => {
  it('SIGTERM during trials against the mock: exit 143, no trial left, no temp folder, no report', async () => {
    await interrupt('mock', 'SIGTERM', 143);
  }, 180_000);

  it('SIGHUP during trials against the mock: exit 129', async () => {
    await interrupt('mock', 'SIGHUP', 129);
  }, 180_000);

  describe.skipIf(!localServerAvailable())('backend: local (run `npm run setup:mlflow` first)', () => {
    it('SIGINT: exit 130, no mlflow process, no temp folder', async () => {
      await interrupt('local', 'SIGINT', 130);
    }, 300_000);

    it('SIGTERM: exit 143, no mlflow process, no temp folder', async () => {
      await interrupt('local', 'SIGTERM', 143);
    }, 300_000);

    it('SIGKILL (no cleanup can run): the mlflow server and its folder are gone all the same', async () => {
      await interrupt('local', 'SIGKILL', null);
    }, 300_000);
  });
});

describe('run from another folder than the repository', () => {
  it('measures and writes its report (tsx and the trial worker resolve from the package)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'tb-elsewhere-'));
    onTestFinished(() => rmSync(root, { recursive: true, force: true }));
    writeFileSync(
      join(root, 's.yaml'),
      'name: elsewhere\npipeline: {nodes: 3, work: {cpuMs: 0}}\nhooks: [reference]\n' +
        'trials: {repetitions: 1, warmup: 0, quickRepetitions: 1}\n',
    );
    const child = spawn(process.execPath, [BIN, 'run', 's.yaml', '--quick', '--out', 'out'], {
      cwd: root,
      env: { ...process.env, CI: 'true' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (b: Buffer) => (output += b.toString()));
    child.stderr.on('data', (b: Buffer) => (output += b.toString()));
    const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    expect(code, output).toBe(0);
    expect(readdirSync(join(root, 'out')).filter((f) => f.endsWith('.json'))).toHaveLength(1);
  }, 180_000);
});

/**
 * A module hook that starts a `sleep` (its child) and a shell with a `sleep` in the background (a grandchild,
 * in the same process group), then writes [its own pid, the three others] to PIDS_FILE at once (renamed in
 * place). In its first afterNodeRun it waits `holdMs`, so that the run is still going when it is signalled.
 */
const SPAWNING_HOOK = `import { spawn } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
const file = process.env.PIDS_FILE;
export default () => {
  let held = false;
  return {
    beforePipelineRun() {
      const child = spawn('sleep', ['600'], { stdio: 'ignore' });
      const shell = spawn('sh', ['-c', 'sleep 601 & echo $!; wait'], { stdio: ['ignore', 'pipe', 'ignore'] });
      child.unref();
      shell.unref();
      return new Promise((resolve) =>
        shell.stdout.once('data', (b) => {
          const pids = [process.pid, child.pid, shell.pid, Number(String(b).trim())];
          writeFileSync(file + '.part', JSON.stringify(pids));
          renameSync(file + '.part', file);
          resolve();
        }),
      );
    },
    afterNodeRun() {
      if (held) return;
      held = true;
      return new Promise((resolve) => setTimeout(resolve, Number(process.env.HOLD_MS)));
    },
  };
};
`;

/** A folder with the hook and a scenario using it; TMPDIR for the CLI inside it. */
function hookProject(): { root: string; tmp: string; scenario: string; pidsFile: string } {
  const root = mkdtempSync(join(tmpdir(), 'tb-orphans-'));
  onTestFinished(() => rmSync(root, { recursive: true, force: true }));
  const tmp = join(root, 'tmp');
  mkdirSync(tmp);
  writeFileSync(join(root, 'hook.mjs'), SPAWNING_HOOK);
  const scenario = join(root, 's.yaml');
  writeFileSync(
    scenario,
    [
      'name: orphans',
      // no values to log: the hook logs none, and trace would rightly exit 1 for the loss
      'pipeline: {nodes: 3, paramsPerNode: {count: 0}, metricsPerNode: 0, work: {cpuMs: 0}}',
      'hooks: ["module:./hook.mjs"]',
      'backend: {kind: mock}',
      'trials: {repetitions: 1, warmup: 0, quickRepetitions: 1}',
    ].join('\n'),
  );
  return { root, tmp, scenario, pidsFile: join(root, 'pids.json') };
}

/** `trackbench <args>` in a process of its own, TMPDIR `tmp` (and `env`), killed when the test ends. */
function startCli(args: string[], tmp: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, TMPDIR: tmp, CI: 'true', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (b: Buffer) => (output += b.toString()));
  child.stderr.on('data', (b: Buffer) => (output += b.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  onTestFinished(() => void (child.exitCode === null && child.kill('SIGKILL')));
  return { child, exited, output: () => output };
}

/** What the spawning hook reads: where to write its pids, how long to hold its first node. */
const hookEnv = (pidsFile: string, holdMs: number) => ({ PIDS_FILE: pidsFile, HOLD_MS: String(holdMs) });

/** The pids the hook wrote, each killed (with its group) when the test ends, should the check fail. */
function hookPids(pidsFile: string): number[] {
  const pids = JSON.parse(readFileSync(pidsFile, 'utf8')) as number[];
  onTestFinished(() => {
    for (const pid of pids) if (alive(pid)) process.kill(pid, 'SIGKILL');
  });
  return pids;
}

describe('what a hook starts does not outlive trackbench', () => {
  it('run killed with SIGKILL mid-trial: the trial, the hook child and grandchild, the temp folders go', async () => {
    const { root, tmp, scenario, pidsFile } = hookProject();
    const cli = startCli(['run', scenario, '--out', join(root, 'out')], tmp, hookEnv(pidsFile, 120_000));
    await until('the hook to start its children', () => existsSync(pidsFile), 120_000);
    const pids = hookPids(pidsFile);
    expect(pids).toHaveLength(4);
    expect(pids.every(alive)).toBe(true);
    // The trial is held in its first node: mid-run, with its folder in TMPDIR.
    expect(readdirSync(tmp).filter((f) => f.startsWith('trackbench'))).not.toEqual([]);
    cli.child.kill('SIGKILL');
    expect(await cli.exited).toBe(null);
    await until('the trial and what its hook started to be gone', () => !pids.some(alive), 15_000).catch(() => {
      throw new Error(`left running: ${pids.filter(alive).join(', ')}`);
    });
    await until('the temp folders to be removed', () => readdirSync(tmp).length === 0, 15_000).catch(() => {
      throw new Error(`left in TMPDIR: ${readdirSync(tmp).join(', ')}`);
    });
  }, 180_000);

  it('trace: a normal end stops the hook child and grandchild', async () => {
    const { tmp, scenario, pidsFile } = hookProject();
    const cli = startCli(['trace', scenario, '--cold'], tmp, hookEnv(pidsFile, 0));
    expect(await cli.exited, cli.output()).toBe(0);
    const pids = hookPids(pidsFile);
    // The hook ran in the CLI's own process, which has ended.
    expect(pids).toHaveLength(4);
    await until('what the hook started to be gone', () => !pids.some(alive), 15_000).catch(() => {
      throw new Error(`left running: ${pids.filter(alive).join(', ')}`);
    });
  }, 60_000);

  it('trace: SIGTERM mid-run stops the hook child and grandchild (exit 143)', async () => {
    const { tmp, scenario, pidsFile } = hookProject();
    const cli = startCli(['trace', scenario, '--cold'], tmp, hookEnv(pidsFile, 120_000));
    await until('the hook to start its children', () => existsSync(pidsFile), 60_000);
    const pids = hookPids(pidsFile);
    expect(pids.slice(1).every(alive)).toBe(true);
    cli.child.kill('SIGTERM');
    expect(await cli.exited, cli.output()).toBe(143);
    await until('what the hook started to be gone', () => !pids.some(alive), 15_000).catch(() => {
      throw new Error(`left running: ${pids.filter(alive).join(', ')}`);
    });
  }, 60_000);
});
