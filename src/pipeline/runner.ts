// Node scheduling: sequential (index order, which is topological) or parallel with bounded
// concurrency (a node starts once every node it depends on has finished).
import type { RunnerSpec } from '../scenario/types.ts';
import type { DataCatalog } from './catalog.ts';
import type { HookManager } from './hooks.ts';
import { runNode } from './node-run.ts';
import type { Pipeline } from './types.ts';

export interface NodeScheduler {
  (pipeline: Pipeline, catalog: DataCatalog, hooks: HookManager, runId: string): Promise<number>;
}

export function schedulerFor(spec: RunnerSpec): NodeScheduler {
  return spec.kind === 'parallel' ? (p, c, h, r) => runParallel(p, c, h, r, spec.concurrency) : runSequential;
}

export async function runSequential(
  pipeline: Pipeline,
  catalog: DataCatalog,
  hooks: HookManager,
  runId: string,
): Promise<number> {
  for (const node of pipeline.nodes) await runNode(node, catalog, hooks, runId);
  return pipeline.nodes.length;
}

/** On the first failure no new node starts; nodes already running finish; then the failure is thrown. */
export async function runParallel(
  pipeline: Pipeline,
  catalog: DataCatalog,
  hooks: HookManager,
  runId: string,
  concurrency: number,
): Promise<number> {
  const n = pipeline.nodes.length;
  const waitingOn = new Array<number>(n).fill(0);
  const successors: number[][] = Array.from({ length: n }, () => []);
  for (const [from, to] of pipeline.edges) {
    // edges join indices 0..n-1, so every array index here is in range
    waitingOn[to]!++;
    successors[from]!.push(to);
  }
  const ready: number[] = [];
  for (let i = 0; i < n; i++) if (waitingOn[i] === 0) ready.push(i);

  let done = 0;
  let failure: { error: unknown } | undefined;
  const running = new Set<Promise<void>>();

  while (done < n && !failure) {
    while (ready.length && running.size < concurrency && !failure) {
      // ready.length checked by the loop
      const index = ready.shift()!;
      const task: Promise<void> = runNode(pipeline.nodes[index]!, catalog, hooks, runId).then(
        () => {
          done++;
          // index and s are node indices 0..n-1, and both arrays have n entries
          for (const s of successors[index]!) if (--waitingOn[s]! === 0) ready.push(s);
        },
        (error: unknown) => {
          failure ??= { error };
        },
      );
      const tracked = task.finally(() => running.delete(tracked));
      running.add(tracked);
    }
    if (running.size === 0) break;
    await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
  if (done < n) throw new Error(`parallel runner stalled after ${done} of ${n} nodes (the graph has a cycle?)`);
  return done;
}
