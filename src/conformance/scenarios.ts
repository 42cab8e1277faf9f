// The pipelines every target is run on: small ones with every feature a hook must handle
// (namespaces, number/string/dict params, metric histories, artifacts, several models per node),
// and large ones that cross every MLflow batch limit, per node and per run, and a parallel runner. The small ones
// also hold the values plausible bugs trip on (edge-values.ts).
import { generatePipeline } from '../pipeline/generate.ts';
import { withEdgeValues, withNodeAtBatchLimits, withValueOverLimit } from './edge-values.ts';
import type { Pipeline } from '../pipeline/types.ts';
import type { PipelineSpec, RunnerSpec } from '../scenario/types.ts';
import type { ScenarioId, ScenarioScope } from './types.ts';

const base: PipelineSpec = {
  name: 'conformance',
  nodes: 12,
  seed: 'conformance',
  topology: { kind: 'layered', width: 3, fanIn: 2, edgeProbability: 0.05 },
  namespaces: { count: 2, depth: 2 },
  paramsPerNode: { count: 4, kinds: { number: 2, string: 1, dict: 1 }, stringLength: 12, dictKeys: 2, dictDepth: 2 },
  metricsPerNode: 2,
  metricSteps: 3,
  artifactsPerNode: { count: 1, bytes: 256 },
  modelNodes: { count: 2, modelsPerNode: 2, bytes: 1024 },
  work: { cpuMs: 0, ioBytes: 0, allocBytes: 0, sleepMs: 0 },
  failAt: null,
};

export interface ConformanceScenario {
  id: ScenarioId;
  pipeline: Pipeline;
  /** Mock faults for the run. */
  faults?: { down?: boolean; latencyMs?: number };
  /** Every answer of the mock waits this long, so requests sent at once are seen in flight at once (EFF-004). Not a
   * fault: a real server runs the situation too, at its own pace. */
  paceMs?: number;
  /** Runs of the pipeline in the same backend. */
  repeat: number;
  /** Node index at which an extra hook throws (a pipeline error that is not a node error). */
  hookErrorAt?: number;
  /** Only hooks running in trackbench's own process can be put in this situation (or, for `hookErrorAt` alone, a
   * process target whose runner puts in the failing hook: `Target.injectsHookErrors`). */
  inProcessOnly?: boolean;
  /** The server answers 503 from the start of this node to the start of that one (in-process hooks only). */
  outage?: { from: number; to: number };
  /** Also run against a healthy server first, to compare wall times. */
  timed?: boolean;
  runner?: RunnerSpec;
  /** Run in a child process of its own (built-in and module targets), to see whether it exits by itself. */
  inChild?: boolean;
  /** SIGINT (Ctrl-C) is sent to the target's process group once it says this many nodes done (process targets
   * only: an in-process hook shares trackbench's process, and a Node host ends on SIGINT without running JS). */
  interruptAfter?: number;
  /** Checked only by the requirements that name it, not by those on every situation: it repeats another
   * situation to show one thing, and every check of that situation would be run twice over for nothing. */
  namedOnly?: boolean;
  /** With `inChild`: these situations too, each in a child of its own at the same time, against a fresh mock. */
  exitAlso?: ScenarioId[];
}

/** Nodes that sleep, so a hook that waits on the server at every node shows in the wall time (20 nodes: one
 * 150 ms request a node adds 3 s). No files: their upload time is the hook's end-of-run flush, not a wait. */
const timedSpec: PipelineSpec = {
  ...base,
  nodes: 20,
  paramsPerNode: { ...base.paramsPerNode, count: 2 },
  metricSteps: 1,
  artifactsPerNode: { count: 0, bytes: 0 },
  modelNodes: { ...base.modelNodes, count: 0 },
  work: { cpuMs: 0, ioBytes: 0, allocBytes: 0, sleepMs: 10 },
};

/** Per run: 120 nodes, so over 100 node tags, 240 params and 1200 metric values (limits: 100 tags, 1000 metrics). */
const scaleRunSpec: PipelineSpec = {
  ...base,
  nodes: 120,
  topology: { kind: 'layered', width: 8, fanIn: 2, edgeProbability: 0.05 },
  namespaces: { count: 4, depth: 1 },
  paramsPerNode: { ...base.paramsPerNode, count: 2, kinds: { number: 1, string: 1, dict: 0 } },
  metricsPerNode: 2,
  metricSteps: 5,
  artifactsPerNode: { count: 0, bytes: 0 },
  modelNodes: { count: 3, modelsPerNode: 3, bytes: 512 },
};

/** Per node: 130 params and 1250 metric values (limits: 100 params, 1000 metrics a request), but the first node
 * exactly 100 and 1000; 10,360 values in all: more than the reference hook's default queue bound (10,000). */
const scaleNodeSpec: PipelineSpec = {
  ...base,
  nodes: 8,
  paramsPerNode: { ...base.paramsPerNode, count: 130, kinds: { number: 100, string: 25, dict: 5 } },
  metricsPerNode: 5,
  metricSteps: 250,
  artifactsPerNode: { count: 2, bytes: 300 },
  modelNodes: { count: 2, modelsPerNode: 3, bytes: 700 },
};

/** Nodes that sleep 60 ms; 30 params each, so a full log-batch request (100 params) is the first request the outage
 * (nodes 3 to 8) refuses (no artifacts queued before it; model files are still uploaded), and 16 nodes (about 1 s)
 * after it, for the values that must be delivered once the server is back. */
