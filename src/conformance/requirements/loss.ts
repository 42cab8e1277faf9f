// Requirements: loss is never silent (produced = delivered + counted as lost, in every situation),
// every value counted as lost is in the spill output, and a slow or dead server does not slow the
// pipeline beyond a fixed allowance.
import type { RunState } from '../../mlflow/readback.ts';
import type { Observation, Requirement } from '../types.ts';
import {
  expectedForms,
  isFound,
  nodeFiles,
  nodeParams,
  paramNodes,
  paramsConfigFor,
  pipelineRunViews,
  ranNodes,
  resolveSource,
  runFiles,
  sourceRun,
} from './expected.ts';
import { jsonLines, list, sameMetricValue, verdict } from './queries.ts';

type Kind = 'params' | 'metrics' | 'artifacts' | 'models';
const KINDS: Kind[] = ['params', 'metrics', 'artifacts', 'models'];

interface Item {
  kind: Kind;
  /** What identifies it in a spill file: a param key, `key@step` for a metric, the dataset for files. */
  id: string;
  delivered: boolean;
  /** The node that produced it. */
  node: string;
}

/** Every value the pipeline produced (each pipeline run), and whether it reached its run. */
export function produced(o: Observation): Item[] {
  const views = pipelineRunViews(o);
  const config = paramsConfigFor(o, views);
  const items: Item[] = [];
  // Models in the target's own format: each run's registered models not yet matched to a produced model.
  const modelsLeft = new Map<RunState, number>();
  for (let i = 0; i < o.pipelineRuns; i++) {
    const view = views[i];
    for (const n of paramNodes(o))
      for (const [k, v] of nodeParams(o, n))
        for (const e of expectedForms(k, v, config))
          if (e.as === 'param')
            items.push({
              kind: 'params',
              node: n.name,
              id: e.key,
              delivered: Boolean(view && isFound(e, view.runFor(n))),
            });
    for (const n of ranNodes(o)) {
      const run = view?.runFor(n);
      for (const m of n.metrics)
        m.values.forEach((v, step) =>
          items.push({
            kind: 'metrics',
            node: n.name,
            id: `${m.key}@${step}`,
            delivered: Boolean(run?.metricHistory[m.key]?.some((x) => x.step === step && sameMetricValue(v, x.value))),
          }),
        );
      const files = run ? [...runFiles(o, run).values()] : [];
      for (const f of nodeFiles(o, n, 'artifact'))
        items.push({ kind: 'artifacts', node: n.name, id: f.name, delivered: files.includes(f.hash) });
      for (const f of nodeFiles(o, n, 'model')) {
        if (o.modelsInOwnFormat) {
          // Its bytes are not the node's: each registered model whose version's source is this run's model
          // delivers one (two versions of one model do not stand for another).
          const left = run ? (modelsLeft.get(run) ?? ownRegisteredModels(o, run)) : 0;
          if (run) modelsLeft.set(run, Math.max(0, left - 1));
          items.push({ kind: 'models', node: n.name, id: f.name, delivered: left > 0 });
          continue;
        }
        const ok = (run?.modelVersions ?? []).some((v) => {
          const at = resolveSource(o, v.source);
          return at !== undefined && [...runFiles(o, at.run)].some(([p, h]) => p.startsWith(at.path) && h === f.hash);
        });
        items.push({ kind: 'models', node: n.name, id: f.name, delivered: ok });
      }
    }
  }
  return items;
}

const ownRegisteredModels = (o: Observation, run: RunState): number =>
  new Set(run.modelVersions.filter((v) => sourceRun(o, v.source) === run).map((v) => v.name)).size;

/** What the hook said it could not deliver: per kind when it says so, else a total. */
export function countedLost(
  output: string,
): { total: number; byKind: Partial<Record<Kind | 'tags', number>> } | undefined {
  const line = output.split('\n').find((l) => /not delivered|undelivered|could not be delivered|lost/i.test(l));
  if (!line) return undefined;
  const byKind: Partial<Record<Kind | 'tags', number>> = {};
  for (const m of line.matchAll(/(\d+) (params|metrics|tags|artifacts|models)\b/g)) byKind[m[2] as Kind] = Number(m[1]);
  const total = Number(line.match(/(\d+) values?\b/)?.[1] ?? NaN);
  return { total, byKind };
}

const tally = (items: Item[], kind: Kind, delivered: boolean): number =>
  items.filter((x) => x.kind === kind && x.delivered === delivered).length;

