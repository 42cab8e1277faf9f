// Hostile input is refused quickly, with a location, and exit 2: alias bombs, size bombs, odd line
// breaks, module paths that are not modules, out-of-range failAt; long names and hung hooks.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { safeFileName } from '../src/common/file-names.ts';
import { HookManager, HookTimeoutError } from '../src/pipeline/hooks.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-bounded-'));
let n = 0;

async function validate(text: string): Promise<{ code: number; err: string }> {
  const f = join(dir, `s${n++}.yaml`);
  writeFileSync(f, text);
  const err: string[] = [];
  const io = { out: () => {}, err: (s: string) => void err.push(s), isTTY: false };
  const code = await main(['validate', f], io);
  return { code, err: err.join('\n').replaceAll(f, 'FILE') };
}

const ok = 'name: x\npipeline: {nodes: 3}\nhooks: [reference]\n';

describe('bounded input', () => {
  it('an undefined alias: exit 2 at the alias', async () => {
    const r = await validate('name: x\npipeline: {nodes: *nope}\nhooks: [reference]\n');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^FILE:2:19 Unresolved alias/);
  });

  it('a billion laughs: exit 2 with a location, at once', async () => {
    let text = 'a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n';
    for (let i = 1; i < 9; i++)
      text += `a${i}: &a${i} [${Array(10)
        .fill(`*a${i - 1}`)
        .join(', ')}]\n`;
    const r = await validate(text + ok);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^FILE:2:\d+ .*alias/);
  });

  it('lone CR line breaks give the right line and column', async () => {
    const r = await validate('name: x\rpipeline: {nodes: 3}\r\nhooks: [reference]\rbogus: 1\r');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^FILE:4:1 bogus: unknown key/);
  });

  it('module paths must be regular JS/TS files; failAt -1 is refused; every problem is reported', async () => {
    const r = await validate(
      'name: x\npipeline: {nodes: 3, failAt: -1}\nhooks: ["module:/etc/passwd", "module:/dev/zero", "module:/tmp"]\n',
    );
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toEqual([
      'FILE:2:30 pipeline.failAt: a node index is 0..2; got -1',
      expect.stringMatching(/^FILE:3:9 hooks\[0\]: hook module must be a \.js.* file: \/etc\/passwd$/),
      'FILE:3:31 hooks[1]: hook module is not a regular file: /dev/zero',
      'FILE:3:51 hooks[2]: hook module is not a regular file: /tmp',
    ]);
  });

  it('size bombs are refused with the figure and the limit before anything is generated', async () => {
    const dict = await validate(
      'name: x\npipeline: {nodes: 100, paramsPerNode: {count: 10, kinds: {dict: 1, number: 0, string: 0}, ' +
        'dictKeys: 100, dictDepth: 10}}\nhooks: [reference]\n',
    );
    expect(dict.code).toBe(2);
    expect(dict.err).toMatch(/more than 10000 leaves \(the limit\)/);
    const edges = await validate(
      'name: x\npipeline: {nodes: 100000, topology: {kind: random, edgeProbability: 0.5}}\nhooks: [reference]\n',
    );
    expect(edges.code).toBe(2);
    expect(edges.err).toMatch(/2,499,975,000 edges .* limit is 2,000,000/);
    const values = await validate(
      'name: x\npipeline: {nodes: 100000, metricsPerNode: 100, metricSteps: 10}\nhooks: [reference]\n',
    );
    expect(values.code).toBe(2);
    expect(values.err).toMatch(/values in a run .* the limit is 20,000,000/);
  });

  it('20,000 unknown keys: the first 50 located, the rest counted', async () => {
    const r = await validate(ok + Array.from({ length: 20_000 }, (_, i) => `k${i}: 1\n`).join(''));
    expect(r.code).toBe(2);
    expect(r.err.split('\n')).toHaveLength(51);
    expect(r.err).toMatch(/\.\.\. and 19950 more problem\(s\)$/);
  });

  it('duplicate keys are located', async () => {
    expect(await validate('a: 1\nb: 2\na: 3\n')).toMatchObject({ code: 2, err: 'FILE:3:1 Map keys must be unique' });
  });

  it('a 300-character name becomes a short, distinct file name', () => {
    const a = safeFileName('x'.repeat(300));
    const b = safeFileName(`${'x'.repeat(299)}y`);
    expect(a.length).toBeLessThanOrEqual(80);
    expect(a).not.toBe(b);
    expect(safeFileName('a/b c')).toBe('a_b_c');
    expect(safeFileName('overhead-table')).toBe('overhead-table');
  });

  it('a hook call that never settles fails with a HookTimeoutError naming hook and method', async () => {
    const hooks = new HookManager([{ name: 'stuck', hooks: { beforeNodeRun: () => new Promise(() => {}) } }], 50);
    // The arguments do not matter to this hook.
    const args = [] as unknown as Parameters<NonNullable<import('../src/pipeline/hooks.ts').Hooks['beforeNodeRun']>>;
    const call = hooks.call('beforeNodeRun', ...args);
    await expect(call).rejects.toThrow(HookTimeoutError);
    await expect(call).rejects.toThrow('hook "stuck" did not settle in beforeNodeRun within 50 ms');
  });
});
