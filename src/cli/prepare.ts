// The checks every command that takes a scenario runs first: load and validate the file,
// check the hooks it names, generate the pipeline and check what needs the generated names.
import { resolve } from 'node:path';
import { InputError, type Diagnostic } from '../errors.ts';
import { commaList } from './flags.ts';
import { generatePipeline } from '../pipeline/generate.ts';
import type { Pipeline } from '../pipeline/types.ts';
import { checkSemantics, loadScenarioFile } from '../scenario/load.ts';
import type { HookRef, Scenario } from '../scenario/types.ts';
import { sortByPosition, type Locate } from '../common/validate-yaml.ts';
import { quotedInput } from '../common/terminal-text.ts';
import { checkHookRefs } from '../tracking/registry.ts';

export interface Prepared {
  scenario: Scenario;
  pipeline: Pipeline;
  /** Points at a field of the scenario's file (a later check's finding). */
  locate: Locate;
}

export function prepareScenario(file: string): Prepared {
  const semantic: Diagnostic[] = [];
  const { scenario, locate } = loadScenarioFile(file, semantic);
  const problems = [...semantic, ...checkHookRefs(scenario, locate)];
  // Nothing is generated from a scenario with problems of its own (it may be over the size budget).
  if (semantic.length) throw new InputError(sortByPosition(problems));
  const pipeline = generatePipeline(scenario.pipeline);
  const failAt = scenario.pipeline.failAt;
  if (typeof failAt === 'string' && !pipeline.nodes.some((n) => n.name === failAt)) {
    const sample = pipeline.nodes
      .slice(0, 3)
      .map((n) => n.name)
      .join(', ');
    problems.push(locate(['pipeline', 'failAt'], `no node is named "${failAt}" (names look like: ${sample}, ...)`));
  }
  if (problems.length) throw new InputError(sortByPosition(problems));
  return { scenario, pipeline, locate };
}

/** The scenario for a sweep: checked again at each size (bounds and budgets depend on the node count). */
export function prepareSweep(file: string, sizes: number[]): Prepared {
  const prepared = prepareScenario(file);
  const { scenario, locate } = prepared;
  const problems = sizes.flatMap((nodes) =>
    checkSemantics({ ...scenario, pipeline: { ...scenario.pipeline, nodes } }, locate).map((d) => ({
      ...d,
      message: `at ${nodes} nodes (--nodes): ${d.message}`,
    })),
  );
  if (problems.length) throw new InputError(sortByPosition(problems));
  return prepared;
}

/** The hooks a --hook list names (blanks around each dropped; an empty one refused). */
export function hookNames(list: string): string[] {
  return commaList('--hook', list);
}

/** The scenario with the hooks named on the command line, checked like the scenario's own. */
export function withHooks(scenario: Scenario, list: string): Scenario {
  const names = hookNames(list);
  const hooks = names.map((name) => scenario.hooks.find((h) => h.label === name) ?? fromCommandLine(name));
  const next = { ...scenario, hooks };
  const problems = checkHookRefs(next, (path, message) => ({
    file: '--hook',
    message: `${quotedInput(hooks[Number(path[1])]?.label ?? '')}: ${message}`,
  }));
  if (problems.length) throw new InputError(problems);
  return next;
}

/** A hook named on the command line; a module path is relative to the current folder, as for `conformance --target`. */
export function fromCommandLine(name: string): HookRef {
  const path = name.startsWith('module:') ? name.slice('module:'.length) : undefined;
  return { name: path === undefined ? name : `module:${resolve(path)}`, label: name, options: {} };
}
