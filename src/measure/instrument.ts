// The instruction-count instrument (--instrument cpu-sim): each Node trial runs under Valgrind's
// callgrind with V8's deterministic flags, and callgrind dumps its counters whenever the trial
// enters libc's getpriority(), which the trial calls only at its marks (trial-worker.ts). The
// dumps between the marks are exactly hook import + set-up and the pipeline run; start-up, module
// loading and exit fall outside. Counts repeat to a few thousand instructions in hundreds of
// millions, on a busy machine as on a quiet one.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Instrument = 'cpu-sim';

/** V8 flags that make a Node process execute the same instructions each time (all accepted by Node 20). */
export const DETERMINISTIC_V8_FLAGS = [
  '--hash-seed=1',
  '--random-seed=1',
  '--no-opt',
  '--predictable',
  '--predictable-gc-schedule',
  '--single-threaded',
  // Baseline code for every function from its first call: tiering up after a budget moved the
  // node work's loops from the interpreter at a point that varied with I/O timing (+-2.9M a trial).
  '--always-sparkplug',
  // A full collection started by allocation falls on one side or the other of a threshold as
  // responses interleave with the run: one trial in three counted 54M more. A large old space and
  // no incremental marking leave the run with scavenges only (the memory held is a figure of its own).
  '--no-incremental-marking',
  '--initial-old-space-size=1024',
];

export const MARK_FUNCTION = 'getpriority';

/** The valgrind executable, or why there is none. */
export function findValgrind(): { path: string } | { unavailable: string } {
  try {
    const path = execFileSync('sh', ['-c', 'command -v valgrind'], { encoding: 'utf8' }).trim();
    if (!path) throw new Error('not found');
    execFileSync(path, ['--version'], { encoding: 'utf8', timeout: 10_000 });
    return { path };
  } catch {
    return { unavailable: 'valgrind is not installed (apt-get install valgrind; npm run setup:valgrind)' };
  }
}

/** Valgrind's arguments before the program: callgrind, dumps at each mark, one file per dump. */
export function callgrindArgs(outDir: string): string[] {
  return [
    '--tool=callgrind',
    `--dump-before=${MARK_FUNCTION}`,
    `--callgrind-out-file=${join(outDir, 'cg.%p')}`,
    '--trace-children=no',
  ];
}

export interface Counted {
  /** Instructions of hook import and set-up (first mark to second). */
  setupInstructions: number;
  /** Instructions of the pipeline run (second mark to third). */
  instructions: number;
}

/** Reads the dumps a trial left: `cg.<pid>.1` start-up, `.2` set-up, `.3` the run, `cg.<pid>` exit. */
export function readDumps(outDir: string): Counted | { unavailable: string } {
  const parts = readdirSync(outDir)
    .map((f) => f.match(/^cg\.\d+\.(\d+)$/))
    .filter((m): m is RegExpMatchArray => m !== null)
    .sort((a, b) => Number(a[1]) - Number(b[1]));
  if (parts.length !== 3)
    return {
      unavailable:
        `expected 3 callgrind dumps (one per mark), found ${parts.length}: ` +
        `something else called ${MARK_FUNCTION}()`,
    };
  const total = (file: string): number => {
    const m = readFileSync(join(outDir, file), 'utf8').match(/^totals:\s+(\d+)/m);
    if (!m) throw new Error(`no totals line in callgrind dump ${file}`);
    return Number(m[1]);
  };
  return { setupInstructions: total(parts[1]![0]), instructions: total(parts[2]![0]) };
}
