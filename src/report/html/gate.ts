// A gate (compare, or run --baseline) as HTML: the verdict first, then baseline against current for
// each figure with the check's verdict beside each hook, then every check.
import type { MetricName } from '../../measure/trial-types.ts';
import { EXACT_METRICS } from '../../gate/gate.ts';
import { ROWS, pct } from '../format.ts';
import type { GateDocument } from '../gate.ts';
import type { MetricResult } from '../../measure/report-types.ts';
import { el } from './el.ts';
import { esc } from './escape.ts';
import { type Section } from './page.ts';
import { barChart } from './svg.ts';

/** Hooks drawn in the compare charts: those of the current run that the baseline (if any) also has. */
export function comparedHooks(doc: GateDocument): string[] {
  return Object.keys(doc.current.results).filter((h) => !doc.baseline || doc.baseline.results[h]);
}

/** The figure compared: overhead ratio for noisy metrics, the with-hook median for exact ones. */
export function figureOf(m: MetricResult | undefined, metric: MetricName): number | null {
  if (!m?.available) return null;
  return EXACT_METRICS.has(metric) ? m.with.median : m.overhead.ratio;
}

function verdictOf(doc: GateDocument, hook: string, metric: MetricName): string {
  const checks = doc.gate.checks.filter((c) => c.hook === hook && c.metric === metric);
  if (!checks.length) return '';
  return checks.some((c) => c.status === 'fail') ? 'fail' : 'pass';
}

function charts(doc: GateDocument, prefix: string): string[] {
  const hooks = comparedHooks(doc);
  return ROWS.flatMap((row) => {
    const exact = EXACT_METRICS.has(row.metric);
    const cur = hooks.map((h) => doc.current.results[h]?.metrics[row.metric]);
    const base = hooks.map((h) => doc.baseline?.results[h]?.metrics[row.metric]);
    if (!cur.some((m) => figureOf(m, row.metric) !== null)) return [];
    const series = [
      ...(doc.baseline
        ? [
            {
              name: 'baseline',
              colour: 7,
              values: base.map((m) => figureOf(m, row.metric)),
              ci: base.map((m) => (exact || !m?.available ? null : m.overhead.ci95)),
            },
          ]
        : []),
      {
        name: 'current',
        colour: 0,
        values: cur.map((m) => figureOf(m, row.metric)),
        ci: cur.map((m) => (exact || !m?.available ? null : m.overhead.ci95)),
      },
    ];
    const label = row.label.replace(/ \(.*\)$/, '');
    return [
      barChart(
        `${prefix}compare-${row.metric}`,
        exact ? `${label}: per run, exact` : `${label}: overhead with its 95% interval`,
        exact ? row.label : 'overhead, median(with) / median(without) - 1',
        hooks,
        series,
        exact ? row.show : pct,
        hooks.map((h) => verdictOf(doc, h, row.metric)),
      ),
    ];
  });
}

export function gateSection(doc: GateDocument, prefix: string): Section {
  const failed = doc.gate.checks.filter((c) => c.status === 'fail');
  const rows = doc.gate.checks.map((c) => {
    const cells = [c.id, c.limit, c.found, c.minimumDetectable ?? 'exact'].map((v) => el('td', {}, esc(v))).join('');
    return `<tr>${cells}${el('td', { class: `status-${c.status}` }, c.status === 'pass' ? 'pass' : 'FAIL')}</tr>`;
  });
  const n = doc.gate.checks.length;
  const verdict =
    doc.gate.verdict === 'pass' ? `PASS: all ${n} checks passed` : `FAIL: ${failed.length} of ${n} checks failed`;
  const against = doc.baseline
    ? `Baseline ${doc.baseline.createdAt} against current ${doc.current.createdAt}`
    : `Budgets of ${doc.current.scenario.name}, no baseline`;
  const meta =
    `${against}. Noisy figures are overheads with their 95% intervals; API calls and request bytes are exact. ` +
    "Beside each hook: its checks' verdict for that figure.";
  const head = ['Check', 'Limit', 'Found', 'Could detect', 'Result'].map((h) => el('th', {}, h)).join('');
  const html = [
    el('h2', {}, `Gate: ${esc(doc.title)}`),
    el('div', { class: `verdict ${doc.gate.verdict}` }, verdict),
    // what compare or run --baseline warned of (reports not measured alike), under the verdict it qualifies
    ...(doc.warnings ?? []).map((w) => el('p', { class: 'warning' }, esc(w))),
    el('p', { class: 'meta' }, esc(meta)),
    el('div', { class: 'charts' }, charts(doc, prefix).join('')),
    el('table', { class: 'checks' }, `<thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody>`),
  ].join('\n');
  return { html, data: doc };
}
