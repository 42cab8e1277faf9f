// Tables with one row per hook, for reports in which hooks have their own "without" (external
// hooks: two versions of a plugin, each against its own environment with the plugin off). A row
// per hook stays within 120 columns however many hooks there are.
import type { MetricName } from '../measure/trial-types.ts';
import { overheadCell } from './format.ts';
import { metricOf, type MetricResult, type Report } from '../measure/report-types.ts';
import type { TextTable } from './tables.ts';

export function hasOwnBaselines(report: Report): boolean {
  return Object.values(report.results).some((r) => r.ownBaseline);
}

const fixed = (v: number, digits: number, scale = 1): string => (v / scale).toFixed(digits);

function pick(report: Report, hook: string, metric: MetricName): MetricResult {
  return metricOf(report.results[hook]!, metric);
}

function side(m: MetricResult, which: 'without' | 'with', digits: number, scale = 1): string {
  return m.available ? fixed(m[which].median, digits, scale) : 'unavailable';
}

function perNode(m: MetricResult, digits: number): string {
  return m.available ? fixed(m.overhead.perNode, digits) : 'unavailable';
}

function arrow(m: MetricResult, digits: number, scale: number): string {
  return m.available ? `${side(m, 'without', digits, scale)} → ${side(m, 'with', digits, scale)}` : 'unavailable';
}

export function perHookTables(report: Report): TextTable[] {
  const hooks = Object.keys(report.results);
  const time: TextTable = {
    head: ['Hook', 'Without (s)', 'With (s)', 'Overhead [95% CI]', 'ms/node', 'CPU ms/node'],
    rows: hooks.map((h) => {
      const wall = pick(report, h, 'wallMs');
      return [
        h,
        side(wall, 'without', 3, 1000),
        side(wall, 'with', 3, 1000),
        overheadCell(wall),
        perNode(wall, 2),
        perNode(pick(report, h, 'cpuMs'), 2),
      ];
    }),
  };
  const resources: TextTable = {
    head: ['Hook', 'API calls', 'calls/node', 'Request KB', 'Peak RSS MB', 'Held MB', 'Disk written MB'],
    rows: hooks.map((h) => {
      const calls = pick(report, h, 'apiCalls');
      return [
        h,
        side(calls, 'with', 0),
        perNode(calls, 2),
        side(pick(report, h, 'requestBytes'), 'with', 1, 1024),
        arrow(pick(report, h, 'peakRssBytes'), 1, 1e6),
        // beside peak RSS, the figure that adds up: live allocations after a full collection
        arrow(pick(report, h, 'retainedBytes'), 1, 1e6),
        arrow(pick(report, h, 'diskWriteBytes'), 2, 1e6),
      ];
    }),
  };
  return [time, resources];
}

/** "label: kedro 1.7.0, kedro-mlflow 2.0.3, ..." for each hook whose environment was recorded. */
export function versionLines(report: Report): string[] {
  return Object.entries(report.results).flatMap(([h, r]) =>
    r.versions
      ? [
          `${h}: ${Object.entries(r.versions)
            .map(([k, v]) => `${k} ${v ?? 'not installed'}`)
            .join(', ')}`,
        ]
      : [],
  );
}
