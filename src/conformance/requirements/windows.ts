// Requirements: run and metric times against the windows trackbench saw on its own clock (when each
// pipeline run and each node ran), not only against the times the hook itself wrote.
import type { RunState } from '../../mlflow/readback.ts';
import type { Finding, NodeWindow, Observation, PipelineTiming, Requirement, RunWindow } from '../types.ts';
import { pipelineRunViews, type PipelineRunView } from './expected.ts';
import { list, skip, tag, verdict } from './queries.ts';

/**
 * Clock granularity, in ms. trackbench (Date.now()) and the hook (Date.now(); Python's int(time.time() * 1000))
 * floor the same system clock to whole ms, and the hook reads it after trackbench opens a window and before
 * trackbench closes it, so an honest stamp lies inside exactly; a hook that rounds instead of flooring reads up
 * to 1 ms late. 2 ms covers that with 1 ms spare; more would let through shifts of a few ms on pipelines whose
 * nodes take about a millisecond (the situations' nodes do no work), such as a value stamped 5 ms early.
 */
export const CLOCK_SLACK_MS = 2;

/** `t` lies within `w`, give or take the clock slack. */
export const inside = (t: number, w: { startMs: number; endMs: number }, slack = CLOCK_SLACK_MS): boolean =>
  t >= w.startMs - slack && t <= w.endMs + slack;

/**
 * The pipeline run whose window holds `t`: exactly if one does (back-to-back windows overlap by the slack),
 * and the later one when two do (the next run can start in the very millisecond the previous one ended, and
 * a run started then is the new pipeline run's: nothing starts a run at the end of its own).
 */
function holding(t: number, timing: PipelineTiming[]): number {
  const last = (slack: number): number => {
    for (let i = timing.length - 1; i >= 0; i--) if (inside(t, timing[i]!.window, slack)) return i;
    return -1;
  };
  const exact = last(0);
  return exact >= 0 ? exact : last(CLOCK_SLACK_MS);
}

function offBy(t: number, w: RunWindow): string {
  return t < w.startMs ? `${w.startMs - t} ms before` : `${t - w.endMs} ms after`;
}

/**
 * The pipeline run a run records: its top-level run's place among those matched to pipeline runs when each
 * pipeline run has one (a start time off is RUN-020's finding, not a reason to hold its values to another
 * pipeline run's nodes), else the pipeline run whose window holds that run's start, or undefined.
 */
export function pipelineRunOf(
  o: Observation,
  timing: PipelineTiming[],
  r: RunState,
  views: PipelineRunView[] = pipelineRunViews(o),
): number | undefined {
  let top = r;
  for (let i = 0; i < 10; i++) {
    const parent = tag(top, 'mlflow.parentRunId');
    const up = parent ? o.runs.find((x) => x.run.info.run_id === parent) : undefined;
    if (!up) break;
    top = up;
  }
  const matched = views.length === timing.length ? views.findIndex((v) => v.top === top) : -1;
  if (matched >= 0) return matched;
  const at = holding(top.run.info.start_time, timing);
  return at < 0 ? undefined : at;
}

export const NOT_TIMED = 'trackbench did not time this pipeline run (the target ran in a child process)';

/** The pipeline runs' timing with node windows, or why a check against nodes' windows does not apply. */
export function nodeTiming(o: Observation, expected: string): PipelineTiming[] | Finding {
  if (!o.timing) return skip(expected, NOT_TIMED);
  if (o.timing.every((t) => !t.nodes))
    return skip(
      expected,
      'the target does not say when its nodes ran (its nodes file has no start times: `name<TAB>unix ms`)',
    );
  return o.timing;
}

export const WINDOW_RUN: Requirement[] = [
  {
    id: 'RUN-020',
    source: 'MLflow REST API docs: RunInfo.start_time and end_time are when the run started and ended (Unix ms)',
    level: 'MUST',
    scenario: 'every',
    features: ['every situation', "pipeline runs timed on trackbench's clock"],
    dependsOn: ['childRunPerNode'],
    statement:
      'In every situation, every run (child runs too) starts and ends within the pipeline run it records: ' +
      `start_time not before that pipeline run started and end_time not after it ended (${CLOCK_SLACK_MS} ms ` +
      'for clock granularity).',
    rationale:
      'A start taken when the hook was loaded, a cached or skewed clock, or an end stamped later makes every ' +
      'duration, timeline and "what ran when" question answered from the run wrong.',
    check: (o) => {
      const timing = o.timing;
      if (!timing) return skip('run times within the pipeline run', NOT_TIMED);
      const bad: string[] = [];
      for (const r of o.runs) {
        const i = r.run.info;
        const w = timing[holding(i.start_time, timing)]?.window;
        if (!w) {
          const near = timing
            .map((t) => t.window)
            .sort((a, b) => Math.abs(a.startMs - i.start_time) - Math.abs(b.startMs - i.start_time))[0];
          bad.push(
            `${i.run_name} start_time ${i.start_time}${near ? ` (${offBy(i.start_time, near)} its pipeline run)` : ''}`,
          );
        } else if (typeof i.end_time === 'number' && !inside(i.end_time, w))
          bad.push(`${i.run_name} end_time ${i.end_time} (${offBy(i.end_time, w)} its pipeline run)`);
      }
      return verdict(
        bad.length === 0,
        `every run's start and end within its pipeline run (±${CLOCK_SLACK_MS} ms)`,
        bad.length ? `${bad.length} of ${o.runs.length}: ${list(bad, 2)}` : `${o.runs.length} runs within`,
      );
    },
  },
];

