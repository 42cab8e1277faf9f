// Tables with one row per hook, for reports in which hooks have their own "without" (external
// hooks: two versions of a plugin, each against its own environment with the plugin off). A row
// per hook stays within 120 columns however many hooks there are.
import type { MetricName } from '../measure/trial-types.ts';
import { overheadCell } from './format.ts';
import type { MetricResult, Report } from '../measure/report-types.ts';

export function hasOwnBaselines(report: Report): boolean {
  return Object.values(report.results).some((r) => r.ownBaseline);
}

const fixed = (v: number | null, digits: number, scale = 1): string =>
  v === null ? 'unavailable' : (v / scale).toFixed(digits);

function pick(report: Report, hook: string, metric: MetricName): MetricResult {
  return report.results[hook]!.metrics[metric];
}

function arrow(m: MetricResult, digits: number, scale: number): string {
  return m.available
    ? `${fixed(m.without.median, digits, scale)} → ${fixed(m.with.median, digits, scale)}`
    : 'unavailable';
}

export interface PlainTable {
  head: string[];
  rows: string[][];
}

export function perHookTables(report: Report): PlainTable[] {
  const hooks = Object.keys(report.results);
  const time: PlainTable = {
    head: ['Hook', 'Without (s)', 'With (s)', 'Overhead [95% CI]', 'ms/node', 'CPU ms/node'],
    rows: hooks.map((h) => {
      const wall = pick(report, h, 'wallMs');
      const cpu = pick(report, h, 'cpuMs');
      return [
        h,
        fixed(wall.without.median, 3, 1000),
        fixed(wall.with.median, 3, 1000),
        overheadCell(wall),
        fixed(wall.overhead.perNode, 2),
        fixed(cpu.overhead.perNode, 2),
      ];
    }),
  };
  const resources: PlainTable = {
    head: ['Hook', 'API calls', 'calls/node', 'Request KB', 'Peak RSS MB', 'Disk written MB'],
    rows: hooks.map((h) => {
      const calls = pick(report, h, 'apiCalls');
      return [
        h,
        fixed(calls.with.median, 0),
        fixed(calls.overhead.perNode, 2),
        fixed(pick(report, h, 'requestBytes').with.median, 1, 1024),
        arrow(pick(report, h, 'peakRssBytes'), 1, 1e6),
        arrow(pick(report, h, 'diskWriteBytes'), 2, 1e6),
      ];
    }),
  };
  return [time, resources];
}

/** "label: kedro 1.7.0, kedro-mlflow 2.0.3, ..." for each hook whose environment was recorded. */
export function versionLines(report: Report): string[] {
  return Object.entries(report.results)
    .filter(([, r]) => r.versions)
    .map(
      ([h, r]) =>
        `${h}: ${Object.entries(r.versions!)
          .map(([k, v]) => `${k} ${v ?? 'not installed'}`)
          .join(', ')}`,
    );
}
