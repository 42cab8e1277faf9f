// The sweep table: overhead per node at each size, and the growth exponent per hook.
import Table from 'cli-table3';
import type { SweepReport } from '../measure/sweep.ts';
import { SUPERLINEAR } from '../stats/growth.ts';

export function sweepTables(s: SweepReport, color: boolean): string {
  const style = color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] };
  const hooks = Object.keys(s.growth);
  const perNode = new Table({ head: ['Nodes', ...hooks.flatMap((h) => [`${h} ms/node`, `${h} calls/node`])], style });
  for (const p of s.points) {
    perNode.push([
      String(p.nodes),
      ...hooks.flatMap((h) => {
        const r = p.report.results[h];
        return [
          r?.metrics.wallMs.overhead.perNode?.toFixed(3) ?? '',
          r?.metrics.apiCalls.overhead.perNode?.toFixed(2) ?? '',
        ];
      }),
    ]);
  }
  const growth = new Table({ head: ['Growth of hook cost (log-log slope)', ...hooks], style });
  for (const metric of ['wallMs', 'cpuMs', 'apiCalls', 'requestBytes'] as const) {
    growth.push([
      metric,
      ...hooks.map((h) => {
        const g = s.growth[h]?.[metric];
        return g ? `${g.slope.toFixed(2)}${g.superlinear ? ' SUPERLINEAR' : ''} (r2 ${g.r2.toFixed(2)})` : 'n/a';
      }),
    ]);
  }
  return (
    `${s.scenario}: ${s.points.length} sizes\n${perNode.toString()}\n${growth.toString()}\nslope 1 = constant ` +
    `cost per node; flagged above ${SUPERLINEAR}.`
  );
}
