// The watch for work hooks leave pending, as `run` (trial-worker.ts) and `trace` (trace.ts) begin it.
import type { HookRef } from '../scenario/types.ts';
import { isTypeScriptModule, primeTypeScriptSupport } from '../tracking/registry.ts';
import { watchPendingWork, type PendingWorkWatch } from './pending-work.ts';

/**
 * Begins the watch before any of `refs` is loaded, so the worker threads a hook starts are followed from their
 * start; and after tsx is loaded if one is a TypeScript module, so the threads tsx keeps are not the hook's. `run`
 * passes the scenario's hooks, not the trial's: tsx is then loaded in every variant of such a scenario, so its
 * memory is in the baseline too and the overhead is the hook's own.
 */
export async function watchHooksPendingWork(refs: readonly HookRef[]): Promise<PendingWorkWatch> {
  if (refs.some(isTypeScriptModule)) await primeTypeScriptSupport();
  return watchPendingWork();
}
