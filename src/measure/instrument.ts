// The instruction-count instrument (--instrument cpu-sim): each Node trial runs under Valgrind's
// callgrind with V8's deterministic flags, and callgrind dumps its counters whenever the trial
// enters libc's getpriority(), which the trial calls only at its marks (trial-worker.ts). The
// dumps between the marks are exactly hook import + set-up and the pipeline run; start-up, module
// loading and exit fall outside. Counts repeat to a few thousand instructions in hundreds of
// millions, on a busy machine as on a quiet one.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResourceProbes } from './probes.ts';

export type Instrument = 'cpu-sim';

/** V8 flags that make a Node process execute the same instructions each time (all accepted by Node 20). */
export const DETERMINISTIC_V8_FLAGS = [
  '--hash-seed=1',
  '--random-seed=1',
  '--no-opt',
  '--predictable',
  '--single-threaded',
  // --predictable-gc-schedule's settings (fixed heap growth, no memory reducer), with a young
  // generation large enough that no scavenge falls in a pipeline run: the cost of a scavenge and of
  // sweeping depends on where objects lie, which differed between identical trials (module loading
  // reads files on the thread pool), and moved a 50-node run's count by up to 1.7M (34 scavenges).
  '--min-semi-space-size=256',
  '--max-semi-space-size=256',
  '--heap-growing-percent=30',
  '--no-memory-reducer',
  // Array buffers are freed after a scavenge; done by a background job, when it finished decided
  // whether the next Buffer allocation found 32 MB of them pending and collected first.
  '--no-concurrent-array-buffer-sweeping',
  // Baseline code for every function from its first call: tiering up after a budget moved the
  // node work's loops from the interpreter at a point that varied with I/O timing (+-2.9M a trial).
  '--always-sparkplug',
  // A full collection started by allocation falls on one side or the other of a threshold as
  // responses interleave with the run: one trial in three counted 54M more. A large old space and
  // no incremental marking leave the run with scavenges only (the memory held is a figure of its own).
  '--no-incremental-marking',
  '--initial-old-space-size=1024',
  // No scavenge as a task: V8 posts one when the young generation is 80% full, and it ran on the
  // next event-loop turn, before or after an HTTP answer that arrived in the same turn depending on
  // the server's speed; the survivors, so every later collection, differed (+-1M a trial under load).
  '--no-minor-gc-task',
  // A Node option: one worker for V8's jobs, which --single-threaded still posts (clearing the string
  // table in a full collection), so no race decides which thread's allocations they make.
  '--v8-pool-size=1',
];

/**
 * Environment of a counted Node trial, beside DETERMINISTIC_V8_FLAGS. One libuv pool thread: with four,
 * which one ran a file request (and so which thread's malloc cache its buffers went through) was a race;
 * and glibc's mmap threshold, raised by whichever thread first freed a large block, is fixed. Two
 * with-trials of a 50-node run differed in the call counts of 1,839 functions (heap layout, allocator)
 * without these and of 55 with them (event-loop polls that found data or waited, and malloc).
 */
export const COUNTED_PROCESS_ENV = { UV_THREADPOOL_SIZE: '1', MALLOC_MMAP_THRESHOLD_: '131072' };

export const MARK_FUNCTION = 'getpriority';

const NEVER_MARK = [
  '*/pyenv-hooks',
  '*/pyenv-version*',
  '*/pyenv-which',
  '*/pyenv-prefix',
  '*/pyenv-latest',
  '*/readlink',
  '*/basename',
  '*/git',
  '*/uname',
];

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

/**
 * Valgrind's arguments before the program: callgrind, dumps at each mark, one file per process and
 * dump. `traceChildren` for a shell command line: Valgrind follows it into the program it starts
 * (through a pyenv shim, a shell script, to the real interpreter); only the process that marks is read.
 */
export function callgrindArgs(outDir: string, traceChildren = false): string[] {
  return [
    '--tool=callgrind',
    // Valgrind's own banner would push the trial's last output lines out of failure messages.
    '--quiet',
    `--dump-before=${MARK_FUNCTION}`,
    `--callgrind-out-file=${join(outDir, 'cg.%p')}`,
    `--trace-children=${traceChildren ? 'yes' : 'no'}`,
    // Programs that never mark, each a Valgrind start of seconds: pyenv's helper scripts, which a
    // shim runs before it starts the interpreter (about 30), and what Kedro and MLflow run (git, uname).
    ...(traceChildren ? [`--trace-children-skip=${NEVER_MARK.join(',')}`] : []),
  ];
}

