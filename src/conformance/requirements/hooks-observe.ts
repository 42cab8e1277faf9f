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
];
