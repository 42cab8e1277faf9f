// Values of the wrong type in a spill file are bad input at file:line (exit 2), before anything is sent or
// journalled: a tag value that was a list reached the server as it was, a number as a parameter value or a
// metric value that was a string was refused there and journalled as never to be sent.
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { startHttpMock } from '../src/backends/mock/http-server.ts';
import { main } from '../src/cli/main.ts';
import { readSpillFile } from '../src/tracking/delivery/spill-file.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-spill-types-'));
const run = (tags: string): string =>
  `{"type":"run","run":"r","experimentName":"e","runName":"n","runId":null,"tags":${tags}}`;
const metric = (fields: string): string => `{"type":"metrics","run":"r","items":[{"key":"m",${fields}}]}`;
let n = 0;

function spill(lines: string[]): string {
  const file = join(dir, `s${n++}.jsonl`);
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

describe('spill file value types', () => {
  it('a wrong type at any item: exit 2 naming line, item and field; the string not shown; no journal', async () => {
    const cases: [string[], string][] = [
      [
        [run('[{"key":"a","value":[1,2]}]')],
        ':1:1 not a trackbench spill record: "tags[0].value" must be a string; got a list',
      ],
      [
        [run('[]'), '{"type":"params","run":"r","items":[{"key":"p","value":"v"},{"key":"q","value":5}]}'],
        ':2:1 not a trackbench spill record: "items[1].value" must be a string; got 5',
      ],
      [
        [run('[]'), '{"type":"tags","run":"r","items":[{"key":"t","value":null}]}'],
        '"items[0].value" must be a string; got null',
      ],
      [
        [run('[]'), metric('"value":"s3cret","timestamp":1,"step":0')],
        '"items[0].value" must be a number; got a string',
      ],
      [
        [run('[]'), metric('"value":1,"timestamp":1e300,"step":0')],
        '"items[0].timestamp" must be an integer; got 1e+300',
      ],
      [[run('[]'), metric('"value":1,"timestamp":1')], '"items[0].step" must be an integer; got nothing'],
      [
        [run('[]').replace('"runId":null', '"runId":null,"maybeCreatedAt":"yesterday"')],
        ':1:1 not a trackbench spill record: "maybeCreatedAt" must be an integer (milliseconds)',
      ],
      [
        [run('[]').replace('"experimentName":"e"', '"experimentName":""')],
        ':1:1 not a trackbench spill record: "experimentName" is empty (the run is still to be made)',
      ],
      // no record at all (a hook never writes such a file): nothing to replay, and no journal saying so
      [[], 'holds no spill records: nothing to replay'],
    ];
    for (const [lines, message] of cases) {
      const file = spill(lines);
      const err: string[] = [];
      const io = { out: () => {}, err: (s: string) => void err.push(s), isTTY: false };
      expect(await main(['replay', file, '--tracking-uri', 'http://127.0.0.1:9'], io), message).toBe(2);
      expect(err.join('\n')).toContain(message);
      expect(err.join('\n')).not.toContain('s3cret');
      expect(existsSync(`${file}.journal`)).toBe(false);
    }
  });

  it('a file an editor saved with a byte-order mark is read as without it', () => {
    const file = spill([run('[{"key":"a","value":"b"}]'), metric('"value":1,"timestamp":1,"step":0')]);
    writeFileSync(file, `\uFEFF${readFileSync(file, 'utf8')}`);
    expect(readSpillFile(file).map((l) => l.record.type)).toEqual(['run', 'metrics']);
  });

  it('a last line cut short as it was written is left out and said; the records before it are replayed', async () => {
    const whole = [run('[]'), '{"type":"params","run":"r","items":[{"key":"p","value":"v"}]}'];
    const file = spill(whole);
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"type":"params","run":"r","items":[{"key":"q","val`);
    const cut: number[] = [];
    expect(readSpillFile(file, (line) => void cut.push(line)).map((l) => l.line)).toEqual([1, 2]);
    expect(cut).toEqual([3]);
    const server = await startHttpMock();
    try {
      const out: string[] = [];
      const err: string[] = [];
      const io = { out: (s: string) => void out.push(s), err: (s: string) => void err.push(s), isTTY: false };
      expect(await main(['replay', file, '--tracking-uri', server.trackingUri], io)).toBe(1);
      expect(out.join('\n')).toContain(': 1 params,');
      expect(out.join('\n')).toContain('line 3 was cut short as it was written: its values are lost');
      expect(err.join('\n')).toContain(`line 3 of ${file} was cut short as it was written`);
    } finally {
      await server.stop();
    }
    // with a line end after it, a line that is not JSON was written whole: not a spill record, as before
    writeFileSync(file, `${readFileSync(file, 'utf8')}\n`);
    expect(() => readSpillFile(file)).toThrow(`${file}:3:1 not a trackbench spill record: not JSON`);
  });

  it('what hooks write is read: NaN and the infinities spelt as strings, integer steps and times', () => {
    const file = spill([run('[{"key":"a","value":"b"}]'), metric('"value":"NaN","timestamp":1,"step":-1')]);
    const [, line] = readSpillFile(file);
    expect(line?.record).toMatchObject({ items: [{ key: 'm', value: NaN, timestamp: 1, step: -1 }] });
  });

  it('a record id given twice (or a written id equal to a line number one) is bad input at the second', async () => {
    // The journal keys what was delivered by id: the second record was skipped as delivered, its values lost.
    const params = (id: string): string => `{"type":"params","id":"${id}","run":"r","items":[{"key":"p","value":"v"}]}`;
    for (const [lines, message] of [
      [
        [run('[]').replace('{', '{"id":"a",'), params('a')],
        ':2:1 the record id "a" is line 1\'s too; each has its own',
      ],
      [[run('[]'), params('x'), params('line:1')], ':3:1 the record id "line:1" is line 1\'s too; each has its own'],
    ] as const) {
      const file = spill([...lines]);
      const err: string[] = [];
      const io = { out: () => {}, err: (s: string) => void err.push(s), isTTY: false };
      expect(await main(['replay', file, '--tracking-uri', 'http://127.0.0.1:9'], io), message).toBe(2);
      expect(err.join('\n')).toContain(message);
      expect(existsSync(`${file}.journal`)).toBe(false);
    }
  });
});