export interface Counted {
  /** Instructions of hook import and set-up (first mark to second); null when the set-up is not marked. */
  setupInstructions: number | null;
  /** Instructions of the pipeline run (the run's two marks) outside the C allocator. */
  instructions: number;
  /** Instructions of the pipeline run inside the C allocator (ALLOCATOR). */
  allocatorInstructions: number;
  /** Why setupInstructions is null. */
  setupUnavailable?: string;
}

/**
 * Reads the dumps a trial left: per process, `cg.<pid>.1` start-up, `.2` set-up, `.3` the run,
 * `cg.<pid>` exit. A process that marks only its run (two marks: a `command:` hook that uses the
 * Python helper's measured() alone) gives the run, and no set-up figure. Processes without marks
 * (a shell, a pyenv shim) are not read.
 */
export function readDumps(outDir: string): Counted | { unavailable: string } {
  const byPid = new Map<string, string[]>();
  for (const f of readdirSync(outDir)) {
    const m = f.match(/^cg\.(\d+)\.(\d+)$/);
    if (m) byPid.set(m[1]!, [...(byPid.get(m[1]!) ?? []), f]);
  }
  if (byPid.size === 0)
    return {
      unavailable:
        `no process of the trial marked its phases (no ${MARK_FUNCTION}() call): a command: hook marks ` +
        'them with the Python helper (trackbench_kedro.probes: mark(), measured())',
    };
  if (byPid.size > 1)
    return { unavailable: `${byPid.size} processes of the trial called ${MARK_FUNCTION}(); expected one` };
  const parts = [...byPid.values()][0]!.sort((a, b) => dumpIndex(a) - dumpIndex(b));
  const read = (file: string): string => readFileSync(join(outDir, file), 'utf8');
  const total = (file: string, dump = read(file)): number => {
    const m = dump.match(/^totals:\s+(\d+)/m);
    if (!m) throw new Error(`no totals line in callgrind dump ${file}`);
    return Number(m[1]);
  };
  const run = (file: string): Pick<Counted, 'instructions' | 'allocatorInstructions'> => {
    const dump = read(file);
    const allocator = allocatorInstructions(dump);
    const all = total(file, dump);
    if (allocator === null || allocator > all)
      throw new Error(`callgrind dump ${file}: the allocator's instructions do not read (${allocator} of ${all})`);
    return { instructions: all - allocator, allocatorInstructions: allocator };
  };
  if (parts.length === 2)
    return {
      setupInstructions: null,
      ...run(parts[1]!),
      setupUnavailable: "the trial marks its run only (the Python helper's measured()), not its set-up (mark())",
    };
  if (parts.length !== 3)
    return {
      unavailable:
        `expected 3 callgrind dumps (one per mark), found ${parts.length}: ` +
        `something else called ${MARK_FUNCTION}()`,
    };
  return { setupInstructions: total(parts[1]!), ...run(parts[2]!) };
}

/**
 * glibc's allocator: its entry points and the internals only they call (GCC's clone suffixes allowed). Its
 * instructions per call depend on the heap's layout (which free list a block comes from, when the top is
 * trimmed), and that layout on the order in which start-up's threads (module loading on the thread pool, V8's
 * worker) freed blocks: under load, identical trials of a 50-node run spent up to 130k instructions apart in
 * it, and within 13k outside it (README: "Instruction counts").
 */
const ALLOCATOR_FUNCTIONS = (
  'malloc free cfree calloc realloc reallocarray memalign posix_memalign aligned_alloc valloc pvalloc ' +
  'malloc_trim malloc_usable_size __libc_(malloc|free|calloc|realloc|memalign) _int_\\w+ _mid_memalign ' +
  'malloc_consolidate alloc_perturb free_perturb unlink_chunk systrim sysmalloc\\w* tcache_\\w+ ptmalloc_init ' +
  'arena_get2 arena_thread_freeres get_free_list reused_arena munmap_chunk mremap_chunk heap_trim shrink_heap ' +
  'grow_heap new_heap alloc_new_heap mtrim malloc_printerr'
).split(' ');
const ALLOCATOR_NAME = `(${ALLOCATOR_FUNCTIONS.join('|')})((\\.(constprop|part|isra|cold)(\\.\\d+)?)*)`;
/** A call into the allocator. A recursion mark ("free'2") means an outer call of it is running, which holds it. */
const ENTERS_ALLOCATOR = new RegExp(`^${ALLOCATOR_NAME}$`);
/** A function of the allocator, at any recursion depth. */
const IN_ALLOCATOR = new RegExp(`^${ALLOCATOR_NAME}('\\d+)?$`);

