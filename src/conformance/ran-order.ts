// Which nodes a `command:` target completed before its pipeline failed. A command may write the
// order its nodes started in (TRACKBENCH_NODES_FILE, one name a line): its runner's order can differ
// from trackbench's (Kedro sorts each level by name), so the index order would hold it to nodes it
// never ran. Without the file, nodes are taken to run in index order, as the contract says. A line may
// carry, after a tab, when the node started (Unix ms, the clock MLflow times are stamped with).
import { existsSync, readFileSync } from 'node:fs';
import type { Pipeline } from '../pipeline/types.ts';
import type { NodeWindow } from './types.ts';

export interface FailedRun {
  completedNodes: string[];
  failedNode?: string;
}

/** The nodes done before the failing node (a sequential run: each starts after the last one's outputs are saved). */
export function completedBeforeFailure(pipeline: Pipeline, started?: string[]): FailedRun {
  const at = pipeline.nodes.findIndex((n) => n.fails);
  const failing = pipeline.nodes[at];
  if (!failing) return { completedNodes: [] };
  if (started) {
    const known = new Set(pipeline.nodes.map((n) => n.name));
    // The failing node never started: the command failed otherwise; what started is all it ran.
    const before = started.includes(failing.name) ? started.slice(0, started.indexOf(failing.name)) : started;
    return { completedNodes: before.filter((n) => known.has(n)), failedNode: failing.name };
  }
  return { completedNodes: pipeline.nodes.slice(0, at).map((n) => n.name), failedNode: failing.name };
}

function lines(file: string): string[][] | undefined {
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => l.split('\t'));
}

/** The names a command wrote to its nodes file, or undefined when it wrote none. */
export function readStartedNodes(file: string): string[] | undefined {
  return lines(file)?.map(([name]) => name!);
}

/** When each node started, when every line of the file says (else undefined: the windows are unknown). */
export function readNodeStarts(file: string): NodeWindow[] | undefined {
  const rows = lines(file);
  if (!rows?.length) return undefined;
  const starts = rows.map(([node, ms]) => ({ node: node!, startMs: Number(ms) }));
  return starts.every((s) => Number.isInteger(s.startMs) && s.startMs > 0) ? starts : undefined;
}
