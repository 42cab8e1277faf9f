// The sweep table: overhead per node at each size, and the growth exponent per hook.
import { GROWTH_METRICS, type SweepReport } from '../measure/sweep.ts';
import { SUPERLINEAR } from '../stats/growth.ts';
import { consoleTable } from './console.ts';
import type { TextTable } from './tables.ts';

export function sweepTables(s: SweepReport, color: boolean): string {
  const hooks = Object.keys(s.growth);
  const perNode: TextTable = {
    head: ['Nodes', ...hooks.flatMap((h) => [`${h} ms/node`, `${h} calls/node`])],
    rows: s.points.map((p) => [
      String(p.nodes),
      ...hooks.flatMap((h) => {
        const r = p.report.results[h];
        return [
          r?.metrics.wallMs.overhead.perNode?.toFixed(3) ?? '',
          r?.metrics.apiCalls.overhead.perNode?.toFixed(2) ?? '',
        ];
      }),
    ]),
  };
  const growth: TextTable = {
    head: ['Growth of hook cost (log-log slope)', ...hooks],
    rows: GROWTH_METRICS.map((metric) => [
      metric,
      ...hooks.map((h) => {
        const g = s.growth[h]?.[metric];
        return g ? `${g.slope.toFixed(2)}${g.superlinear ? ' SUPERLINEAR' : ''} (r2 ${g.r2.toFixed(2)})` : 'n/a';
      }),
    ]),
  };
  return [
    `${s.scenario}: ${s.points.length} sizes`,
    consoleTable(perNode, color),
    consoleTable(growth, color),
    `slope 1 = constant cost per node; flagged above ${SUPERLINEAR}.`,
  ].join('\n');
}
