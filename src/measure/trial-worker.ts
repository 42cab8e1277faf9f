// The body of one trial: a fresh process that runs the pipeline once, with or without one hook,
// and reports its own probes to the parent over IPC. Started by run-trial.ts.
import { generatePipeline } from '../pipeline/generate.ts';
import type { NamedHooks } from '../pipeline/hooks.ts';
import { runSession } from '../pipeline/session.ts';
import { isTrackingHooks } from '../tracking/common.ts';
import { isTypeScriptModule, loadTypeScriptSupport, resolveHook } from '../tracking/registry.ts';
import { readProcIo, endProbes, startProbes, type IoCounters } from './probes.ts';
import { productionCounter } from './produced.ts';
import type { TrialReply, TrialRequest } from './trial-types.ts';

async function trial(req: TrialRequest): Promise<TrialReply> {
  const pipeline = generatePipeline(req.scenario.pipeline);
  const counter = productionCounter();
  const hooks: NamedHooks[] = [{ name: 'trackbench.produced', hooks: counter.hooks }];
  // A TypeScript hook module needs tsx to load; load it in every variant of such a scenario so its
  // memory is in the baseline too, and the overhead is the hook's own.
  if (req.scenario.hooks.some(isTypeScriptModule)) await loadTypeScriptSupport();
  if (req.variant.kind === 'with') {
    hooks.push(
      await resolveHook(req.variant.hook, req.scenario, {
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
  const start = startProbes();
  let pipelineError: string | undefined;
  try {
    await runSession(pipeline, { hooks, runner: req.scenario.runner });
  } catch (err) {
    pipelineError = err instanceof Error ? err.message : String(err);
  }
  const probes = endProbes(start, ioEnd ?? readProcIo());
  const tracked = hooks[1]?.hooks;
  const stats = tracked && isTrackingHooks(tracked) ? tracked.stats() : undefined;
  return {
    ok: true,
    probes,
    produced: counter.produced,
    delivered: stats?.delivered,
    lost: stats?.lost,
    pipelineError,
  };
}

process.once('message', (msg) => {
  // Never rejects: failures become a reply, and the process exits once the reply is sent.
  void trial(msg as TrialRequest)
    .catch((err: unknown): TrialReply => ({ ok: false, error: err instanceof Error ? err.message : String(err) }))
    .then((reply) => process.send!(reply, () => process.exit(0)));
});
