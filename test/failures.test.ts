// A failed trial is never a figure: a run with one fails (exit 3, the trial's last output, no
// report) unless --allow-failures, and then every output shows it and the gate fails. Lost values
// are a figure of their own and fail the gate; a dead server is not "0 API calls, PASS".
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { execFileSync, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { until } from './helpers/wait.ts';
import { cli } from './helpers/io.ts';
import { readReport } from '../src/report/read.ts';
import type { Report } from '../src/measure/report-types.ts';
import { noteDataDigest, trialFailure, type TrialExpectations } from '../src/measure/measure.ts';
import type { TrialReply } from '../src/measure/trial-types.ts';

function project(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-fail-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const PIPELINE = 'pipeline: {nodes: 6, paramsPerNode: {count: 2}, metricsPerNode: 1, work: {cpuMs: 1, ioBytes: 0}}';
const TRIALS = 'trials: {repetitions: 2, warmup: 0, quickRepetitions: 2}';

// Throws on node 3 only, after printing a line the failure message must carry.
const THROWING_HOOK = `export default () => ({
  afterNodeRun(node) {
    if (node.index === 3) { console.error('hook log: about to fail'); throw new Error('boom in afterNodeRun'); }
  },
});
`;

/**
 * A module hook with a client of its own and one MLflow run per pipeline run, ended FINISHED: `afterNodeRun` is
 * the body of its afterNodeRun(node, catalog, inputs, outputs), `helpers` lines before it (in the factory).
 */
function runLoggingHook(afterNodeRun: string, helpers = ''): string {
  return `import { MlflowClient } from ${JSON.stringify(join(process.cwd(), 'dist/index.js'))};
export default async (options, ctx) => {
  const client = new MlflowClient({ trackingUri: ctx.trackingUri });
  ${helpers}
  let runId;
  return {
    async beforePipelineRun() {
      const exp = await client.getOrCreateExperiment(ctx.scenarioName);
      runId = (await client.createRun({ experiment_id: exp, start_time: Date.now() })).info.run_id;
    },
    async afterNodeRun(node, catalog, inputs, outputs) {
${afterNodeRun}
    },
    async afterPipelineRun() {
      await client.updateRun({ run_id: runId, status: 'FINISHED', end_time: Date.now() });
      client.close();
    },
  };
};
`;
}

/** `pid args` of each live process whose arguments are `args`, to wait for or kill. */
function running(args: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((a) => a.trim().replace(/^\d+ /, '') === args);
}

/** A port nothing listens on. */
async function deadPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A folder with scenario `a` (a noop hook) measured once: the report's path, to edit or gate against. */
async function noopReport(prefix: string): Promise<{ dir: string; baseline: string }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  writeFileSync(join(dir, 'a.yaml'), `name: a\n${PIPELINE}\nhooks: [noop]\n${TRIALS}\n`);
  const base = await cli(['run', join(dir, 'a.yaml'), '--quick', '--out', join(dir, 'base')]);
  expect(base.code, base.out).toBe(0);
  return {
    dir,
    baseline: join(
      dir,
      'base',
      readdirSync(join(dir, 'base')).find((f) => f.endsWith('.json'))!,
    ),
  };
}

describe('failed trials are failures', () => {
  it('a hook that throws in afterNodeRun on one node: exit 3, its last output, no report', async () => {
    const dir = project({
      'hook.mjs': THROWING_HOOK,
      's.yaml': `name: throws\n${PIPELINE}\nhooks: ["module:./hook.mjs"]\n${TRIALS}\n`,
    });
    const out = join(dir, 'reports');
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', out]);
    expect(r.code).toBe(3);
    expect(r.err).toContain('boom in afterNodeRun');
    expect(r.err).toContain('hook log: about to fail');
    expect(r.err).toContain('no report written');
    expect(`${r.out}${r.err}`).not.toMatch(/PASS|improved/);
    expect(existsSync(out)).toBe(false); // not even the folder: it is made when a report is written
  }, 60_000);

  it('a trial outlasting trials.timeoutMs is a named failed trial: exit 3, or listed (--allow-failures)', async () => {
    // Never settles after node 2: the trial hangs until its time limit.
    const hanging = `export default () => ({
  afterNodeRun(node) { if (node.index === 2) return new Promise(() => {}); },
});
`;
    const trials = 'trials: {repetitions: 2, warmup: 0, quickRepetitions: 2, timeoutMs: 3000}';
    const dir = project({
      'hook.mjs': hanging,
      's.yaml': `name: hangs\n${PIPELINE}\nhooks: ["module:./hook.mjs"]\n${trials}\n`,
    });
    const out = join(dir, 'reports');
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', out]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/trial \d+ \(module:\.\/hook\.mjs, round \d\) failed: it did not finish within 3000 ms/);
    expect(existsSync(out)).toBe(false);
    const allowed = await cli(['run', join(dir, 's.yaml'), '--quick', '--allow-failures', '--out', out]);
    expect(allowed.code).not.toBe(0);
    expect(allowed.out).toMatch(/FAILED TRIALS: 2 of 4/);
  }, 120_000);

  it('a command: hook that exits 1 mid-run: exit 3', async () => {
    // Writes its probes (so the trial "completes") and then exits 1 when tracking is on.
    const script = `import { writeFileSync } from 'node:fs';
const probes = { wallMs: 1, cpuMs: 1, peakRssBytes: 1, diskWriteBytes: null, writeBytes: null };
writeFileSync(process.env.TRACKBENCH_PROBES_FILE, JSON.stringify(probes));
if (process.env.TRACKBENCH_TRACKING === 'on') { console.log('plugin: node 2 failed'); process.exit(1); }
`;
    const dir = project({
      'plugin.mjs': script,
      's.yaml': `name: exits\n${PIPELINE}\nhooks: ["command:node plugin.mjs"]\n${TRIALS}\n`,
    });
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, 'reports')]);
    expect(r.code).toBe(3);
    expect(r.err).toContain('exited with code 1');
    expect(r.err).toContain('plugin: node 2 failed');
    expect(`${r.out}${r.err}`).not.toMatch(/PASS|improved/);
  }, 60_000);

  it('--allow-failures: the report shows the failed trials, the gate fails, and compare never says PASS', async () => {
    const dir = project({
      'hook.mjs': THROWING_HOOK,
      'bad.yaml': `name: pair\n${PIPELINE}\nhooks: [{name: "module:./hook.mjs", label: plugin}]\n${TRIALS}\n`,
      'good.yaml': `name: pair\n${PIPELINE}\nhooks: [{name: reference, label: plugin}]\n${TRIALS}\n`,
    });
    const good = await cli(['run', join(dir, 'good.yaml'), '--quick', '--out', join(dir, 'good')]);
    expect(good.code).toBe(0);
    const bad = await cli(['run', join(dir, 'bad.yaml'), '--quick', '--allow-failures', '--out', join(dir, 'bad')]);
    expect(bad.code).toBe(1);
    expect(bad.out).toContain('FAILED TRIALS: 2 of 4');
    expect(bad.out).toContain('FAIL: trackbench gate for');
    expect(bad.out).not.toMatch(/PASS|improved/);
    const [badJson, badMd] = readdirSync(join(dir, 'bad')).sort();
    const report = readReport(join(dir, 'bad', badJson!));
    expect(report.failures).toHaveLength(2);
    expect(report.failures.every((f) => f.hook === 'plugin' && f.error.includes('boom'))).toBe(true);
    expect(report.results.plugin!.metrics.wallMs).toMatchObject({ available: false });
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(join(dir, 'bad', badMd!), 'utf8')).toContain('FAILED TRIALS');
    const goodJson = readdirSync(join(dir, 'good')).find((f) => f.endsWith('.json'))!;
    const cmp = await cli(['compare', join(dir, 'good', goodJson), join(dir, 'bad', badJson!)]);
    expect(cmp.code).toBe(1);
    expect(cmp.out).toContain('FAIL: trackbench gate for');
    expect(cmp.out).not.toMatch(/PASS|improved/);
    // The other way round: a crashed run is no baseline (its low figures would let anything through).
    const reverse = await cli(['compare', join(dir, 'bad', badJson!), join(dir, 'good', goodJson)]);
    expect(reverse.code).toBe(1);
    expect(reverse.out).toMatch(/baseline: trials plugin ran to the end/);
    expect(reverse.out).not.toMatch(/PASS/);
    // Nor is it saved as one.
    const saved = join(dir, 'baseline.json');
    const save = ['run', join(dir, 'bad.yaml'), '--quick', '--allow-failures', '--save-baseline', saved];
    const refused = await cli([...save, '--out', join(dir, 'bad2')]);
    expect(refused.code).toBe(1);
    expect(refused.out).toContain('baseline not saved');
    expect(existsSync(saved)).toBe(false);
  }, 150_000);

  it('a tracking server that is down: every value lost, requests counted, exit 1, never PASS', async () => {
    const port = await deadPort();
    const dir = mkdtempSync(join(tmpdir(), 'tb-down-'));
    writeFileSync(
      join(dir, 's.yaml'),
      `name: down\n${PIPELINE}\nhooks: [{name: reference, options: {mlflow: {trackbench: {spillDir: "${dir}"}}}}]\n` +
        `backend: {kind: remote, uri: "http://127.0.0.1:${port}"}\n${TRIALS}\nbudgets: {apiCalls: {max: 1000}}\n`,
    );
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, 'reports')]);
    expect(r.code).toBe(1);
    expect(r.out).toContain('FAIL: trackbench gate for');
    expect(r.out).not.toMatch(/PASS|improved/);
    const report = readReport(
      join(
        dir,
        'reports',
        readdirSync(join(dir, 'reports')).find((f) => f.endsWith('.json'))!,
      ),
    );
    // The reference hook tried: its requests reached the recording proxy and count as calls.
    const calls = report.results.reference!.metrics.apiCalls;
    expect(calls.available && calls.with.median).toBeGreaterThan(0);
    expect(report.results.reference!.values.available).toBe(false);
  }, 120_000);

  it('a sweep against a tracking server that is down: exit 1, FAIL naming each size and the loss', async () => {
    const port = await deadPort();
    const dir = mkdtempSync(join(tmpdir(), 'tb-down-sweep-'));
    writeFileSync(
      join(dir, 's.yaml'),
      `name: down\n${PIPELINE}\nhooks: [{name: reference, options: {mlflow: {trackbench: {spillDir: "${dir}"}}}}]\n` +
        `backend: {kind: remote, uri: "http://127.0.0.1:${port}"}\n${TRIALS}\n`,
    );
    const r = await cli(['sweep', join(dir, 's.yaml'), '--nodes', '3,4', '--quick', '--out', join(dir, 'reports')]);
    expect(r.code, r.out).toBe(1);
    expect(r.out).toMatch(/FAIL: trackbench sweep of down\n {2}3 nodes: values reference delivered: unverifiable/);
    expect(r.out).toMatch(/\n {2}4 nodes: values reference delivered/);
  }, 120_000);

  it('run --baseline of another scenario: exit 2 before measuring, nothing written', async () => {
    const { dir, baseline } = await noopReport('tb-other-baseline-');
    writeFileSync(join(dir, 'b.yaml'), `name: b\n${PIPELINE}\nhooks: [noop]\n${TRIALS}\n`);
    const r = await cli(['run', join(dir, 'b.yaml'), '--quick', '--baseline', baseline, '--out', join(dir, 'out')]);
    expect(r.code).toBe(2);
    // located in the scenario's file (it named both files and no line), the baseline named
    expect(r.err).toBe(`${join(dir, 'b.yaml')}:1:7 name: different scenarios: "a" vs "b" (baseline ${baseline})\n`);
    expect(r.out).toBe('');
    expect(existsSync(join(dir, 'out')) ? readdirSync(join(dir, 'out')) : []).toEqual([]);
    // a difference a flag makes is the flag's
    const other = await cli(['run', join(dir, 'a.yaml'), '--quick', '--hook', 'reference', '--baseline', baseline]);
    expect(other).toMatchObject({ code: 2, out: '' });
    expect(other.err).toMatch(/^--hook no hook in common \(baseline: noop; current: reference\)/);
  }, 120_000);

  it('run --baseline of another version and machine: the shared warning; the report records its options', async () => {
    const { dir, baseline } = await noopReport('tb-old-baseline-');
    const old = JSON.parse(readFileSync(baseline, 'utf8')) as Report;
    const current = { version: old.trackbenchVersion, cores: old.environment.cores };
    old.trackbenchVersion = '0.0.1';
    old.environment.cores = current.cores + 1;
    writeFileSync(join(dir, 'old.json'), JSON.stringify(old));
    const out = join(dir, 'out');
    const args = ['run', join(dir, 'a.yaml'), '--quick', '--hook', 'noop', '--allow-failures', '--out', out];
    const r = await cli([...args, '--baseline', join(dir, 'old.json')]);
    // the gate's verdict on two short runs of a no-op hook is not this test's concern
    expect(r.code, r.err).toBeLessThan(2);
    const json = join(
      out,
      readdirSync(out).find((f) => f.endsWith('.json'))!,
    );
    expect(r.out).toContain(
      `warning: ${join(dir, 'old.json')} and ${json} measured different environments; differences may be the ` +
        `environment's:\n  trackbench: 0.0.1 vs ${current.version}\n` +
        `  cores: ${current.cores + 1} vs ${current.cores}\n`,
    );
    expect(readReport(json).trials).toMatchObject({
      quick: true,
      instrument: null,
      allowFailures: true,
      selectedHooks: ['noop'],
    });
    const md = readFileSync(json.replace(/\.json$/, '.md'), 'utf8');
    expect(md).toContain('order, --quick, --hook noop, --allow-failures); overhead');
  }, 120_000);

  it('a report read back with a credential in it (hand-edited): compare and its files never repeat it', async () => {
    const { dir, baseline } = await noopReport('tb-read-secret-');
    const edited = join(dir, 'edited.json');
    const report = JSON.parse(readFileSync(baseline, 'utf8')) as { backend: string };
    report.backend = 'mock MLflow (HTTP, http://alice:hunter2pass@127.0.0.1:1)';
    writeFileSync(edited, JSON.stringify(report));
    const files = ['gate.json', 'gate.html'].map((f) => join(dir, f));
    const r = await cli(['compare', baseline, edited, '--gate-json', files[0]!, '--html', files[1]!]);
    expect(r.code, r.err).toBe(0);
    for (const text of [r.out, r.err, ...files.map((f) => readFileSync(f, 'utf8'))]) {
      expect(text).not.toContain('hunter2pass');
    }
    expect(readFileSync(files[0]!, 'utf8')).toContain('http://***@127.0.0.1:1');
  }, 120_000);

  it('a report with gate settings or samples edited out of range: compare exits 2 at each, no verdict', async () => {
    const { dir, baseline } = await noopReport('tb-edited-');
    type Edited = {
      scenario: { budgets: unknown; regression: Record<string, unknown> };
      results: Record<string, { metrics: { wallMs: { with: { samples: number[] } } } }>;
    };
    const report = JSON.parse(readFileSync(baseline, 'utf8')) as Edited;
    report.scenario.budgets = { apiCalls: { max: 'ten' } };
    report.scenario.regression.noise = -1;
    report.results.noop!.metrics.wallMs.with.samples = Array<number>(10_001).fill(1);
    const edited = join(dir, 'edited.json');
    writeFileSync(edited, JSON.stringify(report, null, 2));
    const r = await cli(['compare', baseline, edited]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    for (const where of ['scenario.budgets.apiCalls.max', 'scenario.regression.noise', 'wallMs.with.samples'])
      expect(r.err).toMatch(new RegExp(`edited\\.json:\\d+:\\d+ \\S*${where.replaceAll('.', '\\.')}: `));
  }, 120_000);

  it('what a hook starts in a trial (a module hook, a command: hook) does not outlive it', async () => {
    const spawner = `import { spawn } from 'node:child_process';
export default () => ({ beforePipelineRun() { spawn('sleep', ['987'], { stdio: 'ignore' }).unref(); } });
`;
    const command = `import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
spawn('sleep', ['986'], { stdio: 'inherit' }).unref();
const probes = { wallMs: 1, cpuMs: 1, peakRssBytes: 1, diskWriteBytes: null, writeBytes: null };
writeFileSync(process.env.TRACKBENCH_PROBES_FILE, JSON.stringify(probes));
`;
    const dir = project({
      'spawner.mjs': spawner,
      'plugin.mjs': command,
      'm.yaml': `name: m\n${PIPELINE}\nhooks: ["module:./spawner.mjs"]\n${TRIALS}\n`,
      'c.yaml': `name: c\n${PIPELINE}\nhooks: ["command:node plugin.mjs"]\n${TRIALS}\n`,
    });
    const sleeping = (): string[] =>
      execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })
        .split('\n')
        .filter((a) => /^sleep 98[67]$/.test(a.trim()));
    try {
      for (const s of ['m.yaml', 'c.yaml']) await cli(['run', join(dir, s), '--quick', '--out', join(dir, 'out')]);
      // Killed as each trial ended; a moment for the kernel to reap them.
      await until('the sleeps to be gone', () => sleeping().length === 0, 5000);
    } finally {
      spawnSync('pkill', ['-f', '^sleep 98[67]$']);
    }
  }, 120_000);

  it('a hook leaving a setsid process on its output (module, command:): it is killed, a failed trial', async () => {
    // Each waits until the escaped process runs (its cmdline says sleep), so the trial's group kill cannot beat it.
    // Without the fix the trial (command:) or the CLI's exit (module) waited on the held output for good.
    const moduleHook = `import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
export default () => ({
  async beforePipelineRun() {
    // Its environment cleared (no mark to find it by), so only the output it holds can.
    const child = spawn('setsid', ['sleep', '985'], { stdio: 'inherit', env: { PATH: process.env.PATH } });
    while (!readFileSync('/proc/' + child.pid + '/cmdline', 'utf8').startsWith('sleep'))
      await new Promise((r) => setTimeout(r, 20));
  },
});
`;
    const command = `echo '{"wallMs":1,"cpuMs":1,"peakRssBytes":1,"diskWriteBytes":null,"writeBytes":null}' \\
  > "$TRACKBENCH_PROBES_FILE"
setsid sh -c 'touch escaped.flag; exec sleep 985' &
while [ ! -e escaped.flag ]; do sleep 0.05; done
`;
    const dir = project({
      'escapes.mjs': moduleHook,
      'plugin.sh': command,
      'm.yaml': `name: m\n${PIPELINE}\nhooks: ["module:./escapes.mjs"]\n${TRIALS}\n`,
      'c.yaml': `name: c\n${PIPELINE}\nhooks: ["command:sh plugin.sh"]\n${TRIALS}\n`,
    });
    const sleeping = (): string[] => running('sleep 985');
    try {
      for (const s of ['m.yaml', 'c.yaml']) {
        const r = await cli(['run', join(dir, s), '--quick', '--out', join(dir, 'reports')]);
        expect(r.code, s).toBe(3);
        expect(r.err).toMatch(
          /a process it started in a session of its own \(setsid\?\) still held its output.*killed/,
        );
        await until('the escaped sleep to be gone', () => sleeping().length === 0, 5000);
      }
    } finally {
      for (const line of sleeping()) process.kill(Number(line.trim().split(' ')[0]), 'SIGKILL');
    }
  }, 120_000);

  it('a module hook leaving a detached process with its output elsewhere: it is killed, a failed trial', async () => {
    // Its own session (detached) and no pipe of the trial's: without the mark, the run passed and it ran on.
    const moduleHook = `import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
export default () => ({
  async beforePipelineRun() {
    const child = spawn('sleep', ['984'], { detached: true, stdio: 'ignore' });
    child.unref();
    while (!readFileSync('/proc/' + child.pid + '/cmdline', 'utf8').startsWith('sleep'))
      await new Promise((r) => setTimeout(r, 20));
  },
});
`;
    const dir = project({
      'detaches.mjs': moduleHook,
      'm.yaml': `name: m\n${PIPELINE}\nhooks: ["module:./detaches.mjs"]\n${TRIALS}\n`,
    });
    const sleeping = (): string[] => running('sleep 984');
    try {
      const r = await cli(['run', join(dir, 'm.yaml'), '--quick', '--out', join(dir, 'reports')]);
      expect(r.code).toBe(3);
      expect(r.err).toMatch(/trial \d+ \(module:\.\/detaches\.mjs, round 1\) failed: it left running what a hook/);
      expect(r.err).toContain('outside its process group (detached, setsid?)');
      expect(r.err).toContain('killed: sleep 984');
      expect(existsSync(join(dir, 'reports'))).toBe(false);
      expect(sleeping()).toEqual([]);
    } finally {
      for (const line of sleeping()) process.kill(Number(line.trim().split(' ')[0]), 'SIGKILL');
    }
  }, 120_000);

  it('with failAt, only the injected node failure is expected: a hook crashing first is a failed trial', async () => {
    const crashing = `export default () => ({ beforePipelineRun() { throw new Error('hook exploded early'); } });\n`;
    const dir = project({
      'hook.mjs': crashing,
      's.yaml': `name: failat\n${PIPELINE.replace('}}', '}, failAt: 4}')}\nhooks: ["module:./hook.mjs"]\n${TRIALS}\n`,
    });
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, 'reports')]);
    expect(r.code).toBe(3);
    expect(r.err).toContain('hook exploded early');
    expect(`${r.out}${r.err}`).not.toMatch(/PASS|improved/);
  }, 60_000);

  it('a hook that changes the pipeline it is given (fewer nodes, outputs, params): a failed trial', async () => {
    const dropping = `export default () => ({
  beforePipelineRun(_p, pipeline) { pipeline.nodes.splice(Math.ceil(pipeline.nodes.length / 2)); },
});
`;
    const dir = project({
      'hook.mjs': dropping,
      's.yaml': `name: drops\n${PIPELINE}\nhooks: ["module:./hook.mjs"]\n${TRIALS}\n`,
    });
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, 'reports')]);
    expect(r.code).toBe(3);
    expect(r.err).toMatch(/did not run as generated .*3 nodes run of 6/);
  }, 60_000);

  it("a hook that changes the pipeline's data in place (an output, an input it is given): a failed trial", async () => {
    // The reference hook, changing the data once it has logged: counts and values are right (exit 0 before), only
    // the data the nodes saved tells.
    const index = JSON.stringify(join(process.cwd(), 'dist/index.js'));
    const changing = (method: string, change: string): string => `import { BUILTIN_HOOKS } from ${index};
export default async (options, context) => {
  const hooks = await BUILTIN_HOOKS.reference.factory(options, context);
  return { ...hooks, async ${method}(node, catalog, inputs, ...rest) {
    const answer = await hooks.${method}(node, catalog, inputs, ...rest);
    ${change}
    return answer;
  } };
};
`;
    const outputs = changing(
      'afterNodeRun',
      "for (const [name, value] of Object.entries(rest[0])) if (catalog.kindOf(name) === 'data') value.consumed = 0;",
    );
    const inputs = changing(
      'beforeNodeRun',
      "for (const name of Object.keys(inputs)) if (name.startsWith('params:')) inputs[name] = 'changed';",
    );
    const dir = project({
      'outputs.mjs': outputs,
      'inputs.mjs': inputs,
      'o.yaml': `name: outputs\n${PIPELINE}\nhooks: ["module:./outputs.mjs"]\n${TRIALS}\n`,
      'i.yaml': `name: inputs\n${PIPELINE}\nhooks: ["module:./inputs.mjs"]\n${TRIALS}\n`,
    });
    for (const [s, hook] of [
      ['o.yaml', 'outputs'],
      ['i.yaml', 'inputs'],
    ]) {
      const r = await cli(['run', join(dir, s!), '--quick', '--out', join(dir, 'reports')]);
      expect(r.code, s).toBe(3);
      expect(r.err).toContain(
        `trial 2 (module:./${hook}.mjs, round 1) failed: its pipeline did not run as generated: the data it saved ` +
          "differs from that of a run without hooks (a hook changed a node's inputs, outputs or parameters in place?)",
      );
      expect(existsSync(join(dir, 'reports'))).toBe(false);
    }
  }, 60_000);

  it('the data every trial must have is taken from a whole, healthy run without hooks only', () => {
    const produced = { params: 0, metrics: 0, artifacts: 0, models: 0, nodesRun: 6 };
    const reply = (dataDigest: number, pipelineError?: string): TrialReply => ({
      ok: true,
      probes: { wallMs: 1, cpuMs: 1, peakRssBytes: 1, diskWriteBytes: null, writeBytes: null },
      produced,
      dataDigest,
      ...(pipelineError ? { pipelineError } : {}),
    });
    const expected: TrialExpectations = { failAt: false, planned: produced };
    // A run that failed partway (kept with --allow-failures) saved part of the data: not what every trial must have.
    noteDataDigest(reply(1, 'ENOSPC: no space left on device'), expected);
    noteDataDigest({ ok: false, error: 'its process exited' }, expected);
    expect(expected.dataDigest).toBeUndefined();
    noteDataDigest(reply(2), expected);
    noteDataDigest(reply(3), expected);
    expect(expected.dataDigest).toBe(2);
    expect(trialFailure(reply(2), expected)).toBeUndefined();
    expect(trialFailure(reply(3), expected)).toMatch(/the data it saved differs from that of a run without hooks/);
  });

  it('messages a hook sends on the trial channel are not results: a made-up result or a stray one', async () => {
    // A made-up "result" first, then a crash: the crash is what counts. A stray message changes nothing.
    const forging = `export default () => ({
  beforePipelineRun() {
    process.send?.({ type: 'process:msg', data: 'hook started' });
    process.send?.({ ok: true, probes: { wallMs: 1, cpuMs: 1, peakRssBytes: 1 }, produced: { params: 0 } });
  },
  afterNodeRun() { throw new Error('crashed after forging'); },
});
`;
    const dir = project({
      'hook.mjs': forging,
      's.yaml': `name: forges\n${PIPELINE}\nhooks: ["module:./hook.mjs"]\n${TRIALS}\n`,
    });
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, 'reports')]);
    expect(r.code).toBe(3);
    expect(r.err).toContain('crashed after forging');
  }, 60_000);

  it('a promise a hook leaves rejected at the end of the run, or an exit code it sets: a failed trial', async () => {
    const rejecting = `export default () => ({
  afterPipelineRun() { void Promise.reject(new Error('rejected after the run')); },
});
`;
    const exiting = `export default () => ({ afterPipelineRun() { process.exitCode = 7; } });\n`;
    const dir = project({
      'r.mjs': rejecting,
      'e.mjs': exiting,
      'r.yaml': `name: rejects\n${PIPELINE}\nhooks: ["module:./r.mjs"]\n${TRIALS}\n`,
      'e.yaml': `name: exitcode\n${PIPELINE}\nhooks: ["module:./e.mjs"]\n${TRIALS}\n`,
    });
    const r = await cli(['run', join(dir, 'r.yaml'), '--quick', '--out', join(dir, 'reports')]);
    expect(r.code).toBe(3);
    expect(r.err).toContain('rejected after the run');
    const e = await cli(['run', join(dir, 'e.yaml'), '--quick', '--out', join(dir, 'reports')]);
    expect(e.code).toBe(3);
    expect(e.err).toMatch(/exit 7|code 7/);
  }, 120_000);

  it('values a hook loses in a warm-up trial count as lost', async () => {
    // Loses everything in the first trial it runs in (a fresh server, no experiment yet), then delivers.
    const cold = `import { BUILTIN_HOOKS } from ${JSON.stringify(join(process.cwd(), 'dist/index.js'))};
export default async (options, ctx) => {
  const url = new URL('/api/2.0/mlflow/experiments/get-by-name', ctx.trackingUri);
  url.searchParams.set('experiment_name', ctx.scenarioName);
  const res = await fetch(url);
  if (res.status === 404) return {};
  return BUILTIN_HOOKS.reference.factory({}, ctx);
};
`;
    const dir = project({
      'hook.mjs': cold,
      's.yaml':
        `name: coldstart\n${PIPELINE}\nhooks: ["module:./hook.mjs"]\n` +
        'trials: {repetitions: 2, warmup: 1, quickRepetitions: 2}\n',
    });
    // The reference hook creates the experiment in the second trial; the first (warm-up) lost all.
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, 'reports')]);
    expect(r.code, r.err).toBe(1);
    expect(`${r.out}${r.err}`).toMatch(/lost \d+ of \d+ params/);
  }, 120_000);

  it('metric values are matched by value: half sent twice, or all sent wrong, is not all delivered', async () => {
    const sloppy = runLoggingHook(`
      const params = Object.entries(inputs).filter(([k]) => k.startsWith('params:'))
        .map(([k, v]) => ({ key: k.slice(7), value: String(v) }));
      const metrics = [];
      for (const [name, value] of Object.entries(outputs)) if (catalog.kindOf(name) === 'metrics')
        for (const [key, series] of Object.entries(value))
          series.forEach((v, step) => metrics.push({ key, value: Number(v.value ?? v), timestamp: Date.now(), step }));
      const sent = process.env.SLOPPY === 'wrong' ? metrics.map((m) => ({ ...m, value: 0 }))
        : metrics.slice(0, Math.ceil(metrics.length / 2));
      await client.logBatch({ run_id: runId, params, metrics: sent });
      if (process.env.SLOPPY !== 'wrong')
        await client.logBatch({ run_id: runId, metrics: sent.map((m) => ({ ...m, timestamp: m.timestamp + 1 })) });
`);
    const pipeline = 'pipeline: {nodes: 6, paramsPerNode: {count: 2}, metricsPerNode: 2, work: {cpuMs: 1, ioBytes: 0}}';
    const dir = project({
      'hook.mjs': sloppy,
      's.yaml': `name: sloppy\n${pipeline}\nhooks: ["module:./hook.mjs"]\n${TRIALS}\n`,
    });
    for (const mode of ['half-twice', 'wrong']) {
      process.env.SLOPPY = mode;
      try {
        const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, 'reports')]);
        expect(r.code, `${mode}: ${r.err}`).toBe(1);
        expect(`${r.out}${r.err}`).toMatch(/lost \d+ of 12 metrics|lost .*metrics/);
        // trace matches metric values the same way: half sent twice is half lost, zeros are all lost
        // (the real CLI: the hook's client and trace's in-process mock must be one module instance, dist/)
        const t = spawnSync(process.execPath, ['bin/trackbench.js', 'trace', join(dir, 's.yaml'), '--format', 'json'], {
          encoding: 'utf8',
          env: process.env,
        });
        const traced = JSON.parse(t.stdout) as { lost: { metrics: number } };
        expect(traced.lost.metrics, `${mode}: ${t.stdout}`).toBe(mode === 'wrong' ? 12 : 6);
        expect(t.status).toBe(1);
        expect(t.stderr).toMatch(/trace: lost \d+ of 12 metrics/);
      } finally {
        delete process.env.SLOPPY;
      }
    }
  }, 120_000);

  it('params are matched by key and value: a wrong value, or a tag named <param>_junk, is lost', async () => {
    // Every metric value delivered; the params right, with wrong values, or only as `<param>_junk` tags.
    const params = runLoggingHook(
      `
      const given = Object.entries(inputs).filter(([k]) => k.startsWith('params:'))
        .map(([k, v]) => ({ key: k.slice(7), value: text(v) }));
      const mode = process.env.PARAMS_MODE;
      const wrong = given.map((p) => ({ ...p, value: '9' + p.value }));
      const params = mode === 'wrong' ? wrong : mode === 'junk' ? [] : given;
      const tags = mode === 'junk' ? given.map((p) => ({ ...p, key: p.key + '_junk' })) : [];
      const metrics = [];
      for (const [name, value] of Object.entries(outputs)) if (catalog.kindOf(name) === 'metrics')
        for (const [key, series] of Object.entries(value))
          series.forEach((v, step) => metrics.push({ key, value: Number(v.value ?? v), timestamp: Date.now(), step }));
      await client.logBatch({ run_id: runId, params, tags, metrics });
`,
      "const text = (v) => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));",
    );
    const pipeline =
      'pipeline: {nodes: 6, paramsPerNode: {count: 2, kinds: {number: 1, string: 1, dict: 1}}, metricsPerNode: 1, ' +
      'work: {cpuMs: 1, ioBytes: 0}}';
    const dir = project({
      'hook.mjs': params,
      's.yaml': `name: params\n${pipeline}\nhooks: ["module:./hook.mjs"]\n${TRIALS}\n`,
    });
    const lostParams = (out: string): unknown => {
      const reports = join(dir, `reports-${out}`);
      const report = readReport(
        join(
          reports,
          readdirSync(reports).find((f) => f.endsWith('.json'))!,
        ),
      );
      const values = report.results['module:./hook.mjs']!.values;
      return values.available ? { delivered: values.delivered.params, lost: values.lost } : values.reason;
    };
    for (const mode of ['right', 'wrong', 'junk']) {
      process.env.PARAMS_MODE = mode;
      try {
        const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, `reports-${mode}`)]);
        if (mode === 'right') {
          expect(r.code, r.err).toBe(0);
          expect(lostParams(mode)).toEqual({
            delivered: 12,
            lost: { params: 0, metrics: 0, artifacts: 0, models: 0 },
          });
          continue;
        }
        expect(r.code, `${mode}: ${r.err}`).toBe(1);
        expect(`${r.out}${r.err}`).toMatch(/lost 12 of 12 params/);
        expect(`${r.out}${r.err}`).not.toMatch(/PASS|improved/);
        expect(lostParams(mode)).toEqual({ delivered: 0, lost: { params: 12, metrics: 0, artifacts: 0, models: 0 } });
      } finally {
        delete process.env.PARAMS_MODE;
      }
    }
  }, 180_000);

  it('a command: hook that tracks when told tracking is off, or with a FIFO for probes: a failed trial', async () => {
    const inverted = `import { writeFileSync } from 'node:fs';
const api = (p) => new URL('/api/2.0/mlflow/' + p, process.env.MLFLOW_TRACKING_URI);
const post = (p, body) => fetch(api(p), { method: 'POST', headers: { 'content-type': 'application/json' },
  body: JSON.stringify(body) }).then((r) => r.json());
if (process.env.TRACKBENCH_TRACKING === 'off') {
  const { experiment_id } = await post('experiments/create', { name: 'inverted-' + Date.now() });
  await post('runs/create', { experiment_id });
}
writeFileSync(process.env.TRACKBENCH_PROBES_FILE, JSON.stringify({ wallMs: 1, cpuMs: 1, peakRssBytes: 1 }));
`;
    const dir = project({
      'plugin.mjs': inverted,
      's.yaml': `name: inverted\n${PIPELINE}\nhooks: ["command:node plugin.mjs"]\n${TRIALS}\n`,
      'f.yaml': `name: fifo\n${PIPELINE}\nhooks: ["command:mkfifo $TRACKBENCH_PROBES_FILE"]\n${TRIALS}\n`,
    });
    const r = await cli(['run', join(dir, 's.yaml'), '--quick', '--out', join(dir, 'reports')]);
    expect(r.code).toBe(3);
    expect(r.err).toContain('tracking was not off: 1 run(s) reached the server');
    const f = await cli(['run', join(dir, 'f.yaml'), '--quick', '--out', join(dir, 'reports')]);
    expect(f.code).toBe(3);
    expect(f.err).toContain('TRACKBENCH_PROBES_FILE is not a regular file');
  }, 120_000);
});
