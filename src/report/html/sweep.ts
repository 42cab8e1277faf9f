// A sweep as HTML: per-node cost against nodes on log-log axes, one line per hook with its
// fitted exponent (dashed), and the per-size table.
import type { SweepReport } from '../../measure/sweep.ts';
import { SUPERLINEAR } from '../../stats/growth.ts';
import { el } from './el.ts';
import { esc } from './escape.ts';
import { table, type Section } from './page.ts';
import { lineChart, type LineSeries } from './svg.ts';
import { perNodeRows } from '../sweep.ts';

const FIGURES = [
  { metric: 'wallMs', title: 'Wall time per node', unit: 'ms/node', fmt: (v: number) => v.toPrecision(3) },
  { metric: 'apiCalls', title: 'MLflow API calls per node', unit: 'calls/node', fmt: (v: number) => v.toPrecision(3) },
] as const;

/** Hooks of a sweep, in the order of its growth table (the order every chart uses for colours). */
export function sweepHooks(s: SweepReport): string[] {
  return Object.keys(s.growth);
}

function series(s: SweepReport, metric: 'wallMs' | 'apiCalls'): LineSeries[] {
  return sweepHooks(s).map((hook, i) => {
    const points = s.points.flatMap((p) => {
      const m = p.report.results[hook]?.metrics[metric];
      const v = m?.available ? m.overhead.perNode : null;
      return v === null || v === undefined ? [] : [{ x: p.nodes, y: v, label: `${p.nodes} nodes` }];
    });
    const g = s.growth[hook]?.[metric];
    const positive = points.filter((p) => p.x > 0 && p.y > 0);
    // The growth exponent is of total hook cost; per-node cost grows with exponent - 1. The fit is
    // drawn through the geometric mean of the points, where a least-squares line passes.
    const gm = (xs: number[]): number => Math.exp(xs.reduce((a, b) => a + Math.log(b), 0) / xs.length);
    const fit =
      g && positive.length > 1
        ? { exponent: g.slope - 1, x0: gm(positive.map((p) => p.x)), y0: gm(positive.map((p) => p.y)) }
        : undefined;
    const name = g ? `${hook} (exponent ${g.slope.toFixed(2)}${g.superlinear ? ', SUPERLINEAR' : ''})` : hook;
    return { name, colour: i, points, ...(fit ? { fit } : {}) };
  });
}

export function sweepSection(s: SweepReport, prefix: string): Section {
  const hooks = sweepHooks(s);
  const charts = FIGURES.map((f) => {
    const ss = series(s, f.metric);
    const dropped = ss.reduce((n, x) => n + x.points.filter((p) => !(p.y > 0)).length, 0);
    return lineChart(
      `${prefix}sweep-${f.metric}`,
      `${f.title} against pipeline size, log-log; dashed: the fitted power law` +
        (dropped ? ` (${dropped} point(s) at or below zero cannot be drawn on a log axis)` : ''),
      ss,
      { xLabel: 'nodes', yLabel: f.unit, log: true, fmtX: (v) => String(v), fmtY: f.fmt },
    );
  });
  const perSize = perNodeRows(s, hooks);
  const growth = (['wallMs', 'cpuMs', 'apiCalls', 'requestBytes'] as const).map((metric) => [
    metric,
    ...hooks.map((h) => {
      const g = s.growth[h]?.[metric];
      return g ? `${g.slope.toFixed(2)}${g.superlinear ? ' SUPERLINEAR' : ''} (r² ${g.r2.toFixed(2)})` : 'n/a';
    }),
  ]);
  const meta =
    `${s.points.length} sizes: ${s.points.map((p) => p.nodes).join(', ')} nodes. Does per-node cost grow with ` +
    `size? A flat line is a constant cost per node (growth exponent 1 of the total); exponents above ${SUPERLINEAR} ` +
    'are flagged.';
  const html = [
    el('h2', {}, `Sweep: ${esc(s.scenario)}`),
    el('p', { class: 'meta' }, esc(meta)),
    el('div', { class: 'charts' }, charts.join('')),
    table(['Nodes', ...hooks.flatMap((h) => [`${h} ms/node`, `${h} calls/node`])], perSize, 'sweep-sizes'),
    table(['Growth of hook cost (log-log slope)', ...hooks], growth, 'growth'),
  ].join('\n');
  return { html, data: s };
}
