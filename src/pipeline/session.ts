// One pipeline run with Kedro's full hook lifecycle, as KedroSession.run does it:
// context -> catalog -> beforePipelineRun -> nodes -> afterPipelineRun | onPipelineError.
import { randomUUID } from 'node:crypto';
import type { RunnerSpec } from '../scenario/types.ts';
import { DataCatalog } from './catalog.ts';
import { HookManager, type NamedHooks, type RunParams, type RunResult } from './hooks.ts';
import { schedulerFor } from './runner.ts';
import type { Pipeline } from './types.ts';

export const KEDRO_VERSION_EMULATED = '1.0 (trackbench emulation)';

export interface SessionOptions {
  hooks: NamedHooks[];
  runner?: RunnerSpec;
  runId?: string;
  env?: string;
  projectPath?: string;
  /** Where the catalog's temp directory goes (default: the OS temp dir). */
  tmpDir?: string;
}

/** The Kedro runner class a runner spec stands for (run_params' `runner`); sequential by default. */
export function runnerName(runner: RunnerSpec | undefined): string {
  return runner?.kind === 'parallel' ? 'ParallelRunner' : 'SequentialRunner';
}

/** Kedro's run_params for a whole-pipeline run (no node or namespace filters). */
export function runParamsFor(
  pipeline: Pipeline,
  run: { runId: string; projectPath: string; env: string; runner: RunnerSpec },
): RunParams {
  return {
    runId: run.runId,
    projectPath: run.projectPath,
    env: run.env,
    kedroVersion: KEDRO_VERSION_EMULATED,
    tags: [],
    fromNodes: [],
    toNodes: [],
    nodeNames: [],
    fromInputs: [],
    toOutputs: [],
    loadVersions: {},
    runtimeParams: {},
    pipelineNames: [pipeline.name],
    namespaces: [],
    runner: runnerName(run.runner),
    onlyMissingOutputs: false,
  };
}

export async function runSession(pipeline: Pipeline, options: SessionOptions): Promise<RunResult> {
  const hooks = new HookManager(options.hooks);
  const runner = options.runner ?? { kind: 'sequential', concurrency: 1 };
  const runId = options.runId ?? randomUUID().replace(/-/g, '');
  const env = options.env ?? 'local';
  const projectPath = options.projectPath ?? process.cwd();

  await hooks.call('afterContextCreated', { projectPath, env, parameters: pipeline.parameters });
  const catalog = new DataCatalog(pipeline, options.tmpDir);
  try {
    await hooks.call('afterCatalogCreated', catalog, {}, {}, pipeline.parameters, undefined, {});
    const runParams = runParamsFor(pipeline, { runId, projectPath, env, runner });
    await hooks.call('beforePipelineRun', runParams, pipeline, catalog);
    let result: RunResult;
    try {
      const nodesRun = await schedulerFor(runner)(pipeline, catalog, hooks, runId);
      result = { nodesRun, freeOutputs: freeOutputs(pipeline) };
    } catch (err) {
      const error = err instanceof Error ? err : new Error(String(err));
      await hooks.call('onPipelineError', error, runParams, pipeline, catalog);
      throw error;
    }
    await hooks.call('afterPipelineRun', runParams, result, pipeline, catalog);
    return result;
  } finally {
    catalog.dispose();
  }
}

/** Outputs no node consumes: what Kedro's run would hand back. */
function freeOutputs(pipeline: Pipeline): string[] {
  const consumed = new Set(pipeline.nodes.flatMap((n) => n.inputs));
  return pipeline.nodes.flatMap((n) => n.outputs).filter((o) => !consumed.has(o));
}
