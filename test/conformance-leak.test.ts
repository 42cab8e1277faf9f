// The secrets checks' three helpers: what counts as a leak, what an in-process hook prints, and which files in
// the system temp folders were written during a situation.
import { existsSync, mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BoundedOutput, withCapturedOutput } from '../src/conformance/capture-output.ts';
import {
  EDGE_PIECE,
  FOLDED_WINDOW,
  LEAK_WINDOW,
  MASKED_WINDOW,
  randomSecret,
  secretLeak,
  windowsOf,
} from '../src/conformance/leak.ts';
import { CONFORMANCE_PASSWORD, CONFORMANCE_SECRET } from '../src/conformance/observe.ts';
import { filesWrittenSince } from '../src/conformance/files-written.ts';

describe('secretLeak', () => {
  // A fixed secret shaped as randomSecret() makes them (no 6 hex digits in a row, nor first or last 4), so each
  // case below reads the same every run; every 8 characters hold a letter of each case, so no exact part
  // survives a case change. (A random one upper-cased kept 8 digits and capitals in a row a time in four: CI.)
  const s = 'gH3kM5pQ7rS9tU1vW2xY4zN6jK8wL0nPq';
  const part = s.slice(0, LEAK_WINDOW);

  it('finds the whole secret and any part of LEAK_WINDOW characters, in text or bytes', () => {
    expect(secretLeak(`token=${s}`, [s])).toBe('whole');
    expect(secretLeak(`Bearer ${s.slice(0, -6)}******`, [s])).toBe('part');
    expect(secretLeak(`fingerprint ${part}...`, [s])).toBe('part');
    expect(secretLeak(`x${s.slice(9, 9 + LEAK_WINDOW)}x`, [s])).toBe('part');
    expect(secretLeak(Buffer.from(`\0\x01${s.slice(3, 20)}\xff`, 'latin1'), [s])).toBe('part');
  });

  it('passes a part too short to be unmistakable, and text without the secret', () => {
    expect(secretLeak(`****${s.slice(-EDGE_PIECE)}`, [s])).toBeUndefined();
    expect(secretLeak(`${s.slice(0, MASKED_WINDOW - 1)}•••••`, [s])).toBeUndefined();
    expect(secretLeak(`key ${s.slice(0, LEAK_WINDOW - 1)} in text`, [s])).toBeUndefined();
    expect(secretLeak(`${s.slice(3, 3 + MASKED_WINDOW)} alone, not next to a mask`, [s])).toBeUndefined();
    expect(secretLeak(`${s.slice(0, EDGE_PIECE)} ends a line\n${s.slice(-EDGE_PIECE)}`, [s])).toBeUndefined();
    expect(secretLeak(`${s.slice(-EDGE_PIECE)} before ${s.slice(0, EDGE_PIECE)}`, [s])).toBeUndefined();
    expect(secretLeak(s.slice(0, FOLDED_WINDOW - 1).toUpperCase(), [s])).toBeUndefined();
    expect(secretLeak('conformance-basic run 0123456789abcdef0123456789abcdef', [s])).toBeUndefined();
    expect(secretLeak('', [s])).toBeUndefined();
  });

  it('finds a part next to a mask, the first and last characters together, reversed, case-changed or split', () => {
    const six = s.slice(0, MASKED_WINDOW);
    for (const mask of ['*', '*'.repeat(26), '•••', '…', '##', '..', '...', 'xxxx', 'XXX'])
      expect(secretLeak(`auth=Bearer ${six}${mask}`, [s]), mask).toBe('masked');
    expect(secretLeak(`hint ***${s.slice(-MASKED_WINDOW)}`, [s])).toBe('masked');
    expect(secretLeak(`{"tag": "${s.slice(0, 7)}${'*'.repeat(25)}"}`, [s])).toBe('masked');
    expect(secretLeak(`${s.slice(0, 6)}...${s.slice(-6)}`, [s])).toBe('masked');
    expect(secretLeak(`token ${s.slice(0, EDGE_PIECE)}-${s.slice(-EDGE_PIECE)} (hint)`, [s])).toBe(
      'first and last characters',
    );
    expect(secretLeak(`${s.slice(0, EDGE_PIECE)}${s.slice(-EDGE_PIECE)}`, [s])).toBe('first and last characters');
    expect(secretLeak(`x${[...s.slice(2, 2 + LEAK_WINDOW)].reverse().join('')}x`, [s])).toBe('reversed');
    expect(secretLeak(s.toUpperCase(), [s])).toBe('case-changed or split');
    expect(secretLeak(s.slice(4, 4 + FOLDED_WINDOW).toLowerCase(), [s])).toBe('case-changed or split');
    expect(secretLeak(s.match(/.{1,4}/g)!.join('-'), [s])).toBe('case-changed or split');
    expect(secretLeak([...s].join(' '), [s])).toBe('case-changed or split');
    expect(secretLeak([...s.toLowerCase()].reverse().join('.'), [s])).toBe('case-changed or split');
  });

  it('finds it base64, base64url, hex or percent-encoded, whole or in part, at any alignment', () => {
    for (const text of [s, `:${s}`, `ab${s.slice(5)}`, part, `x${part}`]) {
      const bytes = Buffer.from(text);
      expect(secretLeak(`auth ${bytes.toString('base64')}`, [s]), text).toBe('base64');
      expect(secretLeak(`auth ${bytes.toString('base64url')}`, [s]), text).toBe('base64');
      expect(secretLeak(`dump ${bytes.toString('hex')}`, [s]), text).toBe('hex');
    }
    const code = (c: string): string => c.charCodeAt(0).toString(16).padStart(2, '0');
    const escaped = [...s].map((c) => `%${code(c)}`).join('');
    expect(secretLeak(`/path?t=${escaped}`, [s])).toBe('escaped, whole');
    expect(secretLeak(`{"t": "${[...s].map((c) => `\\u00${code(c)}`).join('')}"}`, [s])).toBe('escaped, whole');
    expect(secretLeak([...s.slice(0, 12)].map((c) => `\\x${code(c)}`).join(''), [s])).toBe('escaped, part');
    expect(secretLeak([...s.slice(0, 6)].map((c) => `&#${c.charCodeAt(0)};`).join('') + '***', [s])).toBe(
      'escaped, masked',
    );
  });

  it('passes escapes, masks and letters that hold no secret', () => {
    const text = 'a\\u0041 %41%42 &#65; \\x41 *** ... • xxx ### HELLO-WORLD-1234 abc'.repeat(50);
    expect(secretLeak(text, [s])).toBeUndefined();
    // Random text of letters and digits (1 MB) with masks and separators: no chance match of any rule.
    const noise = Array.from({ length: 2000 }, () => `${randomSecret(500)}***.${randomSecret(8)}...`).join('\n');
    expect(secretLeak(noise, [s])).toBeUndefined();
  });

  it('makes secrets no part of which is all hex digits (so no run id or hash holds one by chance)', () => {
    for (let i = 0; i < 200; i++) {
      const r = randomSecret();
      expect(r).toMatch(/^[A-Za-z0-9]{32}$/);
      for (const w of [...windowsOf(r, MASKED_WINDOW), r.slice(0, EDGE_PIECE), r.slice(-EDGE_PIECE)])
        expect(w).not.toMatch(/^[0-9a-f]+$/i);
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

  it('passes on at most 4 MiB of what hooks print in the process, said once; the record is still kept', async () => {
    let passed = '';
    const real = Object.getOwnPropertyDescriptor(process.stderr, 'write');
    // A stand-in for the terminal: what withCapturedOutput passes on arrives here.
    process.stderr.write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
      passed += String(chunk);
      const callback = rest.find((a) => typeof a === 'function') as (() => void) | undefined;
      callback?.();
      return true;
    };
    try {
      let calledBack = 0;
      const { printed } = await withCapturedOutput(() => {
        for (let i = 0; i < 10; i++) process.stderr.write('y'.repeat(1 << 20), () => void calledBack++);
        return new Promise((resolve) => setImmediate(resolve));
      });
      expect(passed.length).toBeLessThan((4 << 20) + 200);
      expect(passed.match(/hooks' output shown up to 4194304 characters/g)).toHaveLength(1);
      expect(calledBack).toBe(10);
      expect(printed).toMatch(/^y{1048576}/);
    } finally {
      if (real) Object.defineProperty(process.stderr, 'write', real);
      else delete (process.stderr as Partial<NodeJS.WriteStream>).write; // back to the prototype's
    }
  });

  // A hook printing megabytes a node made the suite's own string too long ("Invalid string length"), charged to it.
  it('keeps at most the first and last megabytes, and a watched string wherever and however it was printed', () => {
    const secret = 'w4tched-s3cr3t-0123456789';
    const out = new BoundedOutput([secret]);
    out.add('start\n');
    for (let i = 0; i < 40; i++) out.add('x'.repeat(256 * 1024));
    // Split across two writes, then encoded: the suite's detector (leak.ts) finds both forms.
    out.add(`... ${secret.slice(0, 10)}`);
    out.add(`${secret.slice(10)} ...`);
    out.add('x'.repeat(512 * 1024));
    out.add(`Authorization: Bearer ${Buffer.from(secret).toString('base64')}\n`);
    for (let i = 0; i < 40; i++) out.add('y'.repeat(256 * 1024));
    out.add('the end\n');
    const text = out.text();
    expect(text.length).toBeLessThan(4.2 * 1024 * 1024);
    expect(text.startsWith('start\n')).toBe(true);
    expect(text.endsWith('the end\n')).toBe(true);
    expect(text).toMatch(/\[trackbench: \d+ characters of output not kept; of it, where a watched string was printed:/);
    expect(text).toContain(secret);
    expect(text).toContain(Buffer.from(secret).toString('base64'));
    const small = new BoundedOutput([secret]);
    small.add('all of it');
    expect(small.text()).toBe('all of it');
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

  it('looks at any depth in folders changed since trackbench started, not in older ones', () => {
    const since = Date.now();
    const root = mkdtempSync(join(existsSync('/var/tmp') ? '/var/tmp' : tmpdir(), 'tb-leak-deep-'));
    const fresh = join(root, 'plugin', 'logs', 'day');
    const stale = join(root, 'old', 'logs', 'day');
    try {
      mkdirSync(fresh, { recursive: true });
      mkdirSync(stale, { recursive: true });
      writeFileSync(join(fresh, 'requests.log'), 'new');
      writeFileSync(join(stale, 'requests.log'), 'appended');
      // Folders last changed before trackbench started: a log appended to there is out of reach (README).
      const past = new Date(since - 3_600_000);
      for (const d of [stale, join(root, 'old', 'logs'), join(root, 'old')]) utimesSync(d, past, past);
      const found = filesWrittenSince(since, []).map((f) => f.path);
      expect(found).toContain(join(fresh, 'requests.log'));
      expect(found).not.toContain(join(stale, 'requests.log'));
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