/**
 * Instructions a callgrind dump spent in the allocator: the inclusive cost of every call into it from a
 * function outside it (calls within it are inside those). Reads the format's name compression ("fn=(3) name",
 * later "fn=(3)", one space of ids for fn, cfn and jfn) and takes the Ir event of the cost line that follows
 * each `calls=` line. Null when the dump does not read as expected (no Ir event, a cost missing).
 */
export function allocatorInstructions(dump: string): number | null {
  const names = new Map<string, string>();
  const name = (spec: string): string => {
    const m = spec.match(/^\((\d+)\)(?: (.*))?$/);
    if (!m) return spec;
    if (m[2] !== undefined) names.set(m[1]!, m[2]);
    return names.get(m[1]!) ?? spec;
  };
  let caller = '';
  let callee = '';
  let costFollows = false;
  let positions = 1;
  let ir = -1;
  let sum = 0;
  for (const line of dump.split('\n')) {
    if (costFollows) {
      costFollows = false;
      if (ENTERS_ALLOCATOR.test(callee) && !IN_ALLOCATOR.test(caller)) {
        if (ir < 0) return null;
        sum += Number(line.trim().split(/\s+/)[positions + ir]);
      }
    } else if (line.startsWith('fn=')) caller = name(line.slice(3));
    else if (line.startsWith('cfn=')) callee = name(line.slice(4));
    else if (line.startsWith('jfn=')) name(line.slice(4));
    else if (line.startsWith('calls=')) costFollows = true;
    else if (line.startsWith('positions:')) positions = line.slice(10).trim().split(/\s+/).length;
    else if (line.startsWith('events:')) ir = line.slice(7).trim().split(/\s+/).indexOf('Ir');
  }
  return Number.isFinite(sum) ? sum : null;
}

function dumpIndex(file: string): number {
  return Number(file.slice(file.lastIndexOf('.') + 1));
}

/** Valgrind runs Node about 20-50 times slower, CPython about as much: trial time limits grow by this. */
export const VALGRIND_SLOWDOWN = 60;

/** The longest delay a Node timer takes (2^31 - 1 ms); a longer one would fire after 1 ms. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;

/**
 * Environment of a counted Node trial: each MLflow request's and each hook call's time limit is the
 * trial's own (which the parent enforces), unless set. A timer that fires runs JavaScript (compiled on
 * its first tick, about 1M instructions) in whichever phase the clock reached: a 30 s request limit
 * ticked in some runs and not others. Timers that never fire cost the same in every trial.
 */
export function countedTimeoutEnv(trialLimitMs: number, env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const ms = Math.min(Math.ceil(trialLimitMs), LONGEST_TIMER_MS);
  return {
    MLFLOW_HTTP_REQUEST_TIMEOUT: env.MLFLOW_HTTP_REQUEST_TIMEOUT ?? String(Math.floor(ms / 1000)),
    TRACKBENCH_HOOK_TIMEOUT_MS: env.TRACKBENCH_HOOK_TIMEOUT_MS ?? String(ms),
  };
}

/**
 * A counted trial's probes: the counts take the place of time, memory and I/O, which under Valgrind
 * would be Valgrind's (null: reported unavailable). Retained memory is not measured either: its forced
 * collections would be counted in the run (trial-worker.ts).
 */
export function countedProbes(
  counted: Pick<ResourceProbes, 'instructions' | 'allocatorInstructions' | 'setupInstructions'>,
): ResourceProbes {
  return {
    wallMs: null,
    cpuMs: null,
    peakRssBytes: null,
    diskWriteBytes: null,
    writeBytes: null,
    retainedBytes: null,
    setupInstructions: counted.setupInstructions ?? null,
    instructions: counted.instructions ?? null,
    allocatorInstructions: counted.allocatorInstructions ?? null,
  };
}
