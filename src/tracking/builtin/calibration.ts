// A hook with a known cost per node: CPU busy time, a wait (the pipeline held, the CPU idle), bytes
// allocated, bytes written to a file, extra requests to MLflow. The harness must recover what it injects
// (exactly for counts and bytes, closely for CPU): this is how we know the instrument reads true.
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InputError } from '../../errors.ts';
import { credentialsFromEnv } from '../../mlflow/auth.ts';
import { MlflowClient } from '../../mlflow/client.ts';
import type { HookFactoryContext, Hooks } from '../../pipeline/hooks.ts';
import { allocate, burnCpu } from '../../pipeline/work.ts';

export interface CalibrationOptions {
  cpuMsPerNode: number;
  /** Milliseconds the hook holds the pipeline after each node without using the CPU (a timer). */
  waitMsPerNode: number;
  allocBytesPerNode: number;
  diskBytesPerNode: number;
  requestsPerNode: number;
  /** Bytes allocated, touched and kept alive for the rest of the run, per node. */
  retainBytesPerNode: number;
}

const KEYS: (keyof CalibrationOptions)[] = [
  'cpuMsPerNode',
  'waitMsPerNode',
  'allocBytesPerNode',
  'diskBytesPerNode',
  'requestsPerNode',
  'retainBytesPerNode',
];

export function calibrationOptions(options: Record<string, unknown>, ctx: HookFactoryContext): CalibrationOptions {
  const out: CalibrationOptions = {
    cpuMsPerNode: 0,
    waitMsPerNode: 0,
    allocBytesPerNode: 0,
    diskBytesPerNode: 0,
    requestsPerNode: 0,
    retainBytesPerNode: 0,
  };
  const problems = [];
  for (const [key, value] of Object.entries(options)) {
    const where = (message: string) =>
      ctx.locate?.([key], message, true) ?? { file: '<calibration options>', path: key, message };
    // includes() is the check
    if (!KEYS.includes(key as keyof CalibrationOptions))
      problems.push(where(`unknown option; calibration takes ${KEYS.join(', ')}`));
    else if (typeof value !== 'number' || !(value >= 0) || (!key.endsWith('MsPerNode') && !Number.isInteger(value)))
      problems.push(where('must be a number >= 0 (an integer for bytes and requests)'));
    // a known key: checked above
    else out[key as keyof CalibrationOptions] = value;
  }
  if (problems.length) throw new InputError(problems);
  return out;
}

export function createCalibrationHook(options: CalibrationOptions, ctx: HookFactoryContext): Hooks {
  const uri = ctx.trackingUri ?? process.env.MLFLOW_TRACKING_URI;
  const client =
    options.requestsPerNode > 0 && uri
      ? new MlflowClient({ trackingUri: uri, credentials: credentialsFromEnv() })
      : undefined;
  if (options.requestsPerNode > 0 && !client)
    throw new InputError([
      {
        file: '<calibration options>',
        path: 'requestsPerNode',
        message: 'needs a tracking server (MLFLOW_TRACKING_URI)',
      },
    ]);
  let dir: string | undefined;
  const block = Buffer.alloc(Math.min(options.diskBytesPerNode, 1 << 20), 0x42);
  // Kept until the process ends: what a hook that holds memory looks like to the memory figure.
  const retained: Buffer[] = [];
  return {
    async afterNodeRun(node) {
      burnCpu(options.cpuMsPerNode);
      if (options.waitMsPerNode > 0) await new Promise((resolve) => setTimeout(resolve, options.waitMsPerNode));
      allocate(options.allocBytesPerNode);
      if (options.retainBytesPerNode > 0) retained.push(Buffer.alloc(options.retainBytesPerNode, 0x37));
      if (options.diskBytesPerNode > 0) {
        if (!dir) {
          dir = mkdtempSync(join(tmpdir(), 'trackbench-calibration-'));
          // Removed at exit, not at the pipeline's end: deleting earlier would cancel the very
          // write_bytes the probe is there to see.
          const created = dir;
          process.once('exit', () => rmSync(created, { recursive: true, force: true }));
        }
        const fd = openSync(join(dir, `${node.index}.bin`), 'w');
        for (let left = options.diskBytesPerNode; left > 0; left -= block.length)
          writeSync(fd, block, 0, Math.min(left, block.length));
        closeSync(fd);
      }
      // GET experiments/get for the Default experiment: a request every MLflow answers the same way.
      // a client is made whenever requestsPerNode > 0
      for (let i = 0; i < options.requestsPerNode; i++) await client!.getExperiment('0');
    },
    afterPipelineRun: () => client?.close(),
    onPipelineError: () => client?.close(),
  };
}
