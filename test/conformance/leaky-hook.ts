// A hook module for the host-exit mutant: the reference hook, plus a timer it never clears (so the
// process hosting it cannot exit by itself).
import type { HookFactory } from '../../src/pipeline/hooks.ts';
import { BUILTIN_HOOKS } from '../../src/tracking/registry.ts';

const leaks: NodeJS.Timeout[] = [];

const factory: HookFactory = async (options, ctx) => {
  leaks.push(setInterval(() => {}, 1000));
  return BUILTIN_HOOKS.reference!.factory(options, ctx);
};
export default factory;

/** Clears what the hook left running in this process (a test that hosted it in-process calls it). */
export function stopLeaks(): void {
  for (const t of leaks.splice(0)) clearInterval(t);
}
