import { mkdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../errors.ts';
import { mergeSweeps, type SweepReport } from '../../measure/sweep.ts';
import { markdownReport } from '../../report/markdown.ts';
import { sweepTables } from '../../report/sweep.ts';
import type { Report } from '../../measure/report-types.ts';
import { readReport, writeAtomic } from '../../report/write.ts';
import type { Io } from '../io.ts';
import { assertWritableDir } from '../paths.ts';
import { writeSweep } from './sweep.ts';
import { timestamped } from '../../common/file-names.ts';

function kindOf(file: string): string {
  try {
    return String((JSON.parse(readFileSync(file, 'utf8')) as { kind?: unknown }).kind);
  } catch (err) {
    throw new InputError([{ file, message: `not a readable JSON report: ${(err as Error).message}` }]);
  }
}

export function registerMerge(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('merge')
    .description(
      'join the reports of sharded jobs into one: sweep reports (growth recomputed) ' +
        'or run reports (one bundle, one Markdown)',
    )
    .argument('<files...>', 'reports written by `trackbench sweep --shard` or `trackbench run --shard`')
    .option('--out <dir>', 'where the merged report goes', 'reports')
    .action((files: string[], opts: { out: string }) => {
      assertWritableDir(opts.out, '--out');
      const kinds = new Set(files.map(kindOf));
      if (kinds.size !== 1)
        throw new InputError([
          { file: files.join(', '), message: `cannot merge different kinds of report: ${[...kinds].join(', ')}` },
        ]);
      if (kinds.has('trackbench-sweep')) {
        const merged = mergeSweeps(
          files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as SweepReport),
          files,
        );
        io.out(sweepTables(merged, io.isTTY));
        io.out(`merged report: ${writeSweep(merged, opts.out, '-merged')}`);
        return done(0);
      }
      if (!kinds.has('trackbench-run'))
        throw new InputError([
          { file: files[0]!, message: `not a trackbench run or sweep report (kind ${[...kinds][0]})` },
        ]);
      const reports: Report[] = files.map(readReport);
      const names = reports.map((r) => r.scenario.name);
      const dup = names.filter((n, i) => names.indexOf(n) !== i);
      if (dup.length)
        throw new InputError([
          { file: files.join(', '), message: `scenario measured twice: ${[...new Set(dup)].join(', ')}` },
        ]);
      const dir = resolve(opts.out);
      mkdirSync(dir, { recursive: true });
      const base = join(dir, timestamped('runs-merged'));
      writeAtomic(
        `${base}.json`,
        `${JSON.stringify({ kind: 'trackbench-run-set', schemaVersion: 1, reports }, null, 2)}\n`,
      );
      writeAtomic(`${base}.md`, reports.map(markdownReport).join('\n'));
      io.out(`merged ${reports.length} run reports (${names.join(', ')}): ${base}.json, ${base}.md`);
      done(0);
    });
}
