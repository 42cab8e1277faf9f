// The charts: SVG written when the report is written, so the page needs no script to show them,
// prints as vectors and takes its colours from CSS (light and dark). Scales and ticks come from
// d3-scale; every data mark carries a class the browser tests count (`point`, `line`, `bar`,
// `whisker`, `gate-fail`) and a <title> that shows its exact figure on hover.
import { scaleLinear, scaleLog, type ScaleContinuousNumeric } from 'd3-scale';
import { el, title } from './el.ts';
import { esc } from './escape.ts';

const W = 600;
const M = { top: 12, right: 26, bottom: 42 };

type Scale = ScaleContinuousNumeric<number, number>;
export type Fmt = (v: number) => string;

const r2 = (v: number): string => (Math.round(v * 100) / 100).toString();

export interface Series {
  name: string;
  /** Index into the palette (CSS classes s0..s7), so a hook keeps its colour across charts. */
  colour: number;
}

function frame(id: string, height: number, caption: string, body: string, legend: Series[] = []): string {
  const keys = legend.map((s) =>
    el('span', { class: 'key' }, el('i', { class: `sw s${s.colour % 8}` }, '') + esc(s.name)),
  );
  const svg = el('svg', { viewBox: `0 0 ${W} ${height}`, role: 'img', 'aria-label': caption }, body);
  const legendHtml = keys.length ? el('span', { class: 'legend' }, keys.join('')) : '';
  return el('figure', { class: 'chart', 'data-chart': id }, svg + el('figcaption', {}, esc(caption) + legendHtml));
}

/** The x axis line and its label, under the plot. */
function baseline(x: Scale, y1: number, label: string): string {
  const [a, b] = x.range() as [number, number];
  return (
    el('line', { class: 'axis-line', x1: a, x2: b, y1, y2: y1 }) +
    el('text', { class: 'axis-label', x: (a + b) / 2, y: y1 + 32, 'text-anchor': 'middle' }, esc(label))
  );
}

function xAxis(x: Scale, y0: number, y1: number, label: string, format: Fmt, log = false): string {
  const ticks = log ? logTicks(x) : x.ticks(6);
  const parts = ticks.map(
    (t) =>
      el('line', { class: 'grid', x1: x(t), x2: x(t), y1: y0, y2: y1 }) +
      el('text', { class: 'tick', x: x(t), y: y1 + 14, 'text-anchor': 'middle' }, esc(format(t))),
  );
  return el('g', { class: 'axis x' }, parts.join('') + baseline(x, y1, label));
}

function yAxis(y: Scale, x0: number, x1: number, label: string, format: Fmt, log = false): string {
  const ticks = log ? logTicks(y) : y.ticks(5);
  const parts = ticks.map(
    (t) =>
      el('line', { class: 'grid', x1: x0, x2: x1, y1: y(t), y2: y(t) }) +
      el('text', { class: 'tick', x: x0 - 6, y: y(t), dy: '0.32em', 'text-anchor': 'end' }, esc(format(t))),
  );
  const [b, a] = y.range() as [number, number];
  const transform = `translate(14 ${r2((a + b) / 2)}) rotate(-90)`;
  const name = el('text', { class: 'axis-label', transform, 'text-anchor': 'middle' }, esc(label));
  return el('g', { class: 'axis y' }, parts.join('') + name);
}

