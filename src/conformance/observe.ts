// Runs one target in one scenario against the backend (a fresh mock by default), then reads back
// everything that reached it through the REST API: the observation every requirement is checked on.
import { createHash } from 'node:crypto';
import { descendants, killStartedSince, registerTempDir } from '../common/cleanup.ts';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpMock } from '../backends/mock/http-server.ts';
import type { ScenarioBackend } from './backend.ts';
import { MLFLOW_CREDENTIAL_VARIABLES } from '../mlflow/auth.ts';
import { ReadBackTimeoutError, readBackTimeoutMs, readWithin } from '../mlflow/read-deadline.ts';
import { readRun } from '../mlflow/readback.ts';
import { withCapturedOutput } from './capture-output.ts';
import { runFailingInChild, runInChild } from './host-exit.ts';
import { randomSecret } from './leak.ts';
import { filesWrittenSince } from './files-written.ts';
import { BackendFailedError, SituationTimeoutError } from './situation-error.ts';
import type { ConformanceScenario } from './scenarios.ts';
import type { RunContext, Target, TargetRun } from './targets.ts';
import type { Observation } from './types.ts';

/** The secret placed in MLFLOW_TRACKING_TOKEN during every conformance run: random for each trackbench process,
 * so no part of it occurs in what the harness writes, nor in another run's files in the shared temp folder. */
export const CONFORMANCE_SECRET = randomSecret();
/** A second secret, in MLFLOW_TRACKING_PASSWORD (no user name, so the token still authorises). */
export const CONFORMANCE_PASSWORD = randomSecret();

const SECRET_ENV: Record<string, string> = {
  MLFLOW_TRACKING_TOKEN: CONFORMANCE_SECRET,
  MLFLOW_TRACKING_PASSWORD: CONFORMANCE_PASSWORD,
};

