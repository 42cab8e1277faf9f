// The history as HTML: per scenario, each hook's per-node cost and API calls over commits, one line
// per hook, with the commits where the gate fired shaded.
import { scenarioNames, type HistoryEntry, type HookFigures } from '../history.ts';
import { el } from './el.ts';
import { esc } from './escape.ts';
import { table, type Section } from './page.ts';
import { lineChart, type LineSeries } from './svg.ts';

const FIGURES: { key: keyof HookFigures; title: string; unit: string }[] = [
  { key: 'wallMsPerNode', title: 'Wall time per node', unit: 'ms/node' },
  { key: 'apiCallsPerNode', title: 'MLflow API calls per node', unit: 'calls/node' },
];

export function historyHooks(entries: HistoryEntry[]): string[] {
  return [...new Set(entries.flatMap((e) => Object.keys(e.hooks)))].sort();
}

function chart(entries: HistoryEntry[], hooks: string[], f: (typeof FIGURES)[number], id: string): string {
  const series: LineSeries[] = hooks.map((hook, colour) => ({
    name: hook,
    colour,
    points: entries.flatMap((e, i) => {
      const v = e.hooks[hook]?.[f.key];
      return typeof v === 'number' ? [{ x: i, y: v, label: `${e.commit.slice(0, 7)} (${e.time})` }] : [];
    }),
  }));
  const marked = entries.flatMap((e, index) =>
    e.gate === 'fail' ? [{ index, title: `gate failed at ${e.commit.slice(0, 7)}, ${e.time}` }] : [],
  );
  return lineChart(
    id,
    `${f.title} over commits (oldest left)` +
      (marked.length ? `; shaded: ${marked.length} commit(s) where the gate fired` : ''),
    series,
    {
      xLabel: 'commit',
      yLabel: f.unit,
      log: false,
      fmtX: (v) => String(v),
      fmtY: (v) => v.toPrecision(3),
      xCategories: entries.map((e) => e.commit.slice(0, 7)),
      marked,
    },
  );
}

export function historySections(entries: HistoryEntry[]): Section[] {
  return scenarioNames(entries).map((scenario, si) => {
    const of = entries.filter((e) => e.scenario === scenario);
    const hooks = historyHooks(of);
    const rows = of
      .slice()
      .reverse()
      .map((e) => [
        e.commit.slice(0, 12),
        e.time,
        e.ref ?? '',
        e.gate ?? '',
        ...hooks.map((h) => {
          const f = e.hooks[h];
          return f ? `${f.wallMsPerNode?.toFixed(3) ?? '-'} ms, ${f.apiCallsPerNode?.toFixed(2) ?? '-'} calls` : '';
        }),
      ]);
    const failures = of.filter((e) => e.gate === 'fail').length;
    const span = `from ${of[0]?.time ?? ''} to ${of.at(-1)?.time ?? ''}`;
    const meta = `${of.length} run(s) ${span}; ${failures} gate failure(s).`;
    const runs = table(['Commit', 'Time', 'Ref', 'Gate', ...hooks], rows, 'history');
    const html = [
      el('h2', {}, `History: ${esc(scenario)}`),
      el('p', { class: 'meta' }, esc(meta)),
      el('div', { class: 'charts' }, FIGURES.map((f) => chart(of, hooks, f, `h${si}-${f.key}`)).join('')),
      el('details', {}, '<summary>Every run, newest first (per node: wall time, API calls)</summary>' + runs),
    ].join('\n');
    return { html, data: of };
  });
}
