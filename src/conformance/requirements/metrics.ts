// Requirements: metrics.
import type { Requirement } from '../types.ts';
import { storedMetricValue } from '../../mlflow/limits.ts';
import { expectedMetrics, sameMetricValue, verdict, list } from './queries.ts';

export const METRICS: Requirement[] = [
  {
    id: 'MET-001',
    source: 'kedro-mlflow docs: MlflowMetricsHistoryDataset logs every value of a metrics output',
    level: 'MUST',
    scenario: 'basic',
    features: ['metricsPerNode', 'metricSteps'],
    statement: 'Every metric value a node outputs is logged.',
    rationale: 'A missing value breaks curves and comparisons.',
    check: (o) => {
      const want = [...expectedMetrics(o).values()].reduce((n, v) => n + v.length, 0);
      const got = o.runs.reduce((n, r) => n + Object.values(r.metricHistory).reduce((m, h) => m + h.length, 0), 0);
      return verdict(got === want, `${want} metric values`, `${got}`);
    },
  },
  {
    id: 'MET-002',
    source: 'MLflow REST API docs: Metric.step; runs/get-history returns values with their step',
    level: 'MUST',
    scenario: 'basic',
    features: ['metricSteps'],
    statement: 'Each metric value is logged at its step.',
    rationale: 'Steps order a history; a wrong step reorders training curves.',
    check: (o) => {
      const wrong: string[] = [];
      for (const [key, values] of expectedMetrics(o)) {
        const h = o.runs.flatMap((r) => r.metricHistory[key] ?? []);
        values.forEach((v, step) => {
          if (!h.some((m) => m.step === step && sameMetricValue(v, m.value))) wrong.push(`${key}@${step}`);
        });
      }
      return verdict(
        wrong.length === 0,
        'value v_s at step s for every key',
        wrong.length ? `not at their step: ${list(wrong)}` : 'all at their step',
      );
    },
  },
  {
    id: 'MET-003',
    source: 'MLflow REST API docs: metrics/get-history keeps every logged value of a key',
    level: 'MUST',
    scenario: 'basic',
    features: ['metricSteps'],
    statement: 'The full history of a metric is kept, not only its latest value.',
    rationale: 'Only the history shows convergence or regression within a run.',
    check: (o) => {
      const short = [...expectedMetrics(o)]
        .filter(([key, values]) => o.runs.flatMap((r) => r.metricHistory[key] ?? []).length < values.length)
        .map(([k]) => k);
      return verdict(
        short.length === 0,
        'history length = steps for every key',
        short.length ? `short: ${list(short)}` : 'complete',
      );
    },
  },
  {
    id: 'MET-004',
    source: "kedro-mlflow docs: metric keys are the dataset's keys, prefixed as configured",
    level: 'MUST',
    scenario: 'basic',
    features: ['namespaces'],
    statement: 'Metric keys are the names the pipeline gave them (namespaced).',
    rationale: 'Dashboards and comparisons select metrics by key.',
    check: (o) => {
      const keys = new Set(o.runs.flatMap((r) => Object.keys(r.metricHistory)));
      const missing = [...expectedMetrics(o).keys()].filter((k) => !keys.has(k));
      return verdict(
        missing.length === 0,
        'every expected key',
        missing.length ? `missing: ${list(missing)}` : 'all present',
      );
    },
  },
  {
    id: 'MET-005',
    source: 'MLflow REST API docs: Metric.value is a double, stored as sent',
    level: 'MUST',
    scenario: 'basic',
    features: [],
    statement: 'Metric values are logged exactly, without rounding.',
    rationale: 'Rounded metrics hide small regressions.',
    check: (o) => {
      const got = new Set(
        o.runs.flatMap((r) =>
          Object.values(r.metricHistory)
            .flat()
            .map((m) => m.value),
        ),
      );
      // a Set finds NaN by NaN (SameValueZero)
      const lost = [...expectedMetrics(o).values()].flat().filter((v) => !got.has(storedMetricValue(v)));
      return verdict(
        lost.length === 0,
        'every value bit for bit',
        lost.length ? `${lost.length} not found exactly` : 'exact',
      );
    },
  },
];
