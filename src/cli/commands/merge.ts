import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../errors.ts';
import { mergeSweeps, type SweepReport } from '../../measure/sweep.ts';
import { markdownReport } from '../../report/markdown.ts';
import { sweepTables } from '../../report/sweep.ts';
import type { Report } from '../../measure/report-types.ts';
import { readDocument } from '../../report/read.ts';
import { writeAtomic } from '../../report/write.ts';
import { widthOf, type Io } from '../io.ts';
import { assertWritableDir } from '../paths.ts';
import { writeSweep } from './sweep.ts';
import { timestamped } from '../../common/file-names.ts';

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
      const docs = files.map((f) => readDocument(f, ['trackbench-run', 'trackbench-sweep']));
      const kinds = new Set(docs.map((d) => d.kind));
      if (kinds.size !== 1)
        throw new InputError([
          { file: files.join(', '), message: `cannot merge different kinds of report: ${[...kinds].join(', ')}` },
        ]);
      if (kinds.has('trackbench-sweep')) {
        // every document is a schema-checked sweep report (the kinds read above)
        const merged = mergeSweeps(docs as SweepReport[], files);
        io.out(sweepTables(merged, io.isTTY, widthOf(io)));
        io.out(`merged report: ${writeSweep(merged, opts.out, '-merged')}`);
        return done(0);
      }
      // every document is a schema-checked run report (the kinds read above)
      const reports = docs as Report[];
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
