import { quotedInput } from '../../common/terminal-text.ts';
import type { Command } from 'commander';
import { InputError } from '../../errors.ts';
import { benchHooks } from '../../measure/bench.ts';
import { BUILTIN_HOOKS } from '../../tracking/registry.ts';
import { fitTable } from '../../report/fit.ts';
import { widthOf, type Io } from '../io.ts';
import { prepareScenario } from '../prepare.ts';
import { plainNumber } from '../../common/env-number.ts';
import { commaList } from '../flags.ts';

export function registerBench(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('bench')
    .description('micro-benchmark each hook method call (tinybench) against the in-process mock')
    .argument('[scenario]', 'scenario whose pipeline shape to use', 'scenarios/overhead-table.yaml')
    .option('--hook <names>', 'comma-separated built-in tracking hooks', 'reference,naive,kedro-mlflow-like')
    .option('--time <ms>', 'time per benchmark task', '500')
    .option('--format <format>', 'text or json', 'text')
    .action(async (file: string, opts: { hook: string; time: string; format: string }) => {
      const hooks = commaList('--hook', opts.hook);
      const unknown = hooks.filter((h) => !BUILTIN_HOOKS[h]?.tracking);
      if (unknown.length)
        throw InputError.flag('--hook', `not a built-in tracking hook: ${unknown.map(quotedInput).join(', ')}`);
      const time = plainNumber(opts.time);
      // at most 10 minutes a task: a typo (1e400, Infinity) must not run for ever
      if (!(time >= 10 && time <= 600_000))
        throw InputError.flag('--time', `expected milliseconds from 10 to 600000; got ${quotedInput(opts.time)}`);
      if (opts.format !== 'text' && opts.format !== 'json')
        throw InputError.flag('--format', `expected text or json; got ${quotedInput(opts.format)}`);
      const rows = await benchHooks(prepareScenario(file).scenario, hooks, time);
      if (opts.format === 'json') io.out(JSON.stringify(rows));
      else {
        const table = rows.map((r) => [
          r.hook,
          r.method,
          r.meanUs.toFixed(1),
          r.p99Us.toFixed(1),
          `±${r.rme.toFixed(1)}%`,
          String(r.samples),
        ]);
        const head = ['hook', 'method', 'mean (µs)', 'p99 (µs)', 'rme', 'samples'];
        io.out(fitTable({ head, rows: table, stub: 2 }, widthOf(io), io.isTTY));
      }
      done(0);
    });
}
