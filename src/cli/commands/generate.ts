import { Option, type Command } from 'commander';
import { summarize } from '../../pipeline/generate.ts';
import type { Io } from '../io.ts';
import { prepareScenario } from '../prepare.ts';

export function registerGenerate(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('generate')
    .description("generate the scenario's pipeline and print what it contains")
    .argument('<scenario>', 'scenario YAML file')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--full', 'with --format json: print the whole pipeline (nodes, edges, parameters), not only the counts')
    .action((file: string, opts: { format: 'text' | 'json'; full?: boolean }) => {
      const { pipeline } = prepareScenario(file);
      const s = summarize(pipeline);
      if (opts.format === 'json') {
        io.out(JSON.stringify(opts.full ? { summary: s, pipeline } : s));
      } else {
        const rows: [string, number][] = [
          ['nodes', s.nodes],
          ['edges', s.edges],
          ['depth (longest path, nodes)', s.depth],
          ['namespaces', s.namespaces],
          ['parameters', s.params],
          ['metric values', s.metrics],
          ['artifacts', s.artifacts],
          ['models', s.models],
        ];
        io.out(
          `pipeline "${pipeline.name}" (seed ${pipeline.seed})\n` +
            rows.map(([k, v]) => `  ${k.padEnd(28)} ${v}`).join('\n'),
        );
      }
      done(0);
    });
}
