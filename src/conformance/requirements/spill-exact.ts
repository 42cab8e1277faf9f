// Requirements: what a spill file holds is exactly what was produced (so `trackbench replay` delivers the
// right values to the right runs, and ends them), and it is where the warning says, not in the working folder.
import { isAbsolute } from 'node:path';
import type { PipelineNode } from '../../pipeline/types.ts';
import type { Observation, Requirement } from '../types.ts';
import {
  expectedForms,
  type ExpectedValue,
  paramNodes,
  nodeParams,
  paramsConfigFor,
  pipelineRunViews,
} from './expected.ts';
import { jsonLines, list, skip, verdict } from './queries.ts';
import { inside, windowOf } from './windows.ts';

interface RunRec {
  runName?: string;
  runId?: string | null;
  parentRun?: string;
  tags?: { key: string; value: string }[];
}
interface Rec {
  type?: string;
  run?: string;
  items?: { key?: string; value?: unknown; step?: unknown; timestamp?: unknown }[];
  status?: string;
  endTime?: unknown;
}

/** Every `.jsonl` path the output names. */
const namedSpills = (o: Observation): string[] => [
  ...new Set([...o.output.matchAll(/(?:^|[\s'"`(=:])([^\s'"`()=:;,]+\.jsonl)\b/g)].map((m) => m[1]!)),
];

/** The records of the spill files the output names (trackbench's JSONL format; other files in the temp folders
 * may be other processes'), and the run records by their key. */
function spillRecords(o: Observation): { records: Rec[]; runs: Map<string, RunRec> } {
  const records: Rec[] = [];
  const runs = new Map<string, RunRec>();
  const named = new Set(namedSpills(o));
  // Lines of the spill format; every field is checked before use.
  for (const r of jsonLines(o.writtenFiles.filter((x) => named.has(x.path))) as (Rec & RunRec)[]) {
    if (r === null || typeof r !== 'object') continue;
    if (r.type === 'run' && typeof r.run === 'string') runs.set(r.run, { ...runs.get(r.run), ...r });
    else records.push(r);
  }
  return { records, runs };
}

/** The node a spilled run stands for (its kedro.node_name tag, else its name), as nodeNameOf reads runs. */
const nodeOfRun = (r: RunRec): string | undefined =>
  r.tags?.find((t) => t.key === 'kedro.node_name')?.value ?? r.runName;

/** Why a record filed under `key` is not in the run `node`'s values belong in, or undefined when it is. */
function wrongRun(
  o: Observation,
  runs: Map<string, RunRec>,
  key: string | undefined,
  node: string,
): string | undefined {
  const r = key === undefined ? undefined : runs.get(key);
  if (!r) return `filed under ${key ?? 'no run'}, which no run record names`;
  if (o.childRunPerNode) {
    if (r.parentRun === undefined || nodeOfRun(r) !== node)
      return `filed under run ${key} (${r.parentRun === undefined ? 'top-level' : nodeOfRun(r)}), not ${node}'s run`;
  } else if (r.parentRun !== undefined) return `filed under child run ${key}, not the pipeline's run`;
  return undefined;
}

/** The same number, NaN and infinities as JSON may carry them (null, or their names). */
function sameNumber(want: number, got: unknown): boolean {
  if (Number.isFinite(want)) return got === want;
  return got === null || got === String(want) || (typeof got === 'number' && Object.is(got, want));
}

const spilledOf = (records: Rec[], type: string): [Rec, NonNullable<Rec['items']>[number]][] =>
  records.filter((r) => r.type === type).flatMap((r) => (r.items ?? []).map((x): [Rec, typeof x] => [r, x]));

/** Spilled metric values that are not exactly one the pipeline produced, in its run, stamped in its node's run. */
function badMetrics(o: Observation): { n: number; bad: string[] } {
  const { records, runs } = spillRecords(o);
  const byKey = new Map<string, { node: PipelineNode; values: number[] }>();
  for (const node of o.pipeline.nodes) for (const m of node.metrics) byKey.set(m.key, { node, values: m.values });
  const bad: string[] = [];
  const items = spilledOf(records, 'metrics');
  for (const [r, x] of items) {
    const at = `${x.key}@${String(x.step)}`;
    const from = byKey.get(String(x.key));
    if (!from) {
      bad.push(`${at}: no node produced this key`);
      continue;
    }
    if (typeof x.step !== 'number' || !Number.isInteger(x.step) || x.step < 0 || x.step >= from.values.length)
      bad.push(`${x.key}: step ${JSON.stringify(x.step)}, not one of 0..${from.values.length - 1}`);
    else if (!sameNumber(from.values[x.step]!, x.value))
      bad.push(`${at}: value ${JSON.stringify(x.value)}, produced ${from.values[x.step]}`);
    const windows = (o.timing ?? []).map((t) => windowOf(t, from.node.name)).filter((w) => w !== undefined);
    if (windows.length && !windows.some((w) => typeof x.timestamp === 'number' && inside(x.timestamp, w)))
      bad.push(`${at}: timestamp ${JSON.stringify(x.timestamp)} outside its node's run`);
    const wrong = wrongRun(o, runs, r.run, from.node.name);
    if (wrong) bad.push(`${at}: ${wrong}`);
  }
  return { n: items.length, bad };
}

/** Spilled parameters that are not exactly one the pipeline produced, in the run its node's values belong in. */
function badParams(o: Observation): { n: number; bad: string[] } {
  const { records, runs } = spillRecords(o);
  const config = paramsConfigFor(o, pipelineRunViews(o));
  const forms = new Map<string, { nodes: string[]; form: ExpectedValue }[]>();
  for (const n of paramNodes(o))
    for (const [k, v] of nodeParams(o, n))
      for (const e of expectedForms(k, v, config)) {
        const known = forms.get(e.key) ?? [];
        const same = known.find((f) => f.form.shown === e.shown);
        if (same) same.nodes.push(n.name);
        else known.push({ nodes: [n.name], form: e });
        forms.set(e.key, known);
      }
  const bad: string[] = [];
  const items = spilledOf(records, 'params');
  for (const [r, x] of items) {
    const want = forms.get(String(x.key));
    if (!want) continue; // a key the hook renamed or its own (run parameters): PAR-* hold delivered ones
    const fits = want.filter((f) => typeof x.value === 'string' && f.form.matches(x.value));
    if (!fits.length) bad.push(`${x.key}: value ${JSON.stringify(x.value)?.slice(0, 40)} was not produced`);
    else if (fits.every((f) => f.nodes.every((node) => wrongRun(o, runs, r.run, node))))
      bad.push(`${x.key}: ${wrongRun(o, runs, r.run, fits[0]!.nodes[0]!)}`);
  }
  return { n: items.length, bad };
}

/** The status each spilled run must end with: a child run FINISHED when its node completed. */
function endStatus(o: Observation, r: RunRec): string {
  if (r.parentRun !== undefined) return o.completedNodes.includes(nodeOfRun(r) ?? '') ? 'FINISHED' : 'FAILED';
  return o.pipelineError || o.failedNode ? 'FAILED' : 'FINISHED';
}

/** Spilled runs that did not end on the server and whose end the spill does not hold exactly. */
function badEnds(o: Observation): { n: number; bad: string[] } {
  const { records, runs } = spillRecords(o);
  const bad: string[] = [];
  let n = 0;
  const windows = (o.timing ?? []).map((t) => t.window);
  for (const [key, r] of runs) {
    const onServer = o.runs.find((x) => r.runId && x.run.info.run_id === r.runId);
    if (onServer && onServer.run.info.status !== 'RUNNING') continue;
    n++;
    const ends = records.filter((x) => x.type === 'end' && x.run === key);
    const want = endStatus(o, r);
    if (!ends.length) bad.push(`${key}: no end record (the server never saw it end)`);
    else if (ends.some((e) => e.status !== want)) bad.push(`${key}: ended ${ends.map((e) => e.status).join('/')}`);
    else if (windows.length && !ends.every((e) => windows.some((w) => inside(Number(e.endTime), w))))
      bad.push(`${key}: end time ${ends.map((e) => String(e.endTime)).join('/')} outside the pipeline run`);
  }
  return { n, bad };
}

/** Run keys that two pipeline runs share, in each spill file on its own (replay reads one file: keys in two files
 * never meet), and how many top-level runs the files hold. */
function sharedKeys(o: Observation): { n: number; bad: string[] } {
  const named = new Set(namedSpills(o));
  const bad: string[] = [];
  let n = 0;
  for (const file of o.writtenFiles.filter((x) => named.has(x.path))) {
    const top = new Set<string>();
    const ends = new Map<string, number>();
    // Lines of the spill format; every field is checked before use.
    for (const r of jsonLines([file]) as (Rec & RunRec)[]) {
      if (r === null || typeof r !== 'object' || typeof r.run !== 'string') continue;
      if (r.type === 'run' && r.parentRun === undefined) top.add(r.run);
      if (r.type === 'end') ends.set(r.run, (ends.get(r.run) ?? 0) + 1);
    }
    n += top.size;
    // Replay makes one run of a key and ends it at each end record: two ends are two pipeline runs merged.
    for (const [key, count] of ends) if (count > 1) bad.push(`${key}: ended ${count} times in ${file.path}`);
  }
  // The server was down throughout: every pipeline run's own run was spilled.
  if (n && n < o.pipelineRuns) bad.push(`${n} top-level run(s) spilled for ${o.pipelineRuns} pipeline runs`);
  return { n, bad };
}

const SPILLS: Requirement['scenario'] = ['server-down', 'outage'];
const FORMAT = "trackbench's own guarantee: a spill file holds what `trackbench replay` delivers (README: Replay)";

/** A MUST on the spill file's records in the situations that spill: `found` lists what is not exact. */
function onSpill(
  id: string,
  statement: string,
  rationale: string,
  what: string,
  found: (o: Observation) => { n: number; bad: string[] },
): Requirement {
  return {
    id,
    source: FORMAT,
    level: 'MUST',
    scenario: SPILLS,
    features: ['server down', 'outage', 'spill file'],
    dependsOn: ['childRunPerNode'],
    statement,
    rationale,
    check: (o) => {
      const { n, bad } = found(o);
      if (!n) return skip(what, 'none in the spill file');
      return verdict(!bad.length, `${n} ${what}`, bad.length ? list(bad, 4) : `${n} exact`);
    },
  };
}

export const SPILL_EXACT: Requirement[] = [
  onSpill(
    'FLT-010',
    'Every metric value in the spill file is one the pipeline produced: its key, value and step exact, its ' +
      "timestamp within its node's run, filed under the run it belongs in (the node's child run with a child " +
      "run per node, else the pipeline's run).",
    'A replay delivers what the spill holds: a lost step or a wrong run is a wrong history, silently.',
    'spilled metric values exact',
    badMetrics,
  ),
  onSpill(
    'FLT-011',
    'Every parameter in the spill file (under a key the pipeline produced) holds the value produced, filed ' +
      'under the run it belongs in.',
    'A replay delivers what the spill holds: a wrong value or run is a wrong record, silently.',
    'spilled parameters exact',
    badParams,
  ),
  onSpill(
    'FLT-012',
    'Every run the spill file names that did not end on the server has an end record there, with the status ' +
      'it must end with (FINISHED, or FAILED for a failure) and an end time within the pipeline run.',
    'Without it a replayed run stays RUNNING for ever, or ends with the wrong status.',
    'spilled runs (not ended on the server) with their end',
    badEnds,
  ),
  {
    id: 'FLT-015',
    source: FORMAT,
    level: 'MUST',
    scenario: 'server-down-twice',
    features: ['server down', 'two pipeline runs of one hook object', 'spill file'],
    dependsOn: ['childRunPerNode'],
    statement:
      'When two pipeline runs of one hook object spill (the server down throughout), each files its records under ' +
      'run keys of its own: the spill files hold a top-level run for each pipeline run, and no run key in a file ' +
      'is ended twice.',
    rationale:
      'Kedro serves every session of a process with the same hooks; replay makes one run of each key, so a key ' +
      'shared by two pipeline runs merges them into one run, values of both in it, ended twice, silently.',
    check: (o) => {
      const { n, bad } = sharedKeys(o);
      if (!n) return skip('a top-level run spilled for each pipeline run', 'no runs in the spill file');
      return verdict(
        !bad.length,
        `${o.pipelineRuns} pipeline runs under keys of their own`,
        bad.length ? list(bad, 4) : `${n} top-level runs, each ended once`,
      );
    },
  },
  {
    id: 'FLT-014',
    source: "trackbench's own guarantee: undelivered values are kept where the warning says (README: Replay)",
    level: 'MUST',
    scenario: 'every',
    features: ['every situation', 'spill file'],
    statement:
      'A spill file the output names is an absolute path outside the working folder, and it exists and holds ' +
      'records.',
    rationale:
      'A relative path or the working folder depends on where the pipeline was started: the next deploy wipes ' +
      'it, or the file is committed, and the warning points nowhere.',
    check: (o) => {
      const named = namedSpills(o);
      if (!named.length) return skip('a spill file where the output says', 'none named');
      const cwd = process.cwd();
      const bad = named.flatMap((p) => {
        if (!isAbsolute(p)) return [`${p}: relative`];
        // The temp folder the hook was given is the OS's choice, wherever the user's TMPDIR puts it.
        const inTemp = o.tempDir !== undefined && p.startsWith(`${o.tempDir}/`);
        if (cwd !== '/' && p.startsWith(`${cwd}/`) && !inTemp) return [`${p}: in the working folder`];
        const f = o.writtenFiles.find((x) => x.path === p);
        if (!f) return [`${p}: does not exist`];
        return f.bytes.toString('utf8').trim() ? [] : [`${p}: empty`];
      });
      return verdict(
        !bad.length,
        'absolute, outside the working folder, with records',
        bad.length ? list(bad) : named.join(', '),
      );
    },
  },
];
