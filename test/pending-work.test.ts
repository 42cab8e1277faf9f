// A hook that leaves work pending when the run ends (a ref'd timer, a server) would keep a real run's process
// from exiting, or run after it unmeasured: the trial's own exit cuts it off, so the trial fails instead of
// reading as a clean measurement.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/io.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-pending-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DIST = JSON.stringify(join(process.cwd(), 'dist/index.js'));

/** `trackbench run --quick` of hook module `text` in a one-trial scenario `name`. */
async function runHook(name: string, text: string, ext = 'mjs'): Promise<{ code: number; out: string; err: string }> {
  writeFileSync(join(dir, `${name}.${ext}`), text);
  writeFileSync(
    join(dir, `${name}.yaml`),
    `name: ${name}\npipeline: {nodes: 4, paramsPerNode: {count: 1}, metricsPerNode: 1, work: {cpuMs: 1}}\n` +
      `hooks: ["module:./${name}.${ext}"]\ntrials: {repetitions: 1, warmup: 0, quickRepetitions: 1}\n`,
  );
  return cli(['run', join(dir, `${name}.yaml`), '--quick', '--out', join(dir, `${name}-reports`)]);
}

/** The reference hook, delivering every value, with `after` run at the end of its afterPipelineRun. */
function referenceThen(after: string): string {
  return `import { BUILTIN_HOOKS } from ${DIST};
export default async (options, ctx) => {
  const inner = await BUILTIN_HOOKS.reference.factory({}, ctx);
  return {
    ...inner,
    async afterPipelineRun(...args) {
      await inner.afterPipelineRun?.(...args);
      ${after}
    },
  };
};
`;
}

