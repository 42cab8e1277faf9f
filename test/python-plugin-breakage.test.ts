// A broken Python plugin (a `command:` runner using the helper's probes) never reads as a clean measurement: one
// that calls sys.exit(0) mid-run, lives on long after its run, or leaves a daemon (setsid, output elsewhere)
// running, fails its trial (exit 3, no report; with --allow-failures the gate fails), and the runs it created are
// never charged to the next trial.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/io.ts';
import { until } from './helpers/wait.ts';

// Tracking on: creates a run, then breaks as $SABOTAGE says, inside the measured block.
const PLUGIN = `import json, os, subprocess, sys, threading, urllib.request
sys.path.insert(0, ${JSON.stringify(resolve('python/src'))})
from trackbench_kedro.probes import measured

def api(endpoint, body):
    url = os.environ["MLFLOW_TRACKING_URI"].rstrip("/") + "/api/2.0/mlflow/" + endpoint
    headers = {"Content-Type": "application/json"}
    request = urllib.request.Request(url, json.dumps(body).encode(), headers, method="POST")
    return json.load(urllib.request.urlopen(request))

with measured():
    if os.environ["TRACKBENCH_TRACKING"] == "on":
        experiment = api("experiments/create", {"name": "broken-%d" % os.getpid()})["experiment_id"]
        api("runs/create", {"experiment_id": experiment})
        print("plugin: node 2 logged", file=sys.stderr)
        if os.environ["SABOTAGE"] == "exit0":
            sys.exit(0)
        if os.environ["SABOTAGE"] == "daemon":
            devnull = subprocess.DEVNULL
            subprocess.Popen(["setsid", "sleep", "974"], stdin=devnull, stdout=devnull, stderr=devnull)
if os.environ["TRACKBENCH_TRACKING"] == "on" and os.environ["SABOTAGE"] == "linger":
    threading.Timer(17, lambda: None).start()  # a non-daemon timer: the process lives on 17 s
`;

function scenario(sabotage: string, trials: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-pybreak-'));
  writeFileSync(join(dir, 'plugin.py'), PLUGIN);
  const hook = `{name: "command:python3 plugin.py", label: broken, env: {SABOTAGE: ${sabotage}}}`;
  const pipeline = 'pipeline: {nodes: 3, paramsPerNode: {count: 1}, metricsPerNode: 1, work: {cpuMs: 1, ioBytes: 0}}';
  writeFileSync(join(dir, 's.yaml'), `name: broken\n${pipeline}\nhooks: [${hook}]\ntrials: ${trials}\n`);
  return dir;
}

/** The pids of the `sleep <seconds>` processes running. */
function sleeping(seconds: string): number[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((a) => a.trim().endsWith(` sleep ${seconds}`) && /^\d+ sleep \d+$/.test(a.trim()))
    .map((a) => Number(a.trim().split(' ')[0]));
}

const ONE_ROUND = '{repetitions: 1, warmup: 0, quickRepetitions: 1}';

describe('a broken Python command: plugin', () => {
  it('sys.exit(0) mid-run: exit 3 saying where, no report (was: exit 0 with probes, read as complete)', async () => {
    const dir = scenario('exit0', ONE_ROUND);
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, 'out')]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/trial \d \(broken, round 1\) failed: command exited with code 0 without writing its probes/);
    expect(r.err).toMatch(/ended by SystemExit\(0\) in <module>\(\) at \S+plugin\.py:\d+/);
    expect(r.err).toContain('plugin: node 2 logged');
    expect(`${r.out}${r.err}`).not.toMatch(/PASS|improved/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  }, 60_000);

  it('--allow-failures: its trials fail, not the "without" after them (its run is not the baseline run)', async () => {
    // abba: with, without in round 2: the failed with-trial's run was charged to that without-trial
    const dir = scenario('exit0', '{repetitions: 2, warmup: 0, quickRepetitions: 2}');
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--allow-failures', '--out', join(dir, 'out')]);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/FAILED TRIALS: 2 of 4/);
    expect(r.out).not.toContain('tracking was not off');
    expect(r.out).toMatch(/FAIL: trackbench gate/);
  }, 60_000);

  it('a 5 MB line as its last words: exit 3, the line cut to its end (was: 20,000 characters, twice)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-pybreak-'));
    writeFileSync(join(dir, 'flood.py'), 'import sys\nsys.stderr.write("y" * 5000000 + " the end")\nsys.exit(1)\n');
    const hooks = 'hooks: ["command:python3 flood.py"]';
    writeFileSync(join(dir, 's.yaml'), `name: flood\npipeline: {nodes: 2}\n${hooks}\ntrials: ${ONE_ROUND}\n`);
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, 'out')]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/\n\s+…y+ the end\n/);
    expect(r.err.length).toBeLessThan(2000);
  }, 60_000);

  it('SIGTERM to the run while the daemon runs: it goes with the trial (was: left running)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-pybreak-'));
    const script = [
      'import subprocess, time',
      'devnull = subprocess.DEVNULL',
      'subprocess.Popen(["setsid", "sleep", "973"], stdin=devnull, stdout=devnull, stderr=devnull)',
      'open("started.flag", "w").close()',
      'time.sleep(120)',
    ];
    writeFileSync(join(dir, 'daemon.py'), script.join('\n') + '\n');
    const hooks = 'hooks: ["command:python3 daemon.py"]';
    writeFileSync(join(dir, 's.yaml'), `name: daemon\npipeline: {nodes: 2}\n${hooks}\ntrials: ${ONE_ROUND}\n`);
    const run = spawn(
      process.execPath,
      [resolve('bin/trackbench.js'), 'run', join(dir, 's.yaml'), '--out', join(dir, 'out')],
      {
        stdio: 'ignore',
      },
    );
    const exited = new Promise((done) => run.once('exit', done));
    try {
      await until('the daemon to start', () => existsSync(join(dir, 'started.flag')), 60_000);
      run.kill('SIGTERM');
      await exited;
      await until('the daemon to be gone', () => sleeping('973').length === 0, 5000);
    } finally {
      if (run.exitCode === null) run.kill('SIGKILL');
      for (const pid of sleeping('973')) process.kill(pid, 'SIGKILL');
    }
  }, 90_000);

  it('a process living on 17 s after its pipeline run (a non-daemon timer): exit 3 (was: measured)', async () => {
    const dir = scenario('linger', ONE_ROUND);
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, 'out')]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/exited with code 0 \d+\.\d s after its pipeline run ended \(it wrote its probes\)/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  }, 90_000);

  it('a daemon left running (setsid, output elsewhere): killed, exit 3 naming it, nothing left', async () => {
    const dir = scenario('daemon', ONE_ROUND);
    try {
      const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, 'out')]);
      expect(r.code).toBe(3);
      expect(r.err).toMatch(/left running what it started outside its process group \(setsid\?\).*killed: sleep 974/s);
      expect(existsSync(join(dir, 'out'))).toBe(false);
      // Killed as the trial ended; a moment for the kernel to reap it.
      await until('the daemon to be gone', () => sleeping('974').length === 0, 5000);
    } finally {
      for (const pid of sleeping('974')) process.kill(pid, 'SIGKILL');
    }
  }, 60_000);
});
