import type { Command } from 'commander';
import { summarize } from '../../pipeline/generate.ts';
import type { Io } from '../io.ts';
import { prepareScenario } from '../prepare.ts';

export function registerValidate(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('validate')
    .description('check a scenario file against scenarios/scenario.schema.json and the hooks it names')
    .argument('<scenario>', 'scenario YAML file')
    .action((file: string) => {
      const { scenario, pipeline } = prepareScenario(file);
      const s = summarize(pipeline);
      io.out(
        `${file}: ok (scenario "${scenario.name}", ${s.nodes} nodes, ${s.edges} edges, hooks: ` +
          `${scenario.hooks.map((h) => h.label).join(', ')})`,
      );
      done(0);
    });
}
