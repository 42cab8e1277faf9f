// The reference hook with a fixed extra computation after each node: `extraIterations` steps of the
// pipeline's own deterministic work loop (spin). With 0 it is the reference hook through a module
// path and the same wrapper; scripts/instruction-gate.ts sets the count that makes the hook 1% more expensive in
// instructions. Plain JavaScript over the compiled package (npm run build), so trials need no tsx.
import { spin } from '../dist/pipeline/work.js';
import { BUILTIN_HOOKS } from '../dist/tracking/registry.js';

/** @type {import('../src/pipeline/hooks.ts').HookFactory} */
export default async function costlierReference(options, context) {
  const { extraIterations = 0, ...referenceOptions } = options;
  if (!Number.isInteger(extraIterations) || extraIterations < 0)
    throw new Error(`extraIterations must be an integer >= 0, got ${JSON.stringify(extraIterations)}`);
  const hooks = await BUILTIN_HOOKS.reference.factory(referenceOptions, context);
  // Wrapped with 0 too: without the wrapper in the baseline, the "+1%" hook read +1.37% and +1.40% for
  // a loop of 1.00% (the wrapper's own call, about 6k instructions a node).
  const afterNodeRun = hooks.afterNodeRun?.bind(hooks);
  return {
    ...hooks,
    afterNodeRun(...args) {
      spin(extraIterations);
      return afterNodeRun?.(...args);
    },
  };
}
