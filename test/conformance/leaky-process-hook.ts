// A hook module for a host-exit mutant: the reference hook, plus a helper process started with the run and
// never stopped (unref'd, so the host still exits by itself and the helper outlives it).
import { spawn, type ChildProcess } from 'node:child_process';
import type { HookFactory } from '../../src/pipeline/hooks.ts';
import { BUILTIN_HOOKS } from '../../src/tracking/registry.ts';

const helpers: ChildProcess[] = [];

const factory: HookFactory = async (options, ctx) => {
  const hooks = await BUILTIN_HOOKS.reference!.factory(options, ctx);
  return {
    ...hooks,
    beforePipelineRun(...args) {
      // Short-lived, so one left by a test that hosted the hook in-process ends by itself too.
      const helper = spawn('sleep', ['8'], { stdio: 'ignore' });
      helper.unref();
      helpers.push(helper);
      return hooks.beforePipelineRun?.(...args);
    },
  };
};
export default factory;

/** Stops the helpers started in this process (a test that hosted the hook in-process calls it). */
export function stopHelpers(): void {
  for (const h of helpers.splice(0)) h.kill('SIGKILL');
}
