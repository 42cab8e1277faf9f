// The body of one trial: a fresh process that runs the pipeline once, with or without one hook,
// and reports its own probes to the parent over IPC. Started by run-trial.ts.
import { getPriority } from 'node:os';
import { performance } from 'node:perf_hooks';
import { getHeapCodeStatistics } from 'node:v8';
import { messageOf } from '../common/caught.ts';
import { installSignalHandlers } from '../common/cleanup.ts';
import { InputError } from '../errors.ts';
import { generatePipeline } from '../pipeline/generate.ts';
import type { Hooks, NamedHooks } from '../pipeline/hooks.ts';
import { runSession } from '../pipeline/session.ts';
import { resolveHook } from '../tracking/registry.ts';
import { readProcIo, endProbes, startProbes, withoutProbeTime, type IoCounters, type ProbeTime } from './probes.ts';
import { watchHooksPendingWork } from './hooks-watch.ts';
import { pendingAfterRun } from './pending-work.ts';
import { productionCounter } from './produced.ts';
import type { TrialReply, TrialRequest } from './trial-types.ts';

/**
 * Under the instruction-count instrument, Valgrind's callgrind dumps its counters each time this
 * process enters libc's getpriority() (--dump-before=getpriority), which nothing else in a trial
 * calls: the dumps between the marks are hook set-up and the pipeline run, start-up and exit apart.
 */
const counted = process.env.TRACKBENCH_INSTRUMENT === 'cpu-sim';
/**
 * A phase's start mark collects first: each counted phase starts from an empty young generation, so
 * where its scavenges fall depends on its own allocations, not on how much the phase before it left
 * (two A/A runs without it read -0.9% run and +3.6% set-up together, as if work had moved between them).
 * Then it finishes the collection's sweeping (V8 makes the heap iterable to collect code statistics):
 * swept lazily, it was billed to the run (9M in a 50-node run, more with a hook) and cost what the
 * pages held, which differed between identical trials.
 */
const collect = (globalThis as { gc?: () => void }).gc;
const mark = counted
  ? (phaseStart = true) => {
      if (phaseStart && collect) {
        collect();
        getHeapCodeStatistics();
      }
      getPriority();
    }
  : () => {};

async function trial(req: TrialRequest): Promise<TrialReply> {
  const pipeline = generatePipeline(req.scenario.pipeline);
  const counter = productionCounter();
  mark(); // hook import and set-up from here
  const memory = retainedMemoryProbe(!counted);
  const hooks: NamedHooks[] = [
    { name: 'trackbench.produced', hooks: counter.hooks },
    { name: 'trackbench.memory', hooks: memory.hooks },
  ];
  if (req.variant.kind === 'with') {
    hooks.push(
      await resolveHook(req.variant.hook, req.scenario, {
        counted,
        trackingUri: req.trackingUri,
        warn: (m) => process.stderr.write(`${m}\n`),
      }),
    );
  }
  // Registered last: reads the I/O counters after the tracking hook has flushed, before the
  // catalog's temp files are removed (which would cancel their write_bytes).
  let ioEnd: IoCounters | null = null;
  hooks.push({
    name: 'trackbench.probe',
    hooks: { afterPipelineRun: () => void (ioEnd = readProcIo()), onPipelineError: () => void (ioEnd = readProcIo()) },
  });
  // performance.now() counts from this process's start: start-up, module loading and hook set-up.
  const startupMs = performance.now();
  const start = startProbes();
  let pipelineError: string | undefined;
  mark(); // the pipeline run from here
  try {
    await runSession(pipeline, { hooks, runner: req.scenario.runner });
  } catch (err) {
    pipelineError = err instanceof Error ? err.message : String(err);
  }
  mark(false); // exit from here
  const probes = withoutProbeTime(endProbes(start, ioEnd ?? readProcIo()), memory.spent());
  probes.startupMs = startupMs;
  return {
    ok: true,
    probes: { ...probes, retainedBytes: memory.retained() },
    produced: counter.produced,
    dataDigest: counter.dataDigest(),
    pipelineError,
  };
}

/**
 * Live memory (V8 heap used + ArrayBuffer memory, which holds Buffers) after a full collection at the end of
 * the pipeline run, before any hook's afterPipelineRun can let go: what the process holds then,
 * without the garbage that makes peak RSS and sampled heap figures jump between processes.
 * Registered before the tracking hook, so its afterPipelineRun runs first.
 */
function retainedMemoryProbe(enabled: boolean): {
  hooks: Hooks;
  retained: () => number | null;
  spent: () => ProbeTime;
} {
  // The worker runs with --expose-gc (run-trial.ts); without it the figure is unavailable. Not in a
  // counted trial: its four full collections would be counted in the run (a 50-node run's 153M of
  // 600M; 13M more with the reference hook, varying by 1.7M between identical trials).
  const gc = enabled ? (globalThis as { gc?: () => void }).gc : undefined;
  let retained: number | null = null;
  const spent: ProbeTime = { wallMs: 0, cpuMs: 0 };
  const sample = (): void => {
    if (!gc) return;
    const wall0 = performance.now();
    const cpu0 = process.cpuUsage();
    // Several full collections: ArrayBuffer backing stores are freed by callbacks that run after a
    // collection, so one pass leaves some of the pipeline's garbage counted (megabytes, varying).
    for (let i = 0; i < 4; i++) gc();
    const m = process.memoryUsage();
    retained = m.heapUsed + m.arrayBuffers;
    const cpu = process.cpuUsage(cpu0);
    spent.wallMs += performance.now() - wall0;
    spent.cpuMs += (cpu.user + cpu.system) / 1000;
  };
  return { hooks: { afterPipelineRun: sample, onPipelineError: sample }, retained: () => retained, spent: () => spent };
}

// Stopped by the parent (or a terminal's Ctrl-C, or the parent's death, seen as the IPC channel
// closing: no timer runs in a counted trial): remove the run's temp files, then exit.
installSignalHandlers(() => {}, 'ipc');
/** The trial with the watch for work left pending around it; never rejects: failures become a reply. */
async function watchedTrial(req: TrialRequest): Promise<TrialReply> {
  try {
    const watch = await watchHooksPendingWork(req.scenario.hooks);
    const reply = await trial(req);
    // Two more turns before the reply (pendingAfterRun): a rejection or exception a hook left behind at the run's
    // end crashes the process now (Node's default), a failed trial, instead of being cut off by the exit.
    const pending = await pendingAfterRun(watch);
    return reply.ok && pending.length ? { ...reply, pendingWork: pending } : reply;
  } catch (err) {
    return { ok: false, error: messageOf(err), ...(err instanceof InputError ? { badInput: err.diagnostics } : {}) };
  }
}

process.once('message', (msg) => {
  // the parent's request, with the nonce its reply must carry (run-trial.ts)
  const req = msg as TrialRequest & { nonce: string };
  // process.send exists: this file runs only as a forked child with an IPC channel. The exit code a hook
  // set (process.exitCode) is kept: the parent fails a trial whose process exits non-zero.
  void watchedTrial(req).then((reply) => process.send!({ ...reply, nonce: req.nonce }, () => process.exit()));
});
