// Requirements: hooks observe. Kedro hands hooks the very objects the pipeline runs on (parameters,
// each node's inputs and outputs); a hook that changes one changes what the nodes compute and save.
import type { Requirement } from '../types.ts';
import { list, skip, verdict } from './queries.ts';

export const HOOKS: Requirement[] = [
  {
    id: 'HKS-001',
    source:
      "Kedro hook spec (kedro.framework.hooks.specs): hooks receive the node's inputs and outputs to observe; " +
      'only before_node_run may change inputs, by returning a dictionary of overrides',
    level: 'MUST',
    scenario: 'every',
    features: ['every situation', 'parameters, inputs and outputs digested before and after the hooks'],
    statement:
      'In every situation, no hook call changes the data it is given: the parameters and every input and output ' +
      'of every node have the same content after the run as when they were handed over (deep compare).',
    rationale:
      'A tracking hook that "normalises" an input in place (a parameter made a string, a metric rounded) changes ' +
      'what the node computes and what is saved, silently, and only when tracking is on.',
    check: (o) => {
      const changed = o.hookChanges;
      if (!changed)
        return skip(
          'no value changed by a hook',
          'the hook runs in a process of its own (host-exit, or a command that does not say, as the Python ' +
            "helper's witness does: `#digested` in its nodes file): trackbench does not see its data",
        );
      return verdict(
        changed.length === 0,
        'parameters, inputs and outputs unchanged',
        changed.length ? `changed: ${list(changed)}` : 'unchanged',
      );
    },
  },
  {
    id: 'HKS-002',
    source:
      "Kedro hook spec: before_node_run may return overrides for the node's inputs; kedro-mlflow's " +
      'MlflowHook.before_node_run logs parameters and returns nothing',
    level: 'MUST',
    // Healthy situations, in every mode (a hook that overrides only when it truncates or flattens shows there).
    scenario: 'healthy',
    features: ['every healthy situation', "each node's inputs as handed to the hooks and as called with"],
    dependsOn: ['childRunPerNode', 'long_params_strategy', 'flatten'],
    statement:
      'In every healthy situation and mode, every node is called with the inputs the catalogue loaded for it: ' +
      'a tracking hook returns no input overrides of other content (a value cut, flattened or converted for ' +
      'logging stays in the log).',
    rationale:
      'An override changes what the node computes and saves, only when tracking is on: a truncated or flattened ' +
      'parameter logged is fine, the same value handed back to the node is not.',
    check: (o) => {
      const over = o.inputOverrides;
      if (!over)
        return skip(
          'no input overridden',
          'the hook runs in a process of its own: trackbench does not see what its nodes were called with',
        );
      return verdict(
        over.length === 0,
        'every node called with its loaded inputs',
        over.length ? `overridden: ${list(over)}` : 'none overridden',
      );
    },
  },
];
