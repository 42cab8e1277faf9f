// Small measured scenarios for the HTML and console-width tests: real trials, a few seconds each.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';

export const LONG_A = 'calibration-one-request-per-node';
export const LONG_B = 'calibration-two-requests-per-node';

/** Two calibration hooks with known extra requests and CPU per node (long labels: wide tables). */
export function scenarioFile(
  name = 'html-test',
  extra: { requestsA?: number; budgets?: Record<string, unknown> } = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-html-'));
  const file = join(dir, `${name}.yaml`);
  writeFileSync(
    file,
    stringify({
      name,
      pipeline: {
        nodes: 6,
        topology: { kind: 'chain' },
        paramsPerNode: { count: 2 },
        metricsPerNode: 1,
        work: { cpuMs: 1 },
      },
      hooks: [
        { name: 'calibration', label: LONG_A, options: { requestsPerNode: extra.requestsA ?? 1, cpuMsPerNode: 2 } },
        { name: 'calibration', label: LONG_B, options: { requestsPerNode: 2, cpuMsPerNode: 4 } },
      ],
      trials: { repetitions: 3, quickRepetitions: 3, warmup: 1 },
      ...(extra.budgets ? { budgets: extra.budgets } : {}),
    }),
  );
  return file;
}

export const captureIo = (columns = 120) => {
  const io = {
    stdout: '',
    stderr: '',
    isTTY: false,
    columns,
    out: (t: string) => void (io.stdout += t.endsWith('\n') ? t : `${t}\n`),
    err: (t: string) => void (io.stderr += t.endsWith('\n') ? t : `${t}\n`),
  };
  return io;
};
