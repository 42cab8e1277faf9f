import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../errors.ts';
import { environmentWarning, type MeasuredOn } from '../../measure/environment.ts';
import { runShardProblems } from '../../measure/shards.ts';
import { mergeSweeps, type SweepReport } from '../../measure/sweep.ts';
import { markdownReport } from '../../report/markdown.ts';
import { sweepTables } from '../../report/sweep.ts';
import type { Report } from '../../measure/report-types.ts';
import { readDocument, reportLocator } from '../../report/read.ts';
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
      const locate = reportLocator();
      const kind = docs[0]?.kind;
      const mixed = docs.findIndex((d) => d.kind !== kind);
      if (mixed > 0)
        throw new InputError([
          locate(
            files[mixed] ?? '',
            ['kind'],
            `cannot merge different kinds of report: "${docs[mixed]?.kind}" here, "${kind}" in ${files[0]}`,
          ),
        ]);
      /** Reports of different environments or trackbench versions are merged, with a warning (as `compare` does). */
      const warnEnvironments = (measured: MeasuredOn[]): void => {
        const [base, ...rest] = measured;
        for (const [i, e] of rest.entries()) {
          const warning = base && environmentWarning(base, e, `${files[0]} and ${files[i + 1]}`);
          if (warning) io.out(warning);
        }
      };
      if (kind === 'trackbench-sweep') {
        // every document is a schema-checked sweep report (all of the first one's kind, checked above)
        const sweeps = docs as SweepReport[];
        const merged = mergeSweeps(sweeps, files, locate);
        // a sweep has one point at least (its schema says so)
        warnEnvironments(sweeps.map((s) => s.points[0]!.report));
        io.out(sweepTables(merged, io.isTTY, widthOf(io)));
        io.out(`merged report: ${writeSweep(merged, opts.out, '-merged')}`);
        return done(0);
      }
      // every document is a schema-checked run report (all of the first one's kind, checked above)
      const reports = docs as Report[];
      const names = reports.map((r) => r.scenario.name);
      const problems = runShardProblems(reports, files, locate);
      if (problems.length) throw new InputError(problems);
      warnEnvironments(reports);
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
