// A run report as HTML: the overhead table, each hook's overhead with its 95% interval as a bar
// with whiskers, API calls, and every trial as a point (without and with, per hook).
import { METRICS, type MetricName } from '../../measure/trial-types.ts';
import {
  ROWS,
  faultLines,
  overheadCell,
  pct,
  perNodeCell,
  valueCell,
  valuesRows,
  runOptionsText,
  type Row,
} from '../format.ts';
import type { MetricResult, Report } from '../../measure/report-types.ts';
import { el } from './el.ts';
import { esc } from './escape.ts';
import { table, type Section } from './page.ts';
import { barChart, stripChart, type StripGroup } from './svg.ts';

/** Metrics whose trials are drawn as points (the noisy ones; counted figures are exact). */
export const TRIAL_METRICS: MetricName[] = ['wallMs', 'cpuMs', 'peakRssBytes'];

/** ROWS, then any metric a newer report carries that this version has no row for. */
function rowsOf(report: Report): Row[] {
  const first = Object.values(report.results)[0];
  const extra = Object.keys(first?.metrics ?? {}).filter((k) => !(METRICS as readonly string[]).includes(k));
  return [
    ...ROWS,
    ...extra.map((k) => ({
      metric: k as MetricName, // a metric this version does not know; shown with generic formatting
      label: k,
      show: (v: number) => String(Math.round(v * 1000) / 1000),
      perNode: (v: number) => `${v.toPrecision(3)}/node`,
    })),
  ];
}

function metricOf(report: Report, hook: string, metric: MetricName): MetricResult | undefined {
  return report.results[hook]?.metrics[metric];
}

export function runTable(report: Report): string {
  const hooks = Object.keys(report.results);
  const rows = rowsOf(report).flatMap((r) => {
    const first = metricOf(report, hooks[0] ?? '', r.metric);
    if (!first) return [];
    return [
      [
        r.label,
        valueCell(r, first, 'without'),
        ...hooks.flatMap((h) => {
          const m = metricOf(report, h, r.metric);
          return m ? [valueCell(r, m, 'with'), overheadCell(m)] : ['', ''];
        }),
      ],
    ];
  });
  const perNode = rowsOf(report).map((r) => [
    r.label.replace(/ \(.*\)$/, ''),
    ...hooks.map((h) => {
      const m = metricOf(report, h, r.metric);
      return m ? perNodeCell(r, m) : '';
    }),
  ]);
  return (
    table(['', 'Without', ...hooks.flatMap((h) => [`With ${h}`, 'Overhead [95% CI]'])], rows, 'overhead') +
    table(['Overhead per node', ...hooks], perNode, 'per-node')
  );
}

function overheadCharts(report: Report, prefix: string): string[] {
  const hooks = Object.keys(report.results);
  const charts: string[] = [];
  for (const r of rowsOf(report)) {
    const ms = hooks.map((h) => metricOf(report, h, r.metric));
    if (!ms.some((m) => m?.available && m.overhead.ratio !== null)) continue;
    charts.push(
      barChart(
        `${prefix}overhead-${r.metric}`,
        `${r.label.replace(/ \(.*\)$/, '')}: overhead with its 95% interval`,
        'overhead, median(with) / median(without) - 1',
        hooks,
        [
          {
            name: 'overhead',
            colour: 0,
            values: ms.map((m) => (m?.available ? m.overhead.ratio : null)),
            ci: ms.map((m) => (m?.available ? m.overhead.ci95 : null)),
          },
        ],
        pct,
      ),
    );
  }
  const calls = hooks.map((h) => metricOf(report, h, 'apiCalls'));
  if (calls.some((m) => m?.available))
    charts.push(
      barChart(
        `${prefix}api-calls`,
        'MLflow API calls per run (exact, median trial)',
        'API calls',
        hooks,
        [{ name: 'calls', colour: 0, values: calls.map((m) => (m?.available ? m.with.median : null)) }],
        (v) => String(Math.round(v)),
      ),
    );
  return charts;
}

function trialCharts(report: Report, prefix: string): string[] {
  const hooks = Object.keys(report.results);
  return TRIAL_METRICS.flatMap((metric) => {
    const row = ROWS.find((r) => r.metric === metric)!; // TRIAL_METRICS are all in ROWS
    const groups: StripGroup[] = hooks.flatMap((h, i) => {
      const m = metricOf(report, h, metric);
      if (!m?.available) return [];
      return [
        {
          label: h,
          colour: i,
          strips: [
            { label: 'without', values: m.without.samples, outliers: m.outliers.without, median: m.without.median },
            { label: 'with', values: m.with.samples, outliers: m.outliers.with, median: m.with.median },
          ],
        },
      ];
    });
    if (!groups.length) return [];
    return [
      stripChart(
        `${prefix}trials-${metric}`,
        `${row.label}: every measured trial (rings: Tukey outliers, kept); bar: median`,
        row.label,
        groups,
        row.show,
      ),
    ];
  });
}

function valuesTable(report: Report): string {
  const hooks = Object.keys(report.results);
  const rows = valuesRows(report).map((r) => r.map((c) => c.replace(/\*\*/g, '')));
  rows.push(['pipeline errors', ...hooks.map((h) => String(report.results[h]!.pipelineErrors))]);
  return table(['Values per run', ...hooks], rows, 'values');
}

/** Trials and environment as key/value rows, including fields newer reports add to them. */
function detailsTable(report: Report): string {
  const rows = (['trials', 'environment'] as const).flatMap((part) =>
    Object.entries(report[part] as unknown as Record<string, unknown>).map(([k, v]) => [
      `${part}.${k}`,
      typeof v === 'string' ? v : JSON.stringify(v),
    ]),
  );
  return `<details><summary>Trials and environment</summary>${table(['', ''], rows, 'environment')}</details>`;
}

export function runSection(report: Report, prefix: string): Section {
  const t = report.trials;
  const meta = [
    `${report.nodes} nodes, backend ${report.backend}.`,
    `Medians of ${t.repetitions} paired trial(s) per variant (${t.warmup} warm-up round(s) discarded,`,
    `${t.order} order${runOptionsText(t)};`,
    `${t.total} trial processes in ${(t.durationMs / 1000).toFixed(1)} s);`,
    'overhead = median(with)/median(without) - 1 with its 95% bootstrap interval over paired rounds.',
    `${report.createdAt}.`,
  ].join(' ');
  const html = [
    el('h2', {}, `Run: ${esc(report.scenario.name)}`),
    // failed trials and lost values first, where the eye lands: each fails the gate
    ...faultLines(report).map((l) => el('p', { class: 'fault' }, esc(l.trim()))),
    el('p', { class: 'meta' }, esc(meta)),
    runTable(report),
    '<h3>Overhead</h3>',
    el('div', { class: 'charts' }, overheadCharts(report, prefix).join('')),
    '<h3>Every trial</h3>',
    el('div', { class: 'charts' }, trialCharts(report, prefix).join('')),
    valuesTable(report),
    ...report.notes.map((n) => el('p', { class: 'note' }, `Note: ${esc(n)}`)),
    detailsTable(report),
  ].join('\n');
  return { html, data: report };
}
