// --html and the other single-file outputs: checked before minutes of measuring, written whole
// (temp file + rename) at the end.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { renderHtml, writeHtml, type HtmlDocument } from '../report/html/index.ts';
import type { Io } from './io.ts';

/** Fails now, naming the flag, when `file` could not be written later. */
export function assertWritableFile(flag: string, file: string | undefined): void {
  if (!file) return;
  const path = resolve(file);
  if (existsSync(path) && statSync(path).isDirectory()) throw InputError.flag(flag, `${file} is a folder, not a file`);
  let dir = dirname(path);
  while (!existsSync(dir)) dir = dirname(dir);
  if (!statSync(dir).isDirectory()) throw InputError.flag(flag, `cannot write ${file}: ${dir} is not a folder`);
  try {
    accessSync(dir, constants.W_OK);
  } catch {
    throw InputError.flag(flag, `cannot write ${file}: ${dir} is not writable`);
  }
}

export function writeHtmlReport(file: string, docs: HtmlDocument[], io: Io): void {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  writeHtml(path, renderHtml(docs));
  io.out(`html: ${file}`);
}
