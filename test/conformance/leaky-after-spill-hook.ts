// A hook module for a host-exit mutant: the reference hook, which after any run that spilled values
// starts a ref'd re-delivery timer it never stops (so the host stays alive after an outage).
import type { HookFactory, Hooks } from '../../src/pipeline/hooks.ts';
import { reportedStats } from '../../src/measure/hook-stats.ts';
import { BUILTIN_HOOKS } from '../../src/tracking/registry.ts';
import { leak } from './leaky-hook.ts';

const factory: HookFactory = async (options, ctx) => {
  const hooks = await BUILTIN_HOOKS.reference!.factory(options, ctx);
  const spilled = (): number => reportedStats({ name: 'reference', hooks })?.spilled ?? 0;
  const thenRedeliver =
    <A extends unknown[]>(end: ((...a: A) => unknown) | undefined) =>
    async (...a: A): Promise<void> => {
      await end?.(...a);
      if (spilled() > 0) leak();
    };
  const wrapped: Hooks = {
    ...hooks,
    afterPipelineRun: thenRedeliver(hooks.afterPipelineRun?.bind(hooks)),
    onPipelineError: thenRedeliver(hooks.onPipelineError?.bind(hooks)),
  };
  return wrapped;
};
export default factory;
