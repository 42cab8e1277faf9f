// How figures read: the article's units (s, MB, calls), signed percentages with intervals,
// per-node costs in ms, KB and calls.
import { VALUE_KINDS, type MetricName } from '../measure/trial-types.ts';
import { checkOutcome } from '../gate/gate.ts';
import { countsAllocatorApart, type MetricResult, type Report } from '../measure/report-types.ts';

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

const mi = (v: number): string => (v / 1e6).toFixed(3);
function instructionRow(metric: MetricName, label: string): Row {
  return { metric, label, show: mi, perNode: (v) => `${Math.round(v).toLocaleString('en-US')} instr/node` };
}

/** Rows shown only when some hook has them (memory after GC, instruction counts). */
export const OPTIONAL_ROWS: Row[] = [
  {
    metric: 'retainedBytes',
    label: 'Memory held, live allocations after GC (MB)',
    show: mb,
    perNode: (v) => `${(v / 1024).toFixed(1)} KB/node`,
  },
  {
    metric: 'startupMs',
    label: 'Trial start-up, to the pipeline run (s)',
    show: (v) => (v / 1000).toFixed(3),
    perNode: (v) => `${v.toFixed(3)} ms/node`,
  },
  instructionRow('instructions', 'Instructions, pipeline run, outside malloc (M)'),
  instructionRow('allocatorInstructions', 'Instructions, pipeline run, in malloc/free (M)'),
  instructionRow('setupInstructions', 'Instructions, hook import + set-up (M)'),
];

/** The rows of a report: the article's, then the optional ones some hook measured. */
export function rowsOf(report: Report): Row[] {
  const results = Object.values(report.results);
  // A report of an earlier trackbench counted the allocator in the run's instructions.
  const allocatorApart = results.some(countsAllocatorApart);
  return [...ROWS, ...OPTIONAL_ROWS.filter((r) => results.some((h) => h.metrics[r.metric]?.available))].map((r) =>
    r.metric === 'instructions' && !allocatorApart
      ? { ...r, label: 'Instructions, pipeline run, malloc included (M)' }
      : r,
  );
}

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

export function valueCell(row: Row, m: MetricResult, side: 'without' | 'with'): string {
  return m.available ? row.show(m[side].median) : 'unavailable';
}

export function perNodeCell(row: Row, m: MetricResult): string {
  return m.available ? row.perNode(m.overhead.perNode) : 'unavailable';
}

/** "produced / delivered / lost" per value kind and hook: the loss is a figure of its own. */
export function valuesRows(report: Report): string[][] {
  const hooks = Object.keys(report.results);
  return VALUE_KINDS.map((k) => [
    `${k} produced / delivered / lost`,
    ...hooks.map((h) => {
      const v = report.results[h]!.values;
      if (!v.available) return `${v.produced[k]} / unavailable (${v.reason})`;
      return `${v.produced[k]} / ${v.delivered[k]} / ${v.lost[k] ? `**${v.lost[k]} LOST**` : '0'}`;
    }),
  ]);
}

/** The options of `run` that changed the figures, as given on its command line: ", --quick, --hook a,b". */
export function runOptionsText(trials: Report['trials']): string {
  const options = [
    ...(trials.quick ? ['--quick'] : []),
    ...(trials.selectedHooks ? [`--hook ${trials.selectedHooks.join(',')}`] : []),
    ...(trials.instrument ? [`--instrument ${trials.instrument}`] : []),
    ...(trials.allowFailures ? ['--allow-failures'] : []),
  ];
  return options.map((o) => `, ${o}`).join('');
}

/**
 * Lines that must be seen first: trials that failed (only with --allow-failures), and hooks whose values did not
 * all reach the server (lost, or the loss could not be checked), each of which fails the gate (checkOutcome).
 */
export function faultLines(report: Report): string[] {
  const failed = report.failures.length
    ? [
        `FAILED TRIALS: ${report.failures.length} of ${report.trials.total}; ` +
          'their rounds are left out of every figure and the gate fails',
        ...report.failures.map(
          (f) =>
            `  ${f.hook ?? 'without'}, ${f.warmup ? 'warm-up' : `round ${f.round + 1}`}: ${f.error.split('\n')[0]}`,
        ),
      ]
    : [];
  const undelivered = checkOutcome(report).filter((c) => c.status === 'fail' && c.id === `values ${c.hook} delivered`);
  return [...failed, ...undelivered.map((c) => `VALUES NOT DELIVERED: ${c.hook}: ${c.found}; the gate fails`)];
}

/** One line: the machine, then what ran each external hook (interpreter and package versions). */
export function environmentLine(report: Report): string {
  const e = report.environment;
  const hooks = Object.entries(e.hooks ?? {}).flatMap(([label, h]) => {
    if (!h.python) return h.command ? [`${label}: ${h.command}`] : [];
    if ('unavailable' in h.python) return [`${label}: ${h.python.unavailable}`];
    const pk = Object.entries(h.python.packages).map(([n, v]) => `${n} ${v}`);
    return [`${label}: Python ${h.python.version}${pk.length ? `, ${pk.join(', ')}` : ''}`];
  });
  return (
    `Environment: Node ${e.node}, ${e.python ?? 'no python3'}, ${e.cpuModel} x ${e.cores}, ${e.os} (${e.kernel}); ` +
    `trackbench ${report.trackbenchVersion}; ${report.createdAt}.${hooks.length ? ` ${hooks.join('; ')}.` : ''}`
  );
}
