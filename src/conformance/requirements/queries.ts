// What every requirement reads from an observation: runs, expected values, findings.
import { storedMetricValue } from '../../mlflow/limits.ts';
import type { RunState } from '../../mlflow/readback.ts';
import { resolveParam } from '../../pipeline/params.ts';
import type { ParamValue, PipelineNode } from '../../pipeline/types.ts';
import type { Finding, Observation } from '../types.ts';

// ---- what the observation holds
export const tag = (r: RunState, key: string): string | undefined => r.run.data.tags?.find((t) => t.key === key)?.value;

/** The node a child run records: the one its kedro.node_name tag names, else the one it is named after. */
export const nodeNameOf = (r: RunState): string => tag(r, 'kedro.node_name') ?? r.run.info.run_name;
export const topLevel = (o: Observation): RunState[] => o.runs.filter((r) => !tag(r, 'mlflow.parentRunId'));
export const children = (o: Observation): RunState[] => o.runs.filter((r) => tag(r, 'mlflow.parentRunId'));
export const completed = (o: Observation): PipelineNode[] =>
  o.pipeline.nodes.filter((n) => o.completedNodes.includes(n.name));
export const allTags = (o: Observation): { key: string; value: string }[] =>
  o.runs.flatMap((r) => r.run.data.tags ?? []).filter((t) => !t.key.startsWith('mlflow.'));
export const allParams = (o: Observation): { key: string; value: string }[] =>
  o.runs.flatMap((r) => r.run.data.params ?? []);

export function expectedParams(o: Observation): Map<string, ParamValue> {
  const out = new Map<string, ParamValue>();
  for (const n of completed(o))
    for (const i of n.inputs)
      if (i.startsWith('params:')) out.set(i.slice('params:'.length), resolveParam(o.pipeline.parameters, i)!);
  return out;
}

/** A value read back is the value logged: as MLflow stores it (infinities become the largest doubles), a NaN
 * read back for a NaN logged. */
export function sameMetricValue(logged: number, read: number): boolean {
  const want = storedMetricValue(logged);
  return want === read || (Number.isNaN(want) && Number.isNaN(read));
}

export function expectedMetrics(o: Observation): Map<string, number[]> {
  return new Map(completed(o).flatMap((n) => n.metrics.map((m) => [m.key, m.values] as [string, number[]])));
}

export function expectedFiles(o: Observation, kind: 'artifact' | 'model'): { node: PipelineNode; bytes: number }[] {
  return completed(o).flatMap((n) =>
    n.outputs
      .filter((x) => o.pipeline.datasets[x]?.kind === kind)
      .map(() => ({ node: n, bytes: kind === 'artifact' ? n.artifactBytes : n.modelBytes })),
  );
}

/** A param is present as `key`, or flattened under `key<sep>...` for dict values. */
export function paramPresent(params: Map<string, string>, key: string): boolean {
  if (params.has(key)) return true;
  for (const k of params.keys()) if (k.startsWith(key) && /^[._/:-]/.test(k.slice(key.length))) return true;
  return false;
}

export const pass = (expected: string, found: string): Finding => ({ status: 'pass', expected, found });
export const fail = (expected: string, found: string): Finding => ({ status: 'fail', expected, found });
export const skip = (expected: string, found: string): Finding => ({ status: 'skip', expected, found });
export const verdict = (ok: boolean, expected: string, found: string): Finding => (ok ? pass : fail)(expected, found);
export const list = (xs: string[], max = 3): string =>
  xs.length ? `${xs.slice(0, max).join(', ')}${xs.length > max ? ` and ${xs.length - max} more` : ''}` : 'none';

/** Nested-run checks apply to hooks that make child runs, and fail a hook configured to make them that makes none. */
export function withChildren(o: Observation, expected: string, check: (c: RunState[]) => Finding): Finding {
  const c = children(o);
  if (c.length) return check(c);
  return o.childRunPerNode
    ? fail(expected, 'no child run, though the target was configured with childRunPerNode: true')
    : skip(expected, 'the hook makes no child runs');
}

export const TERMINAL = new Set(['FINISHED', 'FAILED', 'KILLED']);
export const LIMIT_ERROR = /batch logging request can contain at most|exceeds the maximum length/;

/** The JSON values of the lines of `files` (JSON Lines, such as spill files); blank lines and lines that are not
 * JSON skipped. */
export function jsonLines(files: { bytes: Buffer }[]): unknown[] {
  const out: unknown[] = [];
  for (const f of files)
    for (const line of f.bytes.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // not a record
      }
    }
  return out;
}