export async function observe(
  target: Target,
  scenario: ConformanceScenario,
  backend: ScenarioBackend,
): Promise<Observation> {
  const experimentName = `conformance-${scenario.id}`;
  // A clean MLflow environment of its own: the caller's credentials never reach the backend or a
  // target, and the verdict does not depend on them. Only the test secrets are set.
  const names = [...new Set([...MLFLOW_CREDENTIAL_VARIABLES, ...Object.keys(SECRET_ENV), 'TMPDIR'])];
  const saved = Object.fromEntries(names.map((k) => [k, process.env[k]]));
  const workDir = mkdtempSync(join(tmpdir(), 'tb-conformance-'));
  // Removed on a signal or at exit too (a hook running here may end the process: process.exit).
  const forget = registerTempDir(workDir);
  const startedAtMs = Date.now();
  // A hook run in this process starts its children here (a `detached` one too): stopped when the situation ends,
  // as a trial's group is. RUN-012 judges that in a child process of its own; here they must not pile up.
  const before = target.inProcess ? new Set(descendants()) : undefined;
  for (const name of MLFLOW_CREDENTIAL_VARIABLES) delete process.env[name];
  Object.assign(process.env, SECRET_ENV);
  // The hook's temp files land in workDir, where the secrets check reads them.
  process.env.TMPDIR = workDir;
  // The situation's first error is its own: a backend that then fails to release does not replace it.
  let failed = false;
  try {
    // Inside the backend's try: a target that fails against the healthy mock still releases the backend.
    try {
      // Not even in child processes, where what this process learnt of the target is unknown.
      const stuck = target.stuck?.();
      if (stuck) throw new Error(stuck);
      const baselineWallMs = scenario.timed ? await healthyWallMs(target, scenario, experimentName) : undefined;
      const ctx = {
        trackingUri: backend.trackingUri,
        experimentName,
        workDir,
        setDown: (down: boolean) => backend.setDown(down),
      };
      const started = performance.now();
      let hostExits: Observation['hostExits'];
      let run: TargetRun;
      if (scenario.inChild && target.spawn) {
        const base = { ...target.spawn, experimentName, timeoutMs: target.timeoutMs };
        const [child, others] = await Promise.all([
          runInChild({ ...base, situation: scenario.id, trackingUri: ctx.trackingUri, workDir }),
          Promise.all((scenario.exitAlso ?? []).map((situation) => runFailingInChild({ ...base, situation }))),
        ]);
        hostExits = [child, ...others].map(({ situation, exited, afterMs, code, leftProcesses }) => ({
          situation,
          exited,
          afterMs,
          code,
          ...(leftProcesses ? { leftProcesses } : {}),
        }));
        const done = !Number.isNaN(child.afterMs);
        run = { output: child.output, completedNodes: done ? scenario.pipeline.nodes.map((n) => n.name) : [] };
      } else {
        run = await runCaptured(target, scenario, ctx);
        // A command hosts its pipeline: how long it outlived the pipeline run it said ended.
        if (scenario.inChild) hostExits = run.exits?.map((e) => ({ situation: scenario.id, ...e }));
      }
      // `twice`: a second pipeline run in the same backend (command targets repeat by themselves).
      if (scenario.repeat > 1 && target.inProcess)
        for (let i = 1; i < scenario.repeat; i++) {
          const next = await runCaptured(target, scenario, ctx);
          run = {
            ...next,
            ...joinWitnessed(run, next),
            output: [run.output, next.output].filter(Boolean).join('\n'),
            // An earlier run's failure stays: a hook failing the first run only is no less broken.
            pipelineError: [run.pipelineError, next.pipelineError].filter(Boolean).join('; ') || undefined,
          };
        }
      const wallMs = performance.now() - started;
      const requests = backend.requestLog.since(backend.mark);
      backend.clearFaults();
      // Past the read-back deadline it is the environment's failure, the suite's (exit 3): not one situation's.
      const readBackState = await readBack(backend).catch((err: unknown) => {
        throw err instanceof ReadBackTimeoutError ? err : new BackendFailedError(err);
      });
      return {
        ...readBackState,
        scenario: scenario.id,
        pipeline: scenario.pipeline,
        completedNodes: run.completedNodes,
        failedNode: run.failedNode,
        runner: run.runner,
        requests,
        requestBodies: backend.keepsBodies,
        pipelineError: run.pipelineError,
        output: run.output,
        secret: CONFORMANCE_SECRET,
        secrets: [CONFORMANCE_SECRET, CONFORMANCE_PASSWORD],
        expectedAuthSha256: createHash('sha256').update(`Bearer ${CONFORMANCE_SECRET}`).digest('hex'),
        pipelineRuns: scenario.repeat,
        experimentName,
        writtenFiles: [...writtenFiles(workDir, run.output), ...filesWrittenSince(startedAtMs, [workDir])],
        tempDir: workDir,
        paramsConfig: target.paramsConfig,
        modelsInOwnFormat: target.modelsInOwnFormat,
        childRunPerNode: target.childRunPerNode,
        hookErrorAt: scenario.hookErrorAt,
        timing: run.timing,
        hookChanges: run.hookChanges,
        inputOverrides: run.inputOverrides,
        wallMs,
        baselineWallMs,
        hostExits,
        ...(run.interrupt ? { interrupt: run.interrupt } : {}),
      };
    } catch (err) {
      failed = true;
      throw err;
    } finally {
      if (before) killStartedSince(before);
      await backend.release().catch((err: unknown) => {
        if (!failed) throw new BackendFailedError(err);
      });
    }
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    rmSync(workDir, { recursive: true, force: true });
    forget();
  }
}

/** What trackbench saw of two pipeline runs in one situation, both (unknown if unknown in either). */
function joinWitnessed(a: TargetRun, b: TargetRun): Pick<TargetRun, 'timing' | 'hookChanges' | 'inputOverrides'> {
  return {
    inputOverrides: a.inputOverrides && b.inputOverrides ? [...a.inputOverrides, ...b.inputOverrides] : undefined,
    timing: a.timing && b.timing ? [...a.timing, ...b.timing] : undefined,
    hookChanges: a.hookChanges && b.hookChanges ? [...a.hookChanges, ...b.hookChanges] : undefined,
  };
}

