// The secrets checks' three helpers: what counts as a leak, what an in-process hook prints, and which files in
// the system temp folders were written during a situation.
import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { withCapturedOutput } from '../src/conformance/capture-output.ts';
import { LEAK_WINDOW, randomSecret, secretLeak, windowsOf } from '../src/conformance/leak.ts';
import { CONFORMANCE_PASSWORD, CONFORMANCE_SECRET } from '../src/conformance/observe.ts';
import { filesWrittenSince } from '../src/conformance/files-written.ts';

describe('secretLeak', () => {
  const s = randomSecret();
  const part = s.slice(0, LEAK_WINDOW);

  it('finds the whole secret and any part of LEAK_WINDOW characters, in text or bytes', () => {
    expect(secretLeak(`token=${s}`, [s])).toBe('whole');
    expect(secretLeak(`Bearer ${s.slice(0, -6)}******`, [s])).toBe('part');
    expect(secretLeak(`fingerprint ${part}...`, [s])).toBe('part');
    expect(secretLeak(`x${s.slice(9, 9 + LEAK_WINDOW)}x`, [s])).toBe('part');
    expect(secretLeak(Buffer.from(`\0\x01${s.slice(3, 20)}\xff`, 'latin1'), [s])).toBe('part');
  });

  it('passes a part too short to be unmistakable, and text without the secret', () => {
    expect(secretLeak(`****${s.slice(-(LEAK_WINDOW - 1))}`, [s])).toBeUndefined();
    expect(secretLeak('conformance-basic run 0123456789abcdef0123456789abcdef', [s])).toBeUndefined();
    expect(secretLeak('', [s])).toBeUndefined();
  });

  it('finds it base64, base64url, hex or percent-encoded, whole or in part, at any alignment', () => {
    for (const text of [s, `:${s}`, `ab${s.slice(5)}`, part, `x${part}`]) {
      const bytes = Buffer.from(text);
      expect(secretLeak(`auth ${bytes.toString('base64')}`, [s]), text).toBe('base64');
      expect(secretLeak(`auth ${bytes.toString('base64url')}`, [s]), text).toBe('base64');
      expect(secretLeak(`dump ${bytes.toString('hex')}`, [s]), text).toBe('hex');
    }
    const escaped = [...s].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    expect(secretLeak(`/path?t=${escaped}`, [s])).toBe('percent-encoded');
  });

  it('makes secrets no part of which is all hex digits (so no run id or hash holds one by chance)', () => {
    for (let i = 0; i < 200; i++) {
      const r = randomSecret();
      expect(r).toMatch(/^[A-Za-z0-9]{32}$/);
      for (const w of windowsOf(r)) expect(w).not.toMatch(/^[0-9a-f]+$/i);
    }
  });

  it('uses random secrets for the suite, which share no part with the names the harness writes', () => {
    expect(CONFORMANCE_SECRET).not.toBe(CONFORMANCE_PASSWORD);
    const harness = 'conformance-basic conformance-twice tb-conformance- MLFLOW_TRACKING_TOKEN Bearer';
    expect(secretLeak(harness, [CONFORMANCE_SECRET, CONFORMANCE_PASSWORD])).toBeUndefined();
  });
});

describe('withCapturedOutput', () => {
  it('records writes to stdout and stderr and console calls, once each', async () => {
    const { value, printed } = await withCapturedOutput(() => {
      process.stdout.write('to stdout\n');
      process.stderr.write(Buffer.from('to stderr\n'));
      console.error('console error %d', 7);
      console.log({ a: 1 });
      return Promise.resolve(42);
    });
    expect(value).toBe(42);
    expect(printed.split('\n').filter(Boolean)).toEqual(['to stdout', 'to stderr', 'console error 7', '{ a: 1 }']);
  });

  it('puts the streams and console back, when the run throws too', async () => {
    const owned = (): unknown[] => [
      Object.getOwnPropertyDescriptor(process.stdout, 'write'),
      Object.getOwnPropertyDescriptor(process.stderr, 'write'),
      Object.getOwnPropertyDescriptor(console, 'log'),
      Object.getOwnPropertyDescriptor(console, 'error'),
    ];
    const before = owned();
    await expect(withCapturedOutput(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(owned()).toEqual(before);
  });
});

describe('filesWrittenSince', () => {
  it('finds files written since, in the temp folder and a folder below, but those excluded or older', () => {
    const since = Date.now();
    const top = join(tmpdir(), `tb-leak-test-${process.pid}.log`);
    const dir = mkdtempSync(join(tmpdir(), 'tb-leak-test-'));
    const excluded = mkdtempSync(join(tmpdir(), 'tb-leak-test-excluded-'));
    try {
      writeFileSync(top, 'new');
      writeFileSync(join(dir, 'new.txt'), 'new');
      writeFileSync(join(dir, 'old.txt'), 'old');
      utimesSync(join(dir, 'old.txt'), new Date(since - 60_000), new Date(since - 60_000));
      writeFileSync(join(excluded, 'new.txt'), 'new');
      const found = filesWrittenSince(since, [excluded]).map((f) => f.path);
      expect(found).toContain(top);
      expect(found).toContain(join(dir, 'new.txt'));
      expect(found).not.toContain(join(dir, 'old.txt'));
      expect(found.filter((p) => p.startsWith(excluded))).toEqual([]);
    } finally {
      rmSync(top, { force: true });
      rmSync(dir, { recursive: true, force: true });
      rmSync(excluded, { recursive: true, force: true });
    }
  });
});
