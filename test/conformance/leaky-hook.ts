// A hook module for the host-exit mutant: the reference hook, plus a timer it never clears (so the
// process hosting it cannot exit by itself).
import type { HookFactory } from '../../src/pipeline/hooks.ts';
import { BUILTIN_HOOKS } from '../../src/tracking/registry.ts';

const factory: HookFactory = async (options, ctx) => {
  setInterval(() => {}, 1000);
  return BUILTIN_HOOKS.reference!.factory(options, ctx);
};
export default factory;
