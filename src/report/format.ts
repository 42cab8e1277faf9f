// How figures read: the article's units (s, MB, calls), signed percentages with intervals,
// per-node costs in ms, KB and calls.
import type { MetricName } from '../measure/trial-types.ts';
import type { MetricResult } from '../measure/report-types.ts';

export interface Row {
  metric: MetricName;
  label: string;
  /** Value in the row's display unit. */
  show: (v: number) => string;
  perNode: (v: number) => string;
}

const mb = (v: number): string => (v / 1e6).toFixed(2);
export const ROWS: Row[] = [
  {
    metric: 'wallMs',
    label: 'Pipeline execution time (s)',
    show: (v) => (v / 1000).toFixed(3),
    perNode: (v) => `${v.toFixed(3)} ms/node`,
  },
  {
    metric: 'cpuMs',
    label: 'CPU time, user+sys (s)',
    show: (v) => (v / 1000).toFixed(3),
    perNode: (v) => `${v.toFixed(3)} ms/node`,
  },
  {
    metric: 'peakRssBytes',
    label: 'Memory usage, peak RSS (MB)',
    show: mb,
    perNode: (v) => `${(v / 1024).toFixed(1)} KB/node`,
  },
  {
    metric: 'diskWriteBytes',
    label: 'Disk I/O, written to storage (MB)',
    show: mb,
    perNode: (v) => `${(v / 1024).toFixed(1)} KB/node`,
  },
  {
    metric: 'writeBytes',
    label: 'All bytes written, write(2) calls (MB)',
    show: mb,
    perNode: (v) => `${(v / 1024).toFixed(1)} KB/node`,
  },
  {
    metric: 'apiCalls',
    label: 'MLflow API calls',
    show: (v) => String(Math.round(v * 10) / 10),
    perNode: (v) => `${v.toFixed(2)} calls/node`,
  },
  {
    metric: 'requestBytes',
    label: 'MLflow request bytes (KB)',
    show: (v) => (v / 1024).toFixed(1),
    perNode: (v) => `${(v / 1024).toFixed(2)} KB/node`,
  },
];

export function pct(x: number): string {
  const p = x * 100;
  return `${p >= 0 ? '+' : ''}${Math.abs(p) >= 100 ? p.toFixed(0) : p.toFixed(1)}%`;
}

export function overheadCell(m: MetricResult): string {
  if (!m.available) return 'unavailable';
  if (m.overhead.ratio === null) return m.overhead.absolute ? 'N/A (from 0)' : '0';
  const ci = m.overhead.ci95 ? ` [${pct(m.overhead.ci95[0])}, ${pct(m.overhead.ci95[1])}]` : '';
  return `${pct(m.overhead.ratio)}${ci}`;
}

export function valueCell(row: Row, v: number | null, available: boolean): string {
  return available && v !== null ? row.show(v) : 'unavailable';
}

export function perNodeCell(row: Row, m: MetricResult): string {
  return m.available && m.overhead.perNode !== null ? row.perNode(m.overhead.perNode) : 'unavailable';
}
