// A hook module for a host-exit mutant: the reference hook with a heartbeat timer started with the
// pipeline and cleared only when it ends well; after a node or pipeline error it keeps the host alive.
import type { HookFactory } from '../../src/pipeline/hooks.ts';
import { BUILTIN_HOOKS } from '../../src/tracking/registry.ts';
import { leak } from './leaky-hook.ts';

const factory: HookFactory = async (options, ctx) => {
  const hooks = await BUILTIN_HOOKS.reference!.factory(options, ctx);
  let beat: NodeJS.Timeout | undefined;
  return {
    ...hooks,
    beforePipelineRun: (...a) => {
      beat = leak();
      return hooks.beforePipelineRun?.(...a);
    },
    afterPipelineRun: (...a) => {
      clearInterval(beat);
      return hooks.afterPipelineRun?.(...a);
    },
  };
};
export default factory;
