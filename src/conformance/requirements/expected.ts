// What each pipeline run must hold, computed by trackbench from the values the pipeline produced
// and the target's parameter settings (independently of any hook's code): which MLflow run each
// node's values belong in, the exact parameter forms, metric histories and file hashes.
import { createHash } from 'node:crypto';
import { LIMITS, pythonSlice } from '../../mlflow/limits.ts';
import type { RunState } from '../../mlflow/readback.ts';
import { isMapping, resolveParam } from '../../pipeline/params.ts';
import type { ParamValue, PipelineNode } from '../../pipeline/types.ts';
import { fileFill } from '../../pipeline/work.ts';
import { isLongParam, sameValue } from '../../tracking/params.ts';
import { pythonStr } from '../../tracking/python-str.ts';
import type { Observation, ParamsConfig } from '../types.ts';
import { expectedParams, nodeNameOf, tag } from './queries.ts';

export { sameValue };

/** One pipeline run as it reached MLflow: its top-level run and the child runs under it. */
export interface PipelineRunView {
  top: RunState;
  family: RunState[];
  /** The run a node's values belong in: its child run when there is one, else the top-level run. */
  runFor(node: PipelineNode): RunState;
}

/** Every top-level run with the child runs under it, by start time (extra ones included). */
export function topRunViews(o: Observation): PipelineRunView[] {
  const tops = o.runs
    .filter((r) => !tag(r, 'mlflow.parentRunId'))
    .sort((a, b) => a.run.info.start_time - b.run.info.start_time);
  return tops.map((top) => {
    const kids = o.runs.filter((r) => tag(r, 'mlflow.parentRunId') === top.run.info.run_id);
    const byNode = new Map<string, RunState>();
    for (const k of kids) byNode.set(nodeNameOf(k), k);
    return { top, family: [top, ...kids], runFor: (node) => byNode.get(node.name) ?? top };
  });
}

/** How much a top-level run and its child runs hold: params, tags (but MLflow's own), metric values, files,
 * model versions. */
function holds(v: PipelineRunView): number {
  return v.family.reduce(
    (n, r) =>
      n +
      (r.run.data.params ?? []).length +
      (r.run.data.tags ?? []).filter((t) => !t.key.startsWith('mlflow.')).length +
      Object.values(r.metricHistory).reduce((m, h) => m + h.length, 0) +
      r.artifacts.length +
      r.modelVersions.length,
    0,
  );
}

/**
 * The top-level run of each pipeline run, in order. With more top-level runs than pipeline runs, those holding
 * the most (the earlier on a tie) stand for the pipeline runs and the others are extra: an extra run is RUN-001's
 * finding alone, and the per-run checks hold each pipeline run's own run to everything it must hold.
 */
export function pipelineRunViews(o: Observation): PipelineRunView[] {
  const all = topRunViews(o);
  if (all.length <= o.pipelineRuns) return all;
  const kept = new Set(
    all
      .map((v, i) => ({ v, i, n: holds(v) }))
      .sort((a, b) => b.n - a.n || a.i - b.i)
      .slice(0, o.pipelineRuns)
      .map((x) => x.v),
  );
  return all.filter((v) => kept.has(v));
}

/** Top-level runs beyond one per pipeline run (see pipelineRunViews). */
export function extraTopRuns(o: Observation): RunState[] {
  const kept = new Set(pipelineRunViews(o).map((v) => v.top));
  return topRunViews(o)
    .map((v) => v.top)
    .filter((r) => !kept.has(r));
}

/** The run of a situation's one pipeline run (an extra top-level run aside: RUN-001's finding). */
export function oneRun(o: Observation): RunState | undefined {
  return o.pipelineRuns === 1 ? pipelineRunViews(o)[0]?.top : undefined;
}

/** Nodes that ran to completion (their metrics, artifacts and models were produced). */
export function ranNodes(o: Observation): PipelineNode[] {
  return o.pipeline.nodes.filter((n) => o.completedNodes.includes(n.name));
}

/** Nodes whose parameters the hook received: those that ran, the failing node, the node an extra hook stopped. */
export function paramNodes(o: Observation): PipelineNode[] {
  return o.pipeline.nodes.filter(
    (n) => o.completedNodes.includes(n.name) || n.name === o.failedNode || n.index === o.hookErrorAt,
  );
}

export function nodeParams(o: Observation, node: PipelineNode): [string, ParamValue][] {
  return node.inputs
    .filter((i) => i.startsWith('params:'))
    .map((i) => [i.slice('params:'.length), resolveParam(o.pipeline.parameters, i)!]);
}

/** A value as it must appear in MLflow: as a param or a tag, with a matcher for its text. */
export interface ExpectedValue {
  key: string;
  as: 'param' | 'tag';
  matches(text: string): boolean;
  /** What was expected, for messages. */
  shown: string;
}

function flatten(key: string, v: ParamValue, c: ParamsConfig, depth = 0, keepEmpty = false): [string, ParamValue][] {
  if (!isMapping(v) || (depth > 0 && !c.recursive)) return [[key, v]];
  const entries = Object.entries(v);
  if (keepEmpty && !entries.length) return [[key, v]];
  return entries.flatMap(([k, x]) => flatten(`${key}${c.sep}${k}`, x, c, depth + 1, keepEmpty));
}

/** Where flattening finds an empty mapping: kedro-mlflow logs nothing there, a hook that logs it as `{}` logs
 * the value it was given (so it is not an invented parameter). */
export function emptyMappingKeys(key: string, v: ParamValue, c: ParamsConfig): string[] {
  if (!c.flatten) return [];
  return flatten(key, v, c, 0, true)
    .filter(([, x]) => isMapping(x) && Object.keys(x).length === 0)
    .map(([k]) => k);
}

