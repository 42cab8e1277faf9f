// The replay journal beside a spill file is input too: a FIFO named like it blocked replay in a synchronous
// read past SIGTERM (only SIGKILL ended it). The CLI as a process, killed if it hangs.
import { spawnSync } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';

const BIN = fileURLToPath(new URL('../bin/trackbench.js', import.meta.url));

describe('replay journal', () => {
  it('a FIFO as the journal: exit 2 naming it, at once, nothing delivered or written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-journal-'));
    const spill = join(dir, 'spill.jsonl');
    writeFileSync(spill, '{"type":"run","run":"r","experimentName":"e","runName":"n","runId":null,"tags":[]}\n');
    execFileSync('mkfifo', [`${spill}.journal`]);
    // No server at this port: had the journal been read, replay would fail to connect (exit 3), not exit 2.
    const r = spawnSync(process.execPath, [BIN, 'replay', spill, '--tracking-uri', 'http://127.0.0.1:9'], {
      encoding: 'utf8',
      timeout: 20_000,
      killSignal: 'SIGKILL',
    });
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toBe(`${spill}.journal not a regular file (a pipe, socket or device)\n`);
    expect(readdirSync(dir).sort()).toEqual(['spill.jsonl', 'spill.jsonl.journal']);
  }, 30_000);

  it('a journal line with an outcome of no known kind is bad input at its line (it read as refused)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-journal-'));
    const spill = join(dir, 'spill.jsonl');
    writeFileSync(spill, '{"type":"run","run":"r","experimentName":"e","runName":"n","runId":null,"tags":[]}\n');
    writeFileSync(`${spill}.journal`, '{"id":"line:1","outcome":"delivered"}\n{"id":"line:2","outcome":"sent?"}\n');
    const err: string[] = [];
    const io = { out: () => {}, err: (s: string) => void err.push(s), isTTY: false };
    expect(await main(['replay', spill, '--tracking-uri', 'http://127.0.0.1:9'], io)).toBe(2);
    expect(err.join('\n')).toContain(`${spill}.journal:2:1 not a trackbench replay journal line`);
  });
});