/** The values a spill file holds, in the ids `produced` uses. */
function spilled(o: Observation): Set<string> {
  const out = new Set<string>();
  // A line of the spill format; every field is checked before use.
  const lines = jsonLines(o.writtenFiles.filter((x) => x.path.endsWith('.jsonl'))) as {
    type?: string;
    items?: { key: string; step?: number }[];
    path?: string;
    name?: string;
  }[];
  for (const r of lines) {
    if (r === null || typeof r !== 'object') continue;
    if (r.type === 'params') for (const x of r.items ?? []) out.add(`params ${x.key}`);
    if (r.type === 'metrics') for (const x of r.items ?? []) out.add(`metrics ${x.key}@${x.step ?? 0}`);
    if (r.type === 'artifact' && r.path) out.add(`artifacts ${r.path}`);
    if (r.type === 'model') out.add(`models ${r.name ?? ''} ${r.path ?? ''}`);
  }
  return out;
}

const saidOf = (lost: ReturnType<typeof countedLost>): string =>
  lost ? (Number.isNaN(lost.total) ? 'no count' : String(lost.total)) : 'nothing';

/** A fixed allowance for the end-of-run flush, and a proportional one for noise. */
export const TIME_BOUND = { ratio: 1.25, allowanceMs: 2500 };

export const LOSS: Requirement[] = [
  {
    id: 'FLT-005',
    source: "trackbench's own guarantee: no silent loss (the warning counts what was not delivered)",
    level: 'MUST',
    scenario: 'every',
    features: ['every situation', 'server down', 'outage', 'child runs (when the hook makes them)'],
    dependsOn: ['childRunPerNode'],
    statement:
      'In every situation, the values produced (params, metric values, artifacts, models) equal those delivered ' +
      "plus those the hook says it could not deliver, per kind when it counts per kind (child runs' values too).",
    rationale: 'A count that does not add up is a silent loss, or a false alarm that hides the next real one.',
    check: (o) => {
      const items = produced(o);
      const lost = countedLost(o.output);
      const bad: string[] = [];
      const kinds = lost && KINDS.some((k) => lost.byKind[k] !== undefined);
      for (const k of KINDS) {
        const missing = tally(items, k, false);
        const said = lost?.byKind[k] ?? 0;
        if (kinds ? said !== missing : false) bad.push(`${k}: ${missing} not delivered, ${said} counted`);
      }
      const missingAll = items.filter((x) => !x.delivered).length;
      if (!kinds && missingAll > 0 && !(lost && lost.total >= missingAll))
        bad.push(`${missingAll} not delivered, ${saidOf(lost)} said`);
      return verdict(
        bad.length === 0,
        `${items.length} produced = delivered + counted as lost`,
        bad.length ? list(bad, 4) : `${items.length - missingAll} delivered, ${missingAll} counted as lost`,
      );
    },
  },
  {
    id: 'FLT-006',
    source: "trackbench's own guarantee: every undelivered value is in the spill file, for `trackbench replay`",
    level: 'SHOULD',
    scenario: ['server-down', 'outage'],
    features: ['server down', 'outage'],
    statement: 'Every value that was not delivered is in the spill file the hook names.',
    rationale: 'A spill file that misses values is a recovery that silently loses them.',
    check: (o) => {
      const lost = produced(o).filter((x) => !x.delivered);
      const have = spilled(o);
      const ids = [...have];
      const absent = lost.filter((x) => {
        if (x.kind === 'artifacts')
          return !ids.some((s) => s.startsWith('artifacts ') && s.includes(x.id.split('.').pop()!));
        if (x.kind === 'models') return !ids.some((s) => s.startsWith('models ') && s.includes(x.id));
        return !have.has(`${x.kind} ${x.id}`);
      });
      return verdict(
        absent.length === 0,
        `${lost.length} undelivered values in the spill file`,
        absent.length
          ? `${absent.length} not spilled: ${list(absent.map((x) => `${x.kind} ${x.id}`))}`
          : `${lost.length} spilled`,
      );
    },
  },
  {
    id: 'FLT-007',
    source: "trackbench's own guarantee: logging is off the node's critical path (bounded queue, async delivery)",
    level: 'MUST',
    scenario: ['slow-server', 'server-down'],
    features: ['150 ms server latency', 'server down', '20 nodes asleep 10 ms each'],
    statement:
      `With a slow server (150 ms a request) or none, the pipeline takes at most ${TIME_BOUND.ratio} times its ` +
      `time against a healthy server plus ${TIME_BOUND.allowanceMs / 1000} s for the end-of-run flush.`,
    rationale: 'A hook that waits on the server at every node turns a slow tracking server into a slow pipeline.',
    check: (o) => {
      const base = o.baselineWallMs ?? NaN;
      const bound = base * TIME_BOUND.ratio + TIME_BOUND.allowanceMs;
      return verdict(
        o.wallMs <= bound,
        `<= ${Math.round(bound)} ms (healthy: ${Math.round(base)} ms)`,
        `${Math.round(o.wallMs)} ms`,
      );
    },
  },
];
