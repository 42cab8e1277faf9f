// Per-trial resource probes, read by the trial process about itself: CPU time, peak RSS (its own
// ru_maxrss, not a parent's high-water mark) and /proc/self/io counters. A probe the platform lacks
// is null, and reports say "unavailable" rather than printing zero.
import { readFileSync } from 'node:fs';

export interface IoCounters {
  wchar: number;
  writeBytes: number;
  cancelledWriteBytes: number;
}

export function readProcIo(): IoCounters | null {
  try {
    const fields = Object.fromEntries(
      readFileSync('/proc/self/io', 'utf8')
        .trim()
        .split('\n')
        .map((l) => {
          const [k, v] = l.split(':');
          return [k!.trim(), Number(v)];
        }),
    ) as Record<string, number>;
    return {
      wchar: fields.wchar ?? 0,
      writeBytes: fields.write_bytes ?? 0,
      cancelledWriteBytes: fields.cancelled_write_bytes ?? 0,
    };
  } catch {
    return null;
  }
}

export interface ProbeStart {
  wall: bigint;
  cpu: NodeJS.CpuUsage;
  io: IoCounters | null;
}

export function startProbes(): ProbeStart {
  return { io: readProcIo(), cpu: process.cpuUsage(), wall: process.hrtime.bigint() };
}

/** null: not measured in this trial (e.g. time under Valgrind, which would be Valgrind's). */
export interface ResourceProbes {
  wallMs: number | null;
  cpuMs: number | null;
  peakRssBytes: number | null;
  /** Bytes sent toward storage, net of writes cancelled by truncation or deletion. */
  diskWriteBytes: number | null;
  /** Every byte passed to write system calls (files, sockets, pipes). */
  writeBytes: number | null;
  /** From the trial process's start to the pipeline's (start-up, module loading, hook set-up); an external
   * command's: the setupMs it wrote (the Python helper: Kedro and plugin imports, hooks, session, to the run). */
  startupMs?: number | null;
  /** Live allocations after a full GC at the pipeline's end: V8 heap + ArrayBuffers (Node trials with --expose-gc),
   * pymalloc + malloc in use (Python trials, trackbench_kedro.memory). */
  retainedBytes?: number | null;
  /** Instructions of the pipeline run alone outside the C allocator, counted by Valgrind (--instrument cpu-sim). */
  instructions?: number | null;
  /** Instructions of the pipeline run inside the C allocator (malloc, free and their internals). */
  allocatorInstructions?: number | null;
  /** Instructions of hook import and set-up, counted by Valgrind (--instrument cpu-sim). */
  setupInstructions?: number | null;
}

/** Time a trial's own probe took inside the measured run (the memory-held probe's full collections). */
export interface ProbeTime {
  wallMs: number;
  cpuMs: number;
}

/**
 * The run's wall and CPU time without what trackbench's own probe took in it: the memory-held probe's full
 * collections took 45-90 ms of a 50-node run and 0.6-0.85 s of a 5000-node one here, in both variants, varying:
 * left in, they lengthened the baseline and widened the intervals. Python trials do the same
 * (python/src/trackbench_kedro/probes.py).
 */
export function withoutProbeTime(probes: ResourceProbes, spent: ProbeTime): ResourceProbes {
  return {
    ...probes,
    wallMs: probes.wallMs === null ? null : probes.wallMs - spent.wallMs,
    cpuMs: probes.cpuMs === null ? null : probes.cpuMs - spent.cpuMs,
  };
}

/** `ioEnd` may be taken earlier than the rest (before temp files are removed). */
export function endProbes(start: ProbeStart, ioEnd: IoCounters | null = readProcIo()): ResourceProbes {
  const wallMs = Number(process.hrtime.bigint() - start.wall) / 1e6;
  const cpu = process.cpuUsage(start.cpu);
  const io = start.io && ioEnd ? ioEnd : null;
  return {
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    // resourceUsage().maxRSS is in KiB.
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    diskWriteBytes:
      io && start.io
        ? io.writeBytes - start.io.writeBytes - (io.cancelledWriteBytes - start.io.cancelledWriteBytes)
        : null,
    writeBytes: io && start.io ? io.wchar - start.io.wchar : null,
  };
}
