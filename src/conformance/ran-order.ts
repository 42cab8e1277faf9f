// Which nodes a `command:` target completed before its pipeline failed. A command may write the
// order its nodes started in (TRACKBENCH_NODES_FILE, one name a line): its runner's order can differ
// from trackbench's (Kedro sorts each level by name), so the index order would hold it to nodes it
// never ran. Without the file, nodes are taken to run in index order, as the contract says. A line may
// carry, after a tab, when the node started and, after another, when it was done (Unix ms, the clock MLflow
// times are stamped with); `#runner` and `#pipeline` lines say which runner ran it and when (README).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import type { Pipeline } from '../pipeline/types.ts';
import type { NodeWindow, RunWindow } from './types.ts';

export interface FailedRun {
  completedNodes: string[];
  failedNode?: string;
}

/** The nodes done before the pipeline failed at `node` (a failing node, or one a hook failed it at), in the order
 * they started; if `node` never started, the command failed otherwise and what started is all it ran. */
export function completedBefore(node: string, started: string[] | undefined, pipeline: Pipeline): string[] {
  const known = new Set(pipeline.nodes.map((n) => n.name));
  const seen = started ?? [];
  return (seen.includes(node) ? seen.slice(0, seen.indexOf(node)) : seen).filter((n) => known.has(n));
}

/** The nodes done before the failing node (a sequential run: each starts after the last one's outputs are saved). */
export function completedBeforeFailure(pipeline: Pipeline, started?: string[]): FailedRun {
  const at = pipeline.nodes.findIndex((n) => n.fails);
  const failing = pipeline.nodes[at];
  if (!failing) return { completedNodes: [] };
  if (started) return { completedNodes: completedBefore(failing.name, started, pipeline), failedNode: failing.name };
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

/** Node lines only (a `#` line is a fact about the run). */
const nodeLines = (rows: string[][]): string[][] => rows.filter(([name]) => !name!.startsWith('#'));

/** The names a command wrote to its nodes file, in the order they first appear, or undefined when it wrote none. */
export function readStartedNodes(file: string): string[] | undefined {
  const rows = lines(file);
  return rows && [...new Set(nodeLines(rows).map(([name]) => name!))];
}

const isTime = (ms: number): boolean => Number.isInteger(ms) && ms > 0;

/**
 * When each node ran, when every node line says when it started (else undefined: the windows are unknown).
 * A node's first line gives its start; a line with a third field says it was done then (the latest such line
 * is its end). A node with no end line ends, as far as trackbench knows, when its pipeline run does.
 */
export function readNodeWindows(file: string): NodeWindow[] | undefined {
  const all = lines(file);
  const rows = all && nodeLines(all);
  if (!rows?.length) return undefined;
  const windows = new Map<string, NodeWindow>();
  for (const [node, start, end] of rows) {
    const startMs = Number(start);
    if (!isTime(startMs)) return undefined;
    const w = windows.get(node!) ?? { node: node!, startMs };
    windows.set(node!, w);
    if (end === undefined) continue;
    const endMs = Number(end);
    if (!isTime(endMs) || endMs < w.startMs) return undefined;
    w.endMs = Math.max(w.endMs ?? endMs, endMs);
  }
  return [...windows.values()];
}

/** The nodes a command has said done in its nodes file: those with an end line when it writes them (the witness
 * does, from after_node_run), else every one started before the last to start (a sequential runner starts a node
 * once the last is done). One rule for when to interrupt and for which nodes' child runs may say FINISHED. */
export function doneNodes(file: string): string[] {
  const ended = readNodeWindows(file)
    ?.filter((n) => n.endMs !== undefined)
    .map((n) => n.node);
  if (ended?.length) return ended;
  return (readStartedNodes(file) ?? []).slice(0, -1);
}

/** What a command said about its pipeline run. */
export interface RunFacts {
  /** The runner class that ran it (`#runner`). */
  runner?: string;
  /** When it ran (`#pipeline<TAB>start<TAB>end`, kept only when it is a window). */
  window?: RunWindow;
  /** Values handed to the hooks found changed (`#changed`), known when it compared any (`#digested<TAB>n`, n > 0:
   * a ParallelRunner's main process compares none, its workers' values are not seen). */
  changed?: string[];
  /** Node inputs a hook replaced with other content before the node ran (`#overridden`), known as `changed` is. */
  overridden?: string[];
  /** The node at which the runner's extra hook failed the pipeline, as TRACKBENCH_HOOK_ERROR_AT asked (`#injected`). */
  injected?: string;
}

export function readRunFacts(file: string): RunFacts {
  const facts: RunFacts = {};
  const changed: string[] = [];
  const overridden: string[] = [];
  for (const [key, a, b] of lines(file) ?? []) {
    if (key === '#runner' && a) facts.runner = a;
    if (key === '#changed' && a) changed.push(a);
    if (key === '#injected' && a) facts.injected = a;
    if (key === '#overridden' && a) overridden.push(a);
    if (key === '#digested' && Number(a) > 0) Object.assign(facts, { changed, overridden });
    const startMs = Number(a);
    const endMs = Number(b);
    if (key === '#pipeline' && isTime(startMs) && isTime(endMs) && endMs >= startMs) facts.window = { startMs, endMs };
  }
  return facts;
}

/** How many pipeline runs a command took on in its process (`#runs<TAB>n`, written before the first: it honours
 * TRACKBENCH_PIPELINE_RUNS) and how many it ran to their end (its `#pipeline` lines). */
export function pipelineRunsSaid(file: string): { tookOn?: number; ran: number } {
  let tookOn: number | undefined;
  let ran = 0;
  for (const [key, a] of lines(file) ?? []) {
    if (key === '#runs' && /^\d{1,3}$/.test(a ?? '')) tookOn = Number(a);
    if (key === '#pipeline') ran++;
  }
  return tookOn === undefined ? { ran } : { tookOn, ran };
}

/**
 * A nodes file of a command that ran its pipeline `asked` times in one process (TRACKBENCH_PIPELINE_RUNS), cut
 * into one file per run: a run's lines end with its `#pipeline` line. Lines after one that start no run (no node
 * and no `#runner` line: facts such as `#changed` written after it) stay with the run before. Returns the files
 * in run order; `file` itself when one run was asked or it holds one run or none.
 */
export function splitPipelineRuns(file: string, asked: number): string[] {
  if (asked <= 1 || !existsSync(file)) return [file];
  const runs: string[][] = [[]];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    runs[runs.length - 1]!.push(line);
    if (line.startsWith('#pipeline\t')) runs.push([]);
  }
  const startsRun = (lines: string[]): boolean => lines.some((l) => !l.startsWith('#') || l.startsWith('#runner\t'));
  const merged = runs.reduce<string[][]>((out, lines) => {
    if (out.length && !startsRun(lines)) out[out.length - 1]!.push(...lines);
    else if (lines.length) out.push(lines);
    return out;
  }, []);
  if (merged.length <= 1) return [file];
  return merged.map((lines, i) => {
    const part = `${file}.run${i + 1}`;
    writeFileSync(part, `${lines.join('\n')}\n`);
    return part;
  });
}