describe('work a hook leaves pending at the run end fails the trial', () => {
  it.each([
    { name: 'interval', after: 'setInterval(() => {}, 1000);', left: 'Timeout' },
    { name: 'late-throw', after: "setTimeout(() => { throw new Error('late'); }, 200);", left: 'Timeout' },
    {
      name: 'server',
      after: "(await import('node:http')).createServer().listen(0, '127.0.0.1');",
      left: 'TCPServerWrap',
    },
    {
      // A connection the hook keeps open (to the tracking server's port) holds a real process as a server does.
      name: 'socket',
      after:
        "const s = (await import('node:net')).connect(Number(new URL(ctx.trackingUri).port), '127.0.0.1');\n" +
        "      await new Promise((resolve) => s.once('connect', resolve));",
      left: 'TCPSocketWrap',
    },
    {
      name: 'worker',
      after: "new (await import('node:worker_threads')).Worker('setInterval(() => {}, 1000)', { eval: true });",
      left: 'Worker',
    },
    {
      // Unref'd, it does not hold the process: the exit terminates it wherever its work stands.
      name: 'unrefd-worker',
      after:
        "const w = new (await import('node:worker_threads')).Worker('setInterval(() => {}, 1000)', { eval: true });\n" +
        "      await new Promise((resolve) => w.once('online', resolve));\n      w.unref();",
      left: 'Worker',
    },
  ])(
    '$name: exit 3 naming what was left, no report, never PASS',
    async ({ name, after, left }) => {
      const r = await runHook(name, referenceThen(after));
      expect(r.code, r.out + r.err).toBe(3);
      expect(r.err).toContain(`a hook left work pending when the run ended (${left})`);
      expect(r.err).toContain('no report written');
      expect(`${r.out}${r.err}`).not.toMatch(/PASS|improved/);
    },
    60_000,
  );

  it.each([
    { name: 'interval', after: 'setInterval(() => {}, 1000);', left: 'Timeout' },
    {
      name: 'server',
      after: "(await import('node:http')).createServer().listen(0, '127.0.0.1');",
      left: 'TCPServerWrap',
    },
    {
      name: 'worker',
      after: "new (await import('node:worker_threads')).Worker('setInterval(() => {}, 1000)', { eval: true });",
      left: 'Worker',
    },
  ])(
    'trace of $name: exit 3 naming what was left, as run',
    ({ name, after, left }) => {
      writeFileSync(join(dir, `trace-${name}.mjs`), referenceThen(after));
      writeFileSync(
        join(dir, `trace-${name}.yaml`),
        `name: t${name}\npipeline: {nodes: 4, paramsPerNode: {count: 1}, metricsPerNode: 1, work: {cpuMs: 1}}\n` +
          `hooks: ["module:./trace-${name}.mjs"]\n`,
      );
      // The real CLI: what the hook leaves holds the process until trace's own exit ends it.
      const t = spawnSync(process.execPath, ['bin/trackbench.js', 'trace', join(dir, `trace-${name}.yaml`)], {
        encoding: 'utf8',
      });
      expect(t.status, t.stdout + t.stderr).toBe(3);
      // One each from the warm-up run and the traced one.
      expect(t.stderr).toContain(`a hook left work pending when the run ended (${left}, ${left})`);
    },
    60_000,
  );

  it('trace of the built-in hooks: nothing pending, exit 0', () => {
    writeFileSync(
      join(dir, 'trace-builtins.yaml'),
      'name: tbuiltins\npipeline: {nodes: 4, paramsPerNode: {count: 1}, metricsPerNode: 1, work: {cpuMs: 1}}\n' +
        'hooks: [reference, naive, kedro-mlflow-like]\n',
    );
    for (const hook of ['reference', 'naive', 'kedro-mlflow-like']) {
      const args = ['bin/trackbench.js', 'trace', join(dir, 'trace-builtins.yaml'), '--hook', hook];
      const t = spawnSync(process.execPath, args, { encoding: 'utf8' });
      expect(t.status, hook + t.stdout + t.stderr).toBe(0);
    }
  }, 60_000);

  it('a hook that leaves its keep-alive client open is not flagged: an idle socket holds no process', async () => {
    const hook = `import { BUILTIN_HOOKS, MlflowClient } from ${DIST};
export default async (options, ctx) => {
  const client = new MlflowClient({ trackingUri: ctx.trackingUri });
  const inner = await BUILTIN_HOOKS.reference.factory({}, ctx);
  const afterNodeRun = async (...args) => {
    await inner.afterNodeRun?.(...args);
    await client.getExperiment('0');
  };
  return { ...inner, afterNodeRun };
};
`;
    const r = await runHook('open', hook);
    expect(r.code, r.out + r.err).toBe(0);
  }, 60_000);

  it("idle keep-alive sockets (node:http's agent, fetch) and a worker that ended are not flagged", async () => {
    const hook = `import http from 'node:http';
import { Worker } from 'node:worker_threads';
import { BUILTIN_HOOKS } from ${DIST};
export default async (options, ctx) => {
  const agent = new http.Agent({ keepAlive: true });
  const url = new URL('/api/2.0/mlflow/experiments/get?experiment_id=0', ctx.trackingUri);
  const viaAgent = () => new Promise((resolve, reject) =>
    http.get(url, { agent }, (res) => res.resume().on('end', resolve)).on('error', reject));
  const inner = await BUILTIN_HOOKS.reference.factory({}, ctx);
  const afterNodeRun = async (...args) => {
    await inner.afterNodeRun?.(...args);
    await viaAgent();
    await (await fetch(url)).arrayBuffer();
  };
  const afterPipelineRun = async (...args) => {
    await inner.afterPipelineRun?.(...args);
    const w = new Worker('1', { eval: true });
    await new Promise((resolve) => w.once('exit', resolve));
  };
  return { ...inner, afterNodeRun, afterPipelineRun };
};
`;
    const r = await runHook('idle', hook);
    expect(r.code, r.out + r.err).toBe(0);
  }, 60_000);

  it('a socket ended and a worker terminated at the end, neither awaited, are not flagged: they close', async () => {
    const after =
      "const s = (await import('node:net')).connect(Number(new URL(ctx.trackingUri).port), '127.0.0.1');\n" +
      "      await new Promise((resolve) => s.once('connect', resolve));\n" +
      "      const { Worker } = await import('node:worker_threads');\n" +
      "      const w = new Worker('setInterval(() => {}, 1000)', { eval: true });\n" +
      "      await new Promise((resolve) => w.once('online', resolve));\n" +
      '      s.end();\n      void w.terminate();';
    const r = await runHook('closing', referenceThen(after));
    expect(r.code, r.out + r.err).toBe(0);
  }, 60_000);

  it('a hook written in TypeScript is not flagged for the loader thread tsx starts (module.register)', async () => {
    const hook = `import { BUILTIN_HOOKS } from ${DIST};
export default async (options: Record<string, unknown>, ctx: { trackingUri?: string }) =>
  BUILTIN_HOOKS.reference.factory({}, ctx);
`;
    const r = await runHook('typed', hook, 'ts');
    expect(r.code, r.out + r.err).toBe(0);
    const t = spawnSync(process.execPath, ['bin/trackbench.js', 'trace', join(dir, 'typed.yaml')], {
      encoding: 'utf8',
    });
    expect(t.status, t.stdout + t.stderr).toBe(0);
  }, 90_000);

  it('the built-in hooks leave nothing pending', async () => {
    writeFileSync(
      join(dir, 'builtins.yaml'),
      'name: builtins\npipeline: {nodes: 4, paramsPerNode: {count: 1}, metricsPerNode: 1, work: {cpuMs: 1}}\n' +
        'hooks: [reference, naive, kedro-mlflow-like]\ntrials: {repetitions: 1, warmup: 0, quickRepetitions: 1}\n',
    );
    const r = await cli(['run', join(dir, 'builtins.yaml'), '--quick', '--out', join(dir, 'builtins-reports')]);
    expect(r.code, r.out + r.err).toBe(0);
  }, 120_000);
});
