// Input files (scenarios, mlflow.yml, reports, spill files, history) are read whole, but only regular
// files, and only so much: opening a FIFO blocks until someone writes to it, and /dev/zero never ends
// (either would hang trackbench past SIGTERM, in a synchronous read).
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { InputError } from '../errors.ts';
import { codeOf } from './caught.ts';
import { utf8Problem } from './utf8.ts';
import { MAX_YAML_BYTES } from './validate-yaml.ts';

/** Why an input file was not read; the message is fit to follow the file's name. */
export class UnreadableInput extends Error {
  /** Where in the file, when the problem is in its text (bytes that are not UTF-8). */
  readonly at?: { line: number; col: number };
  constructor(message: string, at?: { line: number; col: number }) {
    super(message);
    this.name = 'UnreadableInput';
    if (at) this.at = at;
  }
}

/** Reports and history stores: generous, but bounded. */
export const MAX_JSON_INPUT_BYTES = 512 * 1024 * 1024;

/** The file's text; throws UnreadableInput unless it is a regular file of at most `maxBytes`, all UTF-8. */
export function readInputText(file: string, maxBytes: number): string {
  let fd: number;
  try {
    // O_NONBLOCK: a FIFO opens at once instead of waiting for a writer (it is then refused below).
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    const code = codeOf(err);
    throw new UnreadableInput(code === 'ENOENT' ? 'no such file' : `cannot be read (${code ?? String(err)})`);
  }
  try {
    const stat = fstatSync(fd);
    if (stat.isDirectory()) throw new UnreadableInput('a folder, not a file');
    if (!stat.isFile()) throw new UnreadableInput('not a regular file (a pipe, socket or device)');
    const tooLarge = (): UnreadableInput => new UnreadableInput(`larger than ${maxBytes} bytes, the most read`);
    if (stat.size > maxBytes) throw tooLarge();
    // Read to the end, not to stat's size: some files (under /proc) say 0 bytes and have more.
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(Math.min(Math.max(stat.size - total, 0) + 65536, maxBytes + 1 - total));
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
      total += n;
      if (total > maxBytes) throw tooLarge();
    }
    const bytes = Buffer.concat(chunks, total);
    const bad = utf8Problem(bytes);
    if (bad) throw new UnreadableInput(bad.message, { line: bad.line, col: bad.col });
    return bytes.toString('utf8');
  } catch (err) {
    if (err instanceof UnreadableInput) throw err;
    throw new UnreadableInput(`cannot be read (${codeOf(err) ?? String(err)})`);
  } finally {
    closeSync(fd);
  }
}

/** The file's text, or an InputError naming it and why it was not read. */
export function readInput(file: string, maxBytes: number): string {
  try {
    return readInputText(file, maxBytes);
  } catch (err) {
    if (err instanceof UnreadableInput) throw new InputError([{ file, ...err.at, message: err.message }]);
    throw err;
  }
}

/** A YAML input: up to four bytes a character, so parseYaml's own limit (in characters) says what is too long. */
export const readYamlInput = (file: string): string => readInput(file, 4 * MAX_YAML_BYTES);
