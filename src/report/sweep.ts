// The sweep table: overhead per node at each size, and the growth exponent per hook.
import type { SweepReport } from '../measure/sweep.ts';
import { MIN_GROWTH_POINTS, SUPERLINEAR } from '../stats/growth.ts';
import { DEFAULT_WIDTH, fitTable } from './fit.ts';

/** One row per size: each hook's ms and calls per node (empty where not measured). */
export function perNodeRows(s: SweepReport, hooks: string[]): string[][] {
  return s.points.map((p) => [
    String(p.nodes),
    ...hooks.flatMap((h) => {
      const wall = p.report.results[h]?.metrics.wallMs;
      const calls = p.report.results[h]?.metrics.apiCalls;
      return [
        wall?.available ? wall.overhead.perNode.toFixed(3) : '',
        calls?.available ? calls.overhead.perNode.toFixed(2) : '',
      ];
    }),
  ]);
}

export function sweepTables(s: SweepReport, color: boolean, width = DEFAULT_WIDTH): string {
  const hooks = Object.keys(s.growth);
  const growthRows = (['wallMs', 'cpuMs', 'apiCalls', 'requestBytes'] as const).map((metric) => [
    metric,
    ...hooks.map((h) => {
      const g = s.growth[h]?.[metric];
      return g
        ? `${g.slope.toFixed(2)}${g.superlinear ? ' SUPERLINEAR' : ''} (r2 ${g.r2.toFixed(2)})`
        : `n/a (needs ${MIN_GROWTH_POINTS} sizes with a cost)`;
    }),
  ]);
  const perNode = fitTable(
    {
      head: ['Nodes', ...hooks.flatMap((h) => [`${h} ms/node`, `${h} calls/node`])],
      rows: perNodeRows(s, hooks),
      stub: 1,
      groups: hooks.map((_, i) => [1 + 2 * i, 2 + 2 * i]),
    },
    width,
    color,
  );
  const growth = fitTable(
    { head: ['Growth of hook cost (log-log slope)', ...hooks], rows: growthRows, stub: 1 },
    width,
    color,
  );
  const legend = `slope 1 = constant cost per node; flagged above ${SUPERLINEAR}.`;
  return `${s.scenario}: ${s.points.length} sizes\n${perNode}\n${growth}\n${legend}`;
}
