// Hostile input is refused quickly, with a location, and exit 2: alias bombs, size bombs, odd line
// breaks, module paths that are not modules, out-of-range failAt; long names and hung hooks.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { safeFileName } from '../src/common/file-names.ts';
import { readInputText } from '../src/common/read-input.ts';
import { redact } from '../src/mlflow/auth.ts';
import { HookManager, HookTimeoutError } from '../src/pipeline/hooks.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-bounded-'));
let n = 0;

async function validate(text: string): Promise<{ code: number; err: string }> {
  const f = join(dir, `s${n++}.yaml`);
  writeFileSync(f, text);
  return command(['validate', f], f);
}

async function command(args: string[], file: string): Promise<{ code: number; err: string }> {
  const err: string[] = [];
  const io = { out: () => {}, err: (s: string) => void err.push(s), isTTY: false };
  const code = await main(args, io);
  return { code, err: err.join('\n').replaceAll(file, 'FILE') };
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

  it('nesting 20,000 deep: exit 2 at a location, said in words (not "Maximum call stack size exceeded")', async () => {
    const r = await validate(`name: x\npipeline: ${'['.repeat(20_000)}${']'.repeat(20_000)}\n`);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^FILE:2:\d+ nested too deeply to be read/);
  });

  it('a key that is a list: located as unknown, and no Node warning printed', async () => {
    const warned: string[] = [];
    const onWarning = (w: Error): void => void warned.push(w.message);
    process.on('warning', onWarning);
    try {
      const r = await validate(`${ok}? [a, b]\n: 1\n`);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^FILE:\d+:\d+ \[ a, b \]: unknown key/m);
      // Warnings are emitted on the next tick.
      await new Promise((resolve) => setImmediate(resolve));
    } finally {
      process.off('warning', onWarning);
    }
    expect(warned).toEqual([]);
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

  it('a 300-character scenario name does not fail a finished sweep at write time', async () => {
    const f = join(dir, 'long-sweep.yaml');
    const trials = 'trials: {repetitions: 1, warmup: 0, quickRepetitions: 1}';
    writeFileSync(f, `name: ${'s'.repeat(300)}\npipeline: {nodes: 2}\nhooks: [noop]\n${trials}\n`);
    const out = join(dir, 'long-sweep-out');
    const r = await command(['sweep', f, '--nodes', '2', '--quick', '--out', out], f);
    expect(r).toMatchObject({ code: 0, err: '' });
    const files = readdirSync(out);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(new RegExp(`^${'s'.repeat(71)}-[0-9a-f]{8}-sweep-.*\\.json$`));
  });

  it('a hook call that never settles fails with a HookTimeoutError naming hook and method', async () => {
    const hooks = new HookManager([{ name: 'stuck', hooks: { beforeNodeRun: () => new Promise(() => {}) } }], 50);
    // The arguments do not matter to this hook.
    const args = [] as unknown as Parameters<NonNullable<import('../src/pipeline/hooks.ts').Hooks['beforeNodeRun']>>;
    const call = hooks.call('beforeNodeRun', ...args);
    await expect(call).rejects.toThrow(HookTimeoutError);
    await expect(call).rejects.toThrow('hook "stuck" did not settle in beforeNodeRun within 50 ms');
  });

  // Each would block a synchronous read for ever (a FIFO until someone writes, /dev/zero without end), past SIGTERM.
  it('a FIFO or a device as a scenario or a report: exit 2, "not a regular file", at once', async () => {
    const fifo = join(dir, 'fifo.yaml');
    execFileSync('mkfifo', [fifo]);
    for (const [args, file] of [
      [['validate', fifo], fifo],
      [['validate', '/dev/zero'], '/dev/zero'],
      [['compare', '/dev/zero', fifo], '/dev/zero'],
    ] as const) {
      const r = await command([...args], file);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(/^FILE.*not a regular file/);
    }
  });

  it('input files: read to their end (a /proc file says 0 bytes), bounded, folders and missing files named', () => {
    expect(readInputText('/proc/self/status', 1 << 20)).toMatch(/^Name:/);
    const big = join(dir, 'big.json');
    writeFileSync(big, 'x'.repeat(1001));
    expect(readInputText(big, 1001)).toHaveLength(1001);
    expect(() => readInputText(big, 1000)).toThrow('larger than 1000 bytes');
    expect(() => readInputText(dir, 1000)).toThrow('a folder, not a file');
    expect(() => readInputText(join(dir, 'none'), 1000)).toThrow('no such file');
  });

  it('redaction takes linear time: a 1,000,000-character word (quadratic before: 67 s at 400,000)', () => {
    // 5 s of test timeout against milliseconds: only a quadratic scan can fail it.
    const word = 'y'.repeat(1_000_000);
    expect(redact(`${word} http://alice:hunter2@host:5000/x ${word}`, [])).toBe(
      `${word} http://***@host:5000/x ${word}`,
    );
    expect(redact(`s3://${word}`, [])).toBe(`s3://${word}`);
  }, 5000);

  // Past them a timer fires at once (a sleep of 3e9 ms took no time) or a Buffer cannot be made (exit 3 mid-run).
  it('times past a Node timer and sizes past a Buffer are refused with a location', async () => {
    for (const [work, column] of [
      ['sleepMs: 3000000000', 48],
      ['allocBytes: 10000000000000', 51],
    ] as const) {
      const r = await validate(`name: x\npipeline: {nodes: 3, work: {cpuMs: 1, ${work}}}\nhooks: [noop]\n`);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(new RegExp(`^FILE:2:${column} pipeline\\.work\\.\\w+: must be <= \\d+`));
    }
  });

  it('a backend URI that is not an http(s) URL: exit 2 at the URI, the value not shown', async () => {
    for (const [uri, says] of [
      ['not a uri', 'not a URL'],
      ['file:///etc', 'must be an http(s):// URL'],
    ] as const) {
      const r = await validate(
        `name: x\npipeline: {nodes: 3}\nhooks: [noop]\nbackend: {kind: remote, uri: "${uri}"}\n`,
      );
      expect(r.code, r.err).toBe(2);
      expect(r.err.startsWith(`FILE:4:30 backend.uri: ${says}`), r.err).toBe(true);
      expect(r.err).not.toContain(uri);
    }
  });
});
