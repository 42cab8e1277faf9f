// Input files must be UTF-8: bytes that are not were decoded to U+FFFD silently, so a Latin-1 description
// or a UTF-16 scenario was read as something else. Now they are bad input at the first bad byte's place,
// for every command that reads a file (one reader), and a real U+FFFD in the text is still read.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { utf8Problem } from '../src/common/utf8.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-utf8-'));
let n = 0;

async function run(args: (file: string) => string[], bytes: Buffer): Promise<{ code: number; err: string }> {
  const file = join(dir, `f${n++}`);
  writeFileSync(file, bytes);
  const err: string[] = [];
  const code = await main(args(file), { out: () => {}, err: (s) => void err.push(s), isTTY: false });
  return { code, err: err.join('\n').replaceAll(file, 'FILE') };
}

const scenario = (description: Buffer): Buffer =>
  Buffer.concat([
    Buffer.from('name: x\ndescription: '),
    description,
    Buffer.from('\npipeline: {nodes: 3}\nhooks: [noop]\n'),
  ]);

describe('input files that are not UTF-8', () => {
  it('a Latin-1 scenario, a UTF-16 one, a report: exit 2 at the first bad byte', async () => {
    const latin = await run((f) => ['validate', f], scenario(Buffer.from('caf\xe9', 'latin1')));
    expect(latin).toEqual({ code: 2, err: 'FILE:2:17 not UTF-8 text (byte 0xe9); save it as UTF-8' });
    const utf16 = await run((f) => ['validate', f], Buffer.from('\ufeffname: x\n', 'utf16le'));
    expect(utf16.code).toBe(2);
    expect(utf16.err).toBe('FILE:1:1 UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8');
    const report = await run(
      (f) => ['report', f, '--html', join(dir, 'r.html')],
      Buffer.from('{"a": "\xc3"}', 'latin1'),
    );
    expect(report).toEqual({
      code: 2,
      err: 'FILE:1:8 not a readable trackbench report: not UTF-8 text (byte 0xc3); save it as UTF-8',
    });
  });

  it('a real U+FFFD and a UTF-8 byte-order mark are text; the place counts characters, not bytes', async () => {
    const ok = await run((f) => ['validate', f], scenario(Buffer.from('"\ufffd é ✓"')));
    expect(ok.code, ok.err).toBe(0);
    const bom = await run((f) => ['validate', f], Buffer.concat([Buffer.from('\ufeff'), scenario(Buffer.from('d'))]));
    expect(bom.code, bom.err).toBe(0);
    const bytes = Buffer.concat([Buffer.from('é\ufffd\nab✓'), Buffer.from([0x80])]);
    expect(utf8Problem(bytes)).toEqual({ line: 2, col: 4, message: 'not UTF-8 text (byte 0x80); save it as UTF-8' });
    expect(utf8Problem(Buffer.from('plain'))).toBeUndefined();
  });
});