/** Decades, plus 2 and 5 when the axis spans few of them. */
function logTicks(s: Scale): number[] {
  const [lo, hi] = s.domain() as [number, number];
  const decades = Math.log10(hi / lo);
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++)
    for (const m of decades > 3 ? [1] : [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  // Less than a decade or so: d3's own log ticks (1, 2, 3 ... 9 times a power of ten).
  return out.length >= 3 ? out : s.ticks(6);
}

function extent(values: number[], includeZero: boolean): [number, number] {
  let lo = Math.min(...values, ...(includeZero ? [0] : []));
  let hi = Math.max(...values, ...(includeZero ? [0] : []));
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [0, 1];
  if (lo === hi) {
    const pad = Math.abs(lo) * 0.1 || 1;
    lo -= pad;
    hi += pad;
  }
  return [lo, hi];
}

/** 5% above the highest value, so points on it are not cut by the frame. */
function headroom([lo, hi]: [number, number]): [number, number] {
  return [lo, hi + (hi - lo) * 0.05];
}

function logExtent(values: number[]): [number, number] {
  const pos = values.filter((v) => v > 0 && Number.isFinite(v));
  if (!pos.length) return [1, 10];
  const lo = Math.min(...pos);
  const hi = Math.max(...pos);
  return lo === hi ? [lo / 2, hi * 2] : [lo / 1.3, hi * 1.3];
}

export interface StripGroup {
  label: string;
  colour: number;
  /** One strip per variant: every sample a point; outliers (indices) drawn as rings. */
  strips: { label: string; values: (number | null)[]; outliers: number[]; median: number | null }[];
}

/** Every trial as a point, grouped per hook with one strip per variant, the median as a tick. */
export function stripChart(id: string, caption: string, yLabel: string, groups: StripGroup[], fmt: Fmt): string {
  const h = 260;
  const all = groups.flatMap((g) => g.strips.flatMap((s) => s.values.filter((v): v is number => v !== null)));
  const y = scaleLinear()
    .domain(extent(all, false))
    .nice()
    .range([h - M.bottom, M.top]);
  const left = 64;
  const gw = (W - left - M.right) / Math.max(groups.length, 1);
  const marks: string[] = [];
  groups.forEach((g, gi) => {
    const sw = gw / Math.max(g.strips.length, 1);
    g.strips.forEach((s, si) => {
      const cx = left + gi * gw + si * sw + sw / 2;
      const cls = si === 0 && g.strips.length > 1 ? 'base' : `s${g.colour % 8}`;
      s.values.forEach((v, i) => {
        if (v === null) return;
        // A deterministic spread so equal values stay visible side by side.
        const jitter = ((((i * 7919) % 17) / 16) * 2 - 1) * Math.min(sw * 0.3, 18);
        const ring = s.outliers.includes(i) ? ' outlier' : '';
        const tip = `${g.label}, ${s.label}, trial ${i + 1}: ${fmt(v)}${ring ? ' (Tukey outlier)' : ''}`;
        marks.push(el('circle', { class: `point ${cls}${ring}`, cx: cx + jitter, cy: y(v), r: 3.5 }, title(tip)));
      });
      if (s.median !== null) {
        const my = y(s.median);
        const tip = title(`${g.label}, ${s.label}: median ${fmt(s.median)}`);
        marks.push(el('line', { class: 'median', x1: cx - sw * 0.35, x2: cx + sw * 0.35, y1: my, y2: my }, tip));
      }
      marks.push(el('text', { class: 'tick', x: cx, y: h - M.bottom + 14, 'text-anchor': 'middle' }, esc(s.label)));
    });
    const gx = left + gi * gw;
    const labelAttrs = { class: 'group-label', x: gx + gw / 2, y: h - M.bottom + 30, 'text-anchor': 'middle' };
    marks.push(el('text', labelAttrs, esc(g.label)));
    if (gi > 0) marks.push(el('line', { class: 'sep', x1: gx, x2: gx, y1: M.top, y2: h - M.bottom }));
  });
  return frame(id, h, caption, yAxis(y, left, W - M.right, yLabel, fmt) + marks.join(''));
}

export interface BarSeries extends Series {
  values: (number | null)[];
  /** Optional 95% interval per category, drawn as a whisker with caps. */
  ci?: ([number, number] | null)[];
}

/** Horizontal bars, one row per category and one bar per series, with interval whiskers. */
export function barChart(
  id: string,
  caption: string,
  xLabel: string,
  categories: string[],
  series: BarSeries[],
  fmt: Fmt,
  badges: string[] = [],
): string {
  const row = 14 * series.length + 14;
  const h = M.top + M.bottom + row * categories.length;
  // Room for the longest label (about 6 px a character at 11 px), within reason.
  const chars = Math.max(...categories.map((c, i) => c.length + (badges[i] ? badges[i].length + 1 : 0)), 4);
  const left = Math.min(Math.max(60, 12 + chars * 6.2), W / 2);
  const values = series.flatMap((s) => [
    ...s.values.filter((v): v is number => v !== null),
    ...(s.ci ?? []).flatMap((c) => c ?? []),
  ]);
  const x = scaleLinear()
    .domain(extent(values.filter(Number.isFinite), true))
    .nice()
    .range([left, W - M.right]);
  const marks: string[] = [];
  categories.forEach((c, ci) => {
    const top = M.top + ci * row + 7;
    const badge = badges[ci] ? ` ${el('tspan', { class: `badge-${badges[ci]}` }, esc(badges[ci]))}` : '';
    const catAttrs = { class: 'cat', x: left - 8, y: top + (row - 14) / 2, dy: '0.32em', 'text-anchor': 'end' };
    marks.push(el('text', catAttrs, esc(c) + badge));
    series.forEach((s, si) => {
      const v = s.values[ci];
      const yy = top + si * 14;
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      const x0 = x(Math.min(0, v));
      const x1 = x(Math.max(0, v));
      const cls = `bar s${(series.length === 1 ? ci : s.colour) % 8}`;
      const rect = { class: cls, x: x0, y: yy, width: Math.max(x1 - x0, 1), height: 10 };
      marks.push(el('rect', rect, title(`${c}, ${s.name}: ${fmt(v)}`)));
      const band = s.ci?.[ci];
      if (band && band.every(Number.isFinite)) {
        const [a, b] = [x(band[0]), x(band[1])];
        const tip = title(`${c}, ${s.name}: 95% interval ${fmt(band[0])} to ${fmt(band[1])}`);
        const lines =
          el('line', { x1: a, x2: b, y1: yy + 5, y2: yy + 5 }) +
          el('line', { x1: a, x2: a, y1: yy, y2: yy + 10 }) +
          el('line', { x1: b, x2: b, y1: yy, y2: yy + 10 });
        marks.push(el('g', { class: 'whisker' }, tip + lines));
      }
    });
  });
  const zero = x(0);
  const body =
    xAxis(x, M.top, h - M.bottom, xLabel, fmt) +
    el('line', { class: 'zero', x1: zero, x2: zero, y1: M.top, y2: h - M.bottom }) +
    marks.join('');
  return frame(id, h, caption, body, series.length > 1 ? series : []);
}

export interface LineSeries extends Series {
  points: { x: number; y: number; label?: string }[];
  /** A fitted power law drawn dashed: y = y0 * (x / x0) ^ exponent through (x0, y0). */
  fit?: { exponent: number; x0: number; y0: number };
}

export interface LineChartOptions {
  xLabel: string;
  yLabel: string;
  log: boolean;
  fmtX: Fmt;
  fmtY: Fmt;
  /** Category labels for an index x axis (history: one per commit). */
  xCategories?: string[];
  /** Indices of x categories to mark (history: commits where the gate fired). */
  marked?: { index: number; title: string }[];
}

function scales(series: LineSeries[], o: LineChartOptions, left: number, h: number): { x: Scale; y: Scale } {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y));
  const xRange = [left, W - M.right];
  const yRange = [h - M.bottom, M.top];
  const x: Scale = o.xCategories
    ? scaleLinear()
        .domain([-0.5, Math.max(o.xCategories.length - 0.5, 0.5)])
        .range(xRange)
    : o.log
      ? scaleLog().domain(logExtent(xs)).range(xRange)
      : scaleLinear().domain(extent(xs, false)).nice().range(xRange);
  const y: Scale = o.log
    ? scaleLog().domain(logExtent(ys)).range(yRange)
    : scaleLinear()
        .domain(headroom(extent(ys, true)))
        .nice()
        .range(yRange);
  return { x, y };
}

