// A hook that leaves work pending when the run ends (a ref'd timer, a server) would keep a real run's process
// from exiting, or run after it unmeasured: the trial's own exit cuts it off, so the trial fails instead of
// reading as a clean measurement.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli } from './helpers/io.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-pending-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DIST = JSON.stringify(join(process.cwd(), 'dist/index.js'));

/** `trackbench run --quick` of hook module `text` in a one-trial scenario `name`. */
async function runHook(name: string, text: string): Promise<{ code: number; out: string; err: string }> {
  writeFileSync(join(dir, `${name}.mjs`), text);
  writeFileSync(
    join(dir, `${name}.yaml`),
    `name: ${name}\npipeline: {nodes: 4, paramsPerNode: {count: 1}, metricsPerNode: 1, work: {cpuMs: 1}}\n` +
      `hooks: ["module:./${name}.mjs"]\ntrials: {repetitions: 1, warmup: 0, quickRepetitions: 1}\n`,
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
});
