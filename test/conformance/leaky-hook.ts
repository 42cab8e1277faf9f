// A hook module for the host-exit mutant: the reference hook, plus a timer it never clears (so the
// process hosting it cannot exit by itself).
import type { HookFactory } from '../../src/pipeline/hooks.ts';
import { BUILTIN_HOOKS } from '../../src/tracking/registry.ts';

const leaks: NodeJS.Timeout[] = [];

/** A ref'd timer, kept so a test that hosted the hook in-process can stop it. */
export function leak(): NodeJS.Timeout {
  const t = setInterval(() => {}, 1000);
  leaks.push(t);
  return t;
}

const factory: HookFactory = async (options, ctx) => {
  leak();
  return BUILTIN_HOOKS.reference!.factory(options, ctx);
};
export default factory;

/** Clears what the hook left running in this process (a test that hosted it in-process calls it). */
export function stopLeaks(): void {
  for (const t of leaks.splice(0)) clearInterval(t);
}