const outageSpec: PipelineSpec = {
  ...base,
  nodes: 24,
  paramsPerNode: { ...base.paramsPerNode, count: 30, kinds: { number: 20, string: 8, dict: 2 } },
  artifactsPerNode: { count: 0, bytes: 0 },
  work: { ...base.work, sleepMs: 60 },
};

/** How the error the pipeline-error situation's extra hook raises begins. */
export const INJECTED_PIPELINE_ERROR = 'injected pipeline error (not a node error)';

/**
 * The error the pipeline-error situation's extra hook raises at `node`: longer than MLflow's 8000-character tag
 * value limit, as a real error's deep cause chain often is, so a hook that records it must bound it itself.
 * trackbench_kedro's witness (python/src/trackbench_kedro/witness.py) raises the same text.
 */
export function injectedPipelineError(node: string): string {
  const chain = Array.from({ length: 200 }, (_, i) => `caused by: wrapped at depth ${i + 1} of a deep cause chain`);
  // Named at both ends: a hook that keeps a long error's end (a traceback's last lines) records it too.
  return `${INJECTED_PIPELINE_ERROR} at ${node}; ${chain.join('; ')}; end of the ${INJECTED_PIPELINE_ERROR} at ${node}`;
}

/** Nodes that sleep 250 ms, so SIGINT, sent once 4 nodes are said done (polled every 25 ms), lands mid-run, with
 * 8 nodes to go, even in a process as quick as the Python fixture. */
const interruptedSpec: PipelineSpec = { ...base, work: { ...base.work, sleepMs: 250 } };

/** The small pipeline of a spec, with the edge values. */
const edgy = (spec: PipelineSpec) => withEdgeValues(generatePipeline(spec));

export const SCENARIOS: Record<ScenarioId, ConformanceScenario> = {
  basic: { id: 'basic', pipeline: edgy(base), repeat: 1 },
  twice: { id: 'twice', pipeline: edgy(base), repeat: 2 },
  'node-failure': { id: 'node-failure', pipeline: edgy({ ...base, failAt: 7 }), repeat: 1 },
  'pipeline-error': {
    id: 'pipeline-error',
    pipeline: edgy(base),
    repeat: 1,
    hookErrorAt: 5,
    inProcessOnly: true,
  },
  'long-params': {
    id: 'long-params',
    pipeline: withValueOverLimit(
      generatePipeline({
        ...base,
        nodes: 3,
        paramsPerNode: {
          ...base.paramsPerNode,
          count: 1,
          kinds: { number: 0, string: 1, dict: 0 },
          stringLength: 7000,
        },
        artifactsPerNode: { count: 0, bytes: 0 },
        modelNodes: { ...base.modelNodes, count: 0 },
      }),
    ),
    repeat: 1,
  },
  'server-down': {
    id: 'server-down',
    pipeline: generatePipeline(timedSpec),
    repeat: 1,
    faults: { down: true },
    timed: true,
  },
  // Two pipeline runs of one hook object, the server down throughout (Kedro serves every session of a process with
  // the same hooks): both runs spill into one file, and replay must not merge them into one run (FLT-015). Not
  // timed: server-down already times a run spilled.
  'server-down-twice': {
    id: 'server-down-twice',
    pipeline: generatePipeline(timedSpec),
    repeat: 2,
    faults: { down: true },
    namedOnly: true,
  },
  'slow-server': {
    id: 'slow-server',
    pipeline: generatePipeline(timedSpec),
    repeat: 1,
    faults: { latencyMs: 150 },
    timed: true,
  },
  outage: {
    id: 'outage',
    pipeline: edgy(outageSpec),
    repeat: 1,
    outage: { from: 3, to: 8 },
    inProcessOnly: true,
  },
  'scale-run': { id: 'scale-run', pipeline: generatePipeline(scaleRunSpec), repeat: 1 },
  'scale-node': { id: 'scale-node', pipeline: withNodeAtBatchLimits(generatePipeline(scaleNodeSpec)), repeat: 1 },
  'host-exit': {
    id: 'host-exit',
    pipeline: edgy(base),
    repeat: 1,
    inChild: true,
    exitAlso: ['node-failure', 'pipeline-error', 'server-down', 'outage'],
  },
  // Judged on how its run ended, its values stopping short of the pipeline's on purpose: RUN-016's alone.
  interrupted: { id: 'interrupted', pipeline: edgy(interruptedSpec), repeat: 1, interruptAfter: 4, namedOnly: true },
  parallel: {
    id: 'parallel',
    pipeline: edgy({
      ...base,
      nodes: 16,
      topology: { kind: 'layered', width: 4, fanIn: 1, edgeProbability: 0.05 },
      work: { ...base.work, sleepMs: 5 },
    }),
    repeat: 1,
    runner: { kind: 'parallel', concurrency: 4 },
    paceMs: 10,
  },
};

/** Every situation, in the order they run. */
export const ALL_SCENARIOS = Object.keys(SCENARIOS) as ScenarioId[];

/** The situations a requirement is checked in. */
export function scenariosOf(scope: ScenarioScope): ScenarioId[] {
  // Never in 'every': a host-exit child is judged on its exit, a situation named only by the requirements it was
  // made for (an interrupted run, two runs spilled) by those.
  const own = ALL_SCENARIOS.filter((id) => !SCENARIOS[id].inChild && !SCENARIOS[id].namedOnly);
  if (scope === 'every') return own;
  if (scope === 'healthy') return own.filter((id) => !SCENARIOS[id].faults?.down && !SCENARIOS[id].outage);
  return Array.isArray(scope) ? scope : [scope];
}
