// --html: the report drawn into one self-contained file, written whole (temp file + rename). The
// path is checked before any work with assertWritableFile (paths.ts).
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { renderHtml, writeHtml, type HtmlDocument } from '../report/html/index.ts';
import type { Io } from './io.ts';

export function writeHtmlReport(file: string, docs: HtmlDocument[], io: Io): void {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  writeHtml(path, renderHtml(docs));
  io.out(`html: ${file}`);
}