/** One line per series; log-log for sweeps, index x for history. */
export function lineChart(id: string, caption: string, series: LineSeries[], o: LineChartOptions): string {
  const h = 280;
  const left = 64;
  const { x, y } = scales(series, o, left, h);
  const parts: string[] = [];
  for (const m of o.marked ?? []) {
    const a = x(m.index - 0.5);
    const b = x(m.index + 0.5);
    const band = { class: 'gate-fail', x: a, y: M.top, width: b - a, height: h - M.bottom - M.top };
    parts.push(el('rect', band, title(m.title)));
  }
  for (const s of series) {
    const drawable = s.points.filter((p) => Number.isFinite(p.y) && (!o.log || (p.x > 0 && p.y > 0)));
    const cls = `s${s.colour % 8}`;
    if (drawable.length > 1) {
      const d = drawable.map((p, i) => `${i ? 'L' : 'M'}${r2(x(p.x))},${r2(y(p.y))}`).join('');
      parts.push(el('path', { class: `line ${cls}`, d }, title(s.name)));
    }
    const fit = s.fit;
    if (fit && drawable.length > 1) {
      const [a, b] = x.domain() as [number, number];
      const at = (v: number): number => fit.y0 * (v / fit.x0) ** fit.exponent;
      const d = `M${r2(x(a))},${r2(y(at(a)))}L${r2(x(b))},${r2(y(at(b)))}`;
      parts.push(
        el('path', { class: `fit ${cls}`, d }, title(`${s.name}: fitted exponent ${fit.exponent.toFixed(2)}`)),
      );
    }
    for (const p of drawable) {
      const tip = title(`${s.name}, ${p.label ?? o.fmtX(p.x)}: ${o.fmtY(p.y)}`);
      parts.push(el('circle', { class: `point ${cls}`, cx: x(p.x), cy: y(p.y), r: 3.5 }, tip));
    }
  }
  const xAxisSvg = o.xCategories
    ? categoryAxis(x, o.xCategories, h - M.bottom, o.xLabel)
    : xAxis(x, M.top, h - M.bottom, o.xLabel, o.fmtX, o.log);
  const plot = { x: left, y: M.top, width: W - M.right - left, height: h - M.bottom - M.top };
  const body =
    el('defs', {}, el('clipPath', { id: `clip-${id}` }, el('rect', plot))) +
    xAxisSvg +
    yAxis(y, left, W - M.right, o.yLabel, o.fmtY, o.log) +
    el('g', { 'clip-path': `url(#clip-${id})` }, parts.join(''));
  return frame(id, h, caption, body, series);
}

function categoryAxis(x: Scale, labels: string[], y1: number, label: string): string {
  const every = Math.ceil(labels.length / 12);
  const ticks = labels
    .map((l, i) =>
      i % every === 0 ? el('text', { class: 'tick', x: x(i), y: y1 + 14, 'text-anchor': 'middle' }, esc(l)) : '',
    )
    .join('');
  return el('g', { class: 'axis x' }, ticks + baseline(x, y1, label));
}
