// A hook that logs nothing anywhere: it writes down every call it receives, in order.
// Used to show (and test) the exact lifecycle the runner drives.
import { HOOK_METHODS, type Hooks, type HookMethod } from '../../pipeline/hooks.ts';
import type { PipelineNode } from '../../pipeline/types.ts';

export interface RecordedCall {
  method: HookMethod;
  /** The node's name or dataset name the call is about, when it has one. */
  subject?: string;
}

export interface RecorderHooks extends Hooks {
  readonly calls: RecordedCall[];
}

export function createRecorder(): RecorderHooks {
  const calls: RecordedCall[] = [];
  const hooks: Partial<Record<HookMethod, (...args: unknown[]) => void>> = {};
  for (const method of HOOK_METHODS) {
    hooks[method] = (...args: unknown[]) => calls.push({ method, subject: subjectOf(method, args) });
  }
  // every hook method was filled in above
  return Object.assign(hooks as Hooks, { calls });
}

function subjectOf(method: HookMethod, args: unknown[]): string | undefined {
  // argument positions by Kedro's hook signatures (src/pipeline/hooks.ts)
  if (method.includes('Dataset')) return args[0] as string;
  if (method === 'beforeNodeRun' || method === 'afterNodeRun') return (args[0] as PipelineNode).name;
  if (method === 'onNodeError') return (args[1] as PipelineNode).name;
  return undefined;
}

export function formatCall(c: RecordedCall): string {
  return c.subject ? `${c.method} ${c.subject}` : c.method;
}
