// Requirements: metric histories, per pipeline run, exact, with plausible timestamps.
import { storedMetricValue } from '../../mlflow/limits.ts';
import type { Requirement } from '../types.ts';
import { pipelineRunViews, ranNodes } from './expected.ts';
import { list, verdict } from './queries.ts';
import { plausibleMs } from './run-per-run.ts';

/** Clock and rounding slack around a run's window (a hook may stamp a value before its request creates the run). */
const SLACK_MS = 1000;

export const METRICS_PER_RUN: Requirement[] = [
  {
    id: 'MET-010',
    source: 'MLflow REST API docs: Metric (key, value, timestamp, step); metrics/get-history',
    level: 'MUST',
    scenario: 'healthy',
    features: ['every situation', 'metricSteps'],
    dependsOn: ['childRunPerNode'],
    statement:
      "In every situation and every pipeline run, each metric of each node that ran has in its node's run " +
      'exactly the produced history, value v_s at step s, each step once, and is in no other run of that pipeline run.',
    rationale: 'Missing, duplicated or misplaced values change curves, averages and comparisons.',
    check: (o) => {
      const views = pipelineRunViews(o);
      const bad: string[] = [];
      let want = 0;
      for (const view of views)
        for (const n of ranNodes(o)) {
          const run = view.runFor(n);
          for (const m of n.metrics) {
            want += m.values.length;
            const h = run.metricHistory[m.key] ?? [];
            const got = h
              .map((x) => `${x.step}:${x.value}`)
              .sort()
              .join(',');
            const exp = m.values
              .map((v, s) => `${s}:${storedMetricValue(v)}`)
              .sort()
              .join(',');
            if (got !== exp)
              bad.push(`${m.key} in ${run.run.info.run_name} (${h.length} of ${m.values.length} values)`);
            const elsewhere = view.family.find((r) => r !== run && r.metricHistory[m.key]);
            if (elsewhere) bad.push(`${m.key} also in ${elsewhere.run.info.run_name}`);
          }
        }
      return verdict(
        bad.length === 0 && views.length > 0,
        `${want} values at their steps in their runs`,
        views.length ? (bad.length ? `${bad.length} wrong: ${list(bad)}` : 'all exact') : 'no run',
      );
    },
  },
  {
    id: 'MET-011',
    source: 'MLflow REST API docs: Metric.timestamp is Unix time in milliseconds',
    level: 'MUST',
    scenario: 'healthy',
    features: ['every situation'],
    dependsOn: ['childRunPerNode'],
    statement:
      "Every metric value's timestamp is in milliseconds and inside its run's window (start to end, 1 s slack).",
    rationale: 'Wall-clock charts and the order of values across runs come from timestamps.',
    check: (o) => {
      const bad: string[] = [];
      let n = 0;
      for (const r of o.runs) {
        const { start_time: start, end_time: end } = r.run.info;
        for (const [key, h] of Object.entries(r.metricHistory))
          for (const m of h) {
            n++;
            const inside = m.timestamp >= start - SLACK_MS && (end === undefined || m.timestamp <= end + SLACK_MS);
            if (!plausibleMs(m.timestamp) || !inside)
              bad.push(`${key}@${m.step} t=${m.timestamp} (run ${start}..${end ?? '?'})`);
          }
      }
      // Nothing to look at is not a pass when the nodes that ran produced metric values.
      const producedAny = o.pipeline.nodes.some((x) => o.completedNodes.includes(x.name) && x.metrics.length > 0);
      if (n === 0 && producedAny) bad.push('no metric value in any run');
      return verdict(
        bad.length === 0,
        'timestamps in ms within the run',
        bad.length ? `${bad.length} of ${n}: ${list(bad, 2)}` : `${n} right`,
      );
    },
  },
];