/** The node that produces each metric key. */
function producers(o: Observation): Map<string, string> {
  return new Map(o.pipeline.nodes.flatMap((n) => n.metrics.map((m): [string, string] => [m.key, n.name])));
}

/** A node's window in one pipeline run; a node with no known end is bounded by its pipeline run's end. */
export interface BoundedWindow {
  startMs: number;
  endMs: number;
  /** The node's end is not known: `endMs` is its pipeline run's end. */
  open: boolean;
}

export function windowOf(t: PipelineTiming, node: string): BoundedWindow | undefined {
  const w: NodeWindow | undefined = t.nodes?.find((n) => n.node === node);
  return w && { startMs: w.startMs, endMs: w.endMs ?? t.window.endMs, open: w.endMs === undefined };
}

export const WINDOW_MET: Requirement[] = [
  {
    id: 'MET-020',
    source:
      'MLflow REST API docs: Metric.timestamp is when the value was recorded; kedro-mlflow logs each value ' +
      'when its dataset is saved (MlflowMetricsHistoryDataset._save: MlflowClient.log_metric, timestamp now)',
    level: 'MUST',
    scenario: 'every',
    features: ['every situation', "node runs timed on trackbench's clock"],
    dependsOn: ['childRunPerNode'],
    statement:
      "Every metric value's timestamp lies within the run of the node that produced it (from before its inputs " +
      `were loaded to after its outputs were saved, ${CLOCK_SLACK_MS} ms for clock granularity; for targets that ` +
      'only say when a node started: not before that and not after its pipeline run ended), and values of nodes ' +
      'that started at different milliseconds are not all stamped the same time unless every one of those nodes ' +
      'was running in that millisecond.',
    rationale:
      'Wall-clock charts, the order of values across nodes and "when did this metric appear" come from the ' +
      'timestamp: values stamped with the pipeline or run start, or all at flush time, lose that.',
    check: (o) => {
      const timing = nodeTiming(o, 'metric times within their nodes');
      if (!Array.isArray(timing)) return timing;
      const byKey = producers(o);
      const views = pipelineRunViews(o);
      const bad: string[] = [];
      let n = 0;
      // pipeline run -> node -> timestamps, for the all-identical test
      const stamps = new Map<number, Map<string, Set<number>>>();
      for (const r of o.runs) {
        const at = pipelineRunOf(o, timing, r, views);
        const candidates = at === undefined ? timing.map((t, i) => [t, i] as const) : [[timing[at]!, at] as const];
        for (const [key, h] of Object.entries(r.metricHistory)) {
          const node = byKey.get(key);
          if (!node) continue;
          for (const m of h) {
            n++;
            const fits = candidates.filter(([t]) => {
              const w = windowOf(t, node);
              return w && inside(m.timestamp, w);
            });
            const known = candidates.map(([t]) => windowOf(t, node)).find(Boolean);
            if (!fits.length)
              bad.push(
                known
                  ? `${key}@${m.step} t=${m.timestamp} (node ran ${known.startMs}..${known.open ? 'end' : known.endMs})`
                  : `${key}@${m.step}: its node ${node} did not run`,
              );
            const i = fits[0]?.[1] ?? at ?? 0;
            const perNode = stamps.get(i) ?? new Map<string, Set<number>>();
            stamps.set(i, perNode);
            perNode.set(node, (perNode.get(node) ?? new Set()).add(m.timestamp));
          }
        }
      }
      const frozen: string[] = [];
      for (const [i, perNode] of stamps) {
        const windows = [...perNode.keys()].map((node) => windowOf(timing[i]!, node));
        const starts = new Set(windows.map((w) => w?.startMs));
        const all = new Set([...perNode.values()].flatMap((s) => [...s]));
        const [only] = all.size === 1 ? all : [];
        // One stamp for all is honest when every node was running in that millisecond (nodes that take less than
        // a millisecond, back to back); only a node's start is known when its window is open.
        const honest = (t: number): boolean => windows.every((w) => w && !w.open && inside(t, w, 0));
        if (starts.size > 1 && only !== undefined && !honest(only))
          frozen.push(`all values of ${perNode.size} nodes that started at ${starts.size} times stamped ${only}`);
      }
      return verdict(
        bad.length + frozen.length === 0,
        `every value stamped while its node ran (±${CLOCK_SLACK_MS} ms)`,
        bad.length + frozen.length
          ? [...frozen, ...(bad.length ? [`${bad.length} of ${n} outside: ${list(bad, 2)}`] : [])].join('; ')
          : `${n} within their nodes`,
      );
    },
  },
];
