import { quotedInput } from '../../common/terminal-text.ts';
import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { InputError } from '../../errors.ts';
import { checkOutcome } from '../../gate/gate.ts';
import { shard, sweep, type SweepReport } from '../../measure/sweep.ts';
import { sweepTables } from '../../report/sweep.ts';
import { writeAtomic } from '../../report/write.ts';
import { writeHtmlReport } from '../html-output.ts';
import { progressReporter } from '../progress.ts';
import { widthOf, type Io } from '../io.ts';
import { assertDistinctOutputs, assertWritableDir, assertWritableFile } from '../paths.ts';
import { prepareSweep } from '../prepare.ts';
import { safeFileName, timestamped } from '../../common/file-names.ts';
import { plainNumber } from '../../common/env-number.ts';
import { commaList } from '../flags.ts';

function parseSizes(list: string): number[] {
  const sizes = commaList('--nodes', list).map(plainNumber);
  if (sizes.some((n) => !Number.isInteger(n) || n < 1 || n > 100_000))
    throw InputError.flag(
      '--nodes',
      `expected comma-separated node counts 1..100000, e.g. 50,500,5000; got ${quotedInput(list)}`,
    );
  // A size measured twice would be two points at one x: the growth fit would weigh it double.
  const twice = [...new Set(sizes.filter((n, i) => sizes.indexOf(n) !== i))];
  if (twice.length)
    throw InputError.flag(
      '--nodes',
      `each size once; ${twice.join(', ')} ${twice.length > 1 ? 'are' : 'is'} given more than once`,
    );
  return sizes;
}

export function writeSweep(report: SweepReport, out: string, suffix = ''): string {
  const dir = resolve(out);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${timestamped(`${safeFileName(report.scenario)}-sweep${suffix}`)}.json`);
  writeAtomic(file, `${JSON.stringify(report, null, 2)}\n`);
  return file;
}

export function registerSweep(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('sweep')
    .description(
      'run the same pipeline shape at several sizes; report overhead per node and the growth exponent of hook cost',
    )
    .argument('<scenario>', 'scenario YAML file')
    .requiredOption('--nodes <list>', 'node counts, e.g. 50,500,5000')
    .option('--quick', 'quick repetitions at each size')
    .option('--shard <i/n>', 'measure only this share of the sizes (for parallel CI jobs; join with trackbench merge)')
    .option('--out <dir>', 'where the sweep report goes', 'reports')
    .option('--html <file>', 'also write one self-contained HTML file: per-node cost against nodes, log-log, per hook')
    .action(
      async (file: string, opts: { nodes: string; quick?: boolean; shard?: string; out: string; html?: string }) => {
        const sizes = shard(parseSizes(opts.nodes), opts.shard);
        assertDistinctOutputs(
          [
            ['--out', opts.out],
            ['--html', opts.html],
          ],
          [['the scenario file', file]],
        );
        assertWritableDir(opts.out, '--out');
        assertWritableFile(opts.html, '--html');
        const { scenario } = prepareSweep(file, sizes);
        if (!sizes.length) {
          io.err(`--shard ${opts.shard}: no size of ${opts.nodes} falls to this shard; nothing to measure`);
          return done(0);
        }
        const progress = progressReporter(io);
        const report = await sweep(scenario, sizes, { quick: opts.quick, onProgress: (p) => progress.report(p) });
        progress.end();
        io.out(sweepTables(report, io.isTTY, widthOf(io)));
        io.out(
          `sweep report: ${writeSweep(report, opts.out, opts.shard ? `-shard${opts.shard.replace('/', 'of')}` : '')}`,
        );
        if (opts.html) writeHtmlReport(opts.html, [report], io);
        // A failed trial or a lost value is no figure: as in `run`, the sweep fails (the report says what it saw).
        const failed = report.points.flatMap((p) =>
          checkOutcome(p.report)
            .filter((c) => c.status === 'fail')
            .map((c) => `${p.nodes} nodes: ${c.id}: ${c.found}`),
        );
        if (failed.length) io.out(`FAIL: trackbench sweep of ${report.scenario}\n  ${failed.join('\n  ')}`);
        done(failed.length ? 1 : 0);
      },
    );
}
