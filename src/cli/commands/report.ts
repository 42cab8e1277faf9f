import type { Command } from 'commander';
import { writeHtmlReport } from '../html-output.ts';
import { assertDistinctOutputs, assertWritableFile } from '../paths.ts';
import type { Io } from '../io.ts';
import { readDocument } from '../../report/read.ts';

export function registerReport(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('report')
    .description('render saved JSON reports (run, sweep, conformance, gate, merged runs) into one HTML file')
    .argument('<files...>', 'JSON reports written by run, sweep, conformance, merge or --gate-json')
    .requiredOption('--html <file>', 'the HTML file to write (self-contained: opens offline)')
    .action((files: string[], opts: { html: string }) => {
      assertDistinctOutputs(
        [['--html', opts.html]],
        files.map((f): [string, string] => ['an input report', f]),
      );
      assertWritableFile(opts.html, '--html');
      writeHtmlReport(
        opts.html,
        files.map((f) => readDocument(f)),
        io,
      );
      done(0);
    });
}