/**
 * The produced parameters that must reach MLflow under the target's settings: flattening (kedro-mlflow's
 * _flatten_dict) turns an empty mapping into no key at all, so it has nothing to log.
 */
export function loggableParams(o: Observation): Map<string, ParamValue> {
  const c = paramsConfigFor(o, topRunViews(o));
  return new Map([...expectedParams(o)].filter(([k, v]) => !c.flatten || flatten(k, v, c).length > 0));
}

function textOf(v: ParamValue): string {
  return typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v);
}

/** The forms one produced parameter takes under a configuration; `fail` puts long values nowhere. */
export function expectedForms(key: string, v: ParamValue, c: ParamsConfig): ExpectedValue[] {
  const leaves = c.flatten ? flatten(key, v, c) : [[key, v] as [string, ParamValue]];
  return leaves.flatMap(([k, x]): ExpectedValue[] => {
    const text = textOf(x);
    if (!isLongParam(text)) return [{ key: k, as: 'param', matches: (t) => sameValue(x, t), shown: text }];
    // kedro-mlflow logs Python's str() of the value: a dict's differs from its JSON text
    const python = pythonStr(x);
    if (c.longStrategy === 'tag')
      return [{ key: k, as: 'tag', matches: (t) => t === text || t === python, shown: text }];
    if (c.longStrategy === 'truncate') {
      const cut = pythonSlice(text, LIMITS.paramValueLength);
      const pythonCut = pythonSlice(python, LIMITS.paramValueLength);
      return [{ key: k, as: 'param', matches: (t) => t === cut || t === pythonCut, shown: `${cut.length} characters` }];
    }
    return [];
  });
}

/** kedro-mlflow's defaults; for targets whose settings trackbench does not know, each of these is accepted. */
export const DEFAULT_PARAMS: ParamsConfig = { flatten: false, recursive: true, sep: '.', longStrategy: 'fail' };
const CANDIDATES: ParamsConfig[] = (['fail', 'tag', 'truncate'] as const).flatMap((longStrategy) => [
  { ...DEFAULT_PARAMS, longStrategy },
  { flatten: true, recursive: true, sep: '.', longStrategy },
  { flatten: true, recursive: false, sep: '.', longStrategy },
]);

/** Where the values of a run are, by key. */
export function valuesOf(r: RunState): { params: Map<string, string>; tags: Map<string, string> } {
  return {
    params: new Map((r.run.data.params ?? []).map((p) => [p.key, p.value])),
    tags: new Map((r.run.data.tags ?? []).map((t) => [t.key, t.value])),
  };
}

function found(e: ExpectedValue, r: RunState): boolean {
  const v = valuesOf(r);
  const text = (e.as === 'param' ? v.params : v.tags).get(e.key);
  return text !== undefined && e.matches(text);
}

/** The configuration the check holds a target to: its own when known, else the candidate that fits best. */
export function paramsConfigFor(o: Observation, views: PipelineRunView[]): ParamsConfig {
  if (o.paramsConfig) return o.paramsConfig;
  let best = DEFAULT_PARAMS;
  let bestHits = -1;
  for (const c of CANDIDATES) {
    let hits = 0;
    for (const view of views)
      for (const n of paramNodes(o))
        for (const [k, v] of nodeParams(o, n))
          for (const e of expectedForms(k, v, c)) if (found(e, view.runFor(n))) hits++;
    if (hits > bestHits) [best, bestHits] = [c, hits];
  }
  return best;
}

export function isFound(e: ExpectedValue, r: RunState): boolean {
  return found(e, r);
}

export const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** The hash of each file a node wrote, by dataset kind. */
export function nodeFiles(
  o: Observation,
  node: PipelineNode,
  kind: 'artifact' | 'model',
): { name: string; hash: string }[] {
  return node.outputs
    .filter((x) => o.pipeline.datasets[x]?.kind === kind)
    .map((name) => {
      const bytes = kind === 'artifact' ? node.artifactBytes : node.modelBytes;
      return { name, hash: sha256(Buffer.alloc(bytes, fileFill(name))) };
    });
}

/** A run's files (path -> hash) from the downloaded artifacts. */
export function runFiles(o: Observation, r: RunState): Map<string, string> {
  return new Map(o.artifactBytes.filter((a) => a.runId === r.run.info.run_id).map((a) => [a.path, sha256(a.bytes)]));
}

/** The run and path a model version's source points at, when it points into a run's artifacts. */
export function resolveSource(o: Observation, source: string): { run: RunState; path: string } | undefined {
  const m = source.match(/^runs:\/([^/]+)\/?(.*)$/);
  if (m) {
    const run = o.runs.find((r) => r.run.info.run_id === m[1]);
    return run ? { run, path: m[2]! } : undefined;
  }
  for (const run of o.runs) {
    const root = run.run.info.artifact_uri.replace(/\/$/, '');
    if (source === root || source.startsWith(`${root}/`)) return { run, path: source.slice(root.length + 1) };
  }
  return undefined;
}

/** The run whose model a version's source is: a path in the run's artifacts (MLflow 2, runs:/ or the run's
 * root) or one of the run's logged models (MLflow 3: `models:/<model_id>` or a path under its location). */
export function sourceRun(o: Observation, source: string): RunState | undefined {
  const inRun = resolveSource(o, source);
  if (inRun) return inRun.run;
  return o.runs.find((r) =>
    r.loggedModels.some(({ model: { info } }) => {
      const root = info.artifact_uri.replace(/\/$/, '');
      return source === `models:/${info.model_id}` || source === root || source.startsWith(`${root}/`);
    }),
  );
}