/** The same pipeline against a healthy mock of its own: what the faulted run's wall time is compared with. */
async function healthyWallMs(target: Target, scenario: ConformanceScenario, experimentName: string): Promise<number> {
  const mock = await startHttpMock().catch((err: unknown) => {
    throw new BackendFailedError(err);
  });
  const dir = mkdtempSync(join(tmpdir(), 'tb-conformance-baseline-'));
  const forget = registerTempDir(dir);
  try {
    const started = performance.now();
    const { pipelineError } = await withTimeout(
      target,
      target.run(scenario, { trackingUri: mock.trackingUri, experimentName, workDir: dir, setDown: () => {} }),
    );
    // No timed situation injects a failure: a hook failing its healthy run is no figure to compare with.
    if (pipelineError) throw new Error(`the healthy run this situation is timed against failed: ${pipelineError}`);
    return performance.now() - started;
  } finally {
    await mock.stop();
    rmSync(dir, { recursive: true, force: true });
    forget();
  }
}

/** One pipeline run; what an in-process hook prints joins what it warned. */
async function runCaptured(target: Target, scenario: ConformanceScenario, ctx: RunContext): Promise<TargetRun> {
  if (!target.inProcess) return withTimeout(target, target.run(scenario, ctx));
  const run = (): Promise<TargetRun> => withTimeout(target, target.run(scenario, ctx));
  const { value, printed } = await withCapturedOutput(run, Object.values(SECRET_ENV));
  return { ...value, output: [value.output, printed].filter(Boolean).join('\n') };
}

/** A hook that never returns is abandoned: the situation is cut off by its timeout (its own error). */
async function withTimeout(target: Target, run: Promise<TargetRun>): Promise<TargetRun> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new SituationTimeoutError(
            `the target did not return within ${target.timeoutMs / 1000} s (it was abandoned)`,
            target.timeoutMs,
          ),
        ),
      target.timeoutMs,
    );
    timer.unref();
  });
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Everything the scenario's runs hold, within the read-back deadline (read-deadline.ts): a server that never stops
 * answering fails the suite as the environment's fault (suite.ts), never a requirement's verdict.
 */
async function readBack(
  backend: ScenarioBackend,
): Promise<Pick<Observation, 'runs' | 'experiments' | 'artifactBytes'>> {
  const options = { trackingUri: backend.trackingUri, retry: { maxRetries: 0 }, timeoutMs: readBackTimeoutMs(0) };
  return readWithin(options, async (client, progress) => {
    const runs = [];
    for (const id of await backend.runIds(client)) {
      runs.push(await readRun(client, id));
      progress.runs++;
    }
    const artifactBytes = [];
    for (const r of runs)
      for (const f of r.artifacts)
        artifactBytes.push({
          runId: r.run.info.run_id,
          path: f.path,
          bytes: await client.downloadArtifact(r.run.info.artifact_uri, f.path),
        });
    const experiments = await backend.experiments(client);
    return { runs, experiments, artifactBytes };
  });
}

/** Every file under the run's folder, and every .jsonl file the output names (spill files written elsewhere). */
function writtenFiles(dir: string, output: string): { path: string; bytes: Buffer }[] {
  const out: { path: string; bytes: Buffer }[] = [];
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out.push({ path: p, bytes: readFileSync(p) });
    }
  };
  walk(dir);
  for (const m of output.matchAll(/(\/\S+\.jsonl)\b/g)) {
    const p = m[1]!;
    if (out.some((f) => f.path === p)) continue;
    try {
      out.push({ path: p, bytes: readFileSync(p) });
    } catch {
      // Named but absent: the spill requirements say so.
    }
  }
  return out;
}
