// What the suite can check: a built-in hook, a JS/TS hook module (through the public hook
// interface), or any external process (`command:`) that runs the described pipeline itself and
// logs to MLFLOW_TRACKING_URI, in any language.
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import type { HookFactory, Hooks, NamedHooks } from '../pipeline/hooks.ts';
import { describePipeline } from '../pipeline/describe.ts';
import { runExternal } from '../pipeline/external.ts';
import { runSession } from '../pipeline/session.ts';
import { closest } from '../common/suggest.ts';
import { BUILTIN_HOOKS, resolveHook } from '../tracking/registry.ts';
import { kedroTarget } from './kedro-target.ts';
import type { ConformanceScenario } from './scenarios.ts';

export interface TargetRun {
  pipelineError?: string;
  output: string;
  completedNodes: string[];
  failedNode?: string;
}

export interface Target {
  id: string;
  /** Whether the hook runs inside trackbench's process (so extra hooks can be put beside it). */
  inProcess: boolean;
  run(scenario: ConformanceScenario, trackingUri: string, experimentName: string): Promise<TargetRun>;
  /** Requirements this target cannot be checked on, with why (known once it has run). */
  notApplicable?: () => Record<string, string>;
  /** Waivers that come with the target (a scenario's `waive`). */
  waive?: string[];
  /** What the target's environment holds (kedro targets). */
  versions?: () => Record<string, string | null> | undefined;
}

/** A target from a hook factory: built-ins, modules, and the suite's own mutants. */
export function factoryTarget(id: string, factory: HookFactory, options: Record<string, unknown> = {}): Target {
  return {
    id,
    inProcess: true,
    async run(scenario, trackingUri, experimentName) {
      const warnings: string[] = [];
      const hooks = await factory(options, {
        scenarioName: experimentName,
        scenarioDir: process.cwd(),
        trackingUri,
        warn: (m) => void warnings.push(m),
      });
      return runInProcess(scenario, { name: id, hooks }, warnings);
    },
  };
}

async function runInProcess(scenario: ConformanceScenario, target: NamedHooks, warnings: string[]): Promise<TargetRun> {
  const completed: string[] = [];
  let failedNode: string | undefined;
  const watcher: Hooks = {
    afterNodeRun: (node) => void completed.push(node.name),
    onNodeError: (_e, node) => void (failedNode = node.name),
  };
  const hooks: NamedHooks[] = [{ name: 'trackbench.watch', hooks: watcher }, target];
  if (scenario.hookErrorAt !== undefined) {
    const at = scenario.hookErrorAt;
    hooks.push({
      name: 'trackbench.inject',
      hooks: {
        beforeNodeRun: (node) => {
          if (node.index === at) throw new Error('injected pipeline error (not a node error)');
        },
      },
    });
  }
  let pipelineError: string | undefined;
  try {
    await runSession(scenario.pipeline, { hooks });
  } catch (err) {
    pipelineError = err instanceof Error ? err.message : String(err);
  }
  return { pipelineError, output: warnings.join('\n'), completedNodes: completed, failedNode };
}

/** A process that runs the described pipeline; `env` is added to its environment. */
export function commandTarget(
  id: string,
  command: string,
  timeoutMs = 120_000,
  env: Record<string, string> = {},
): Target {
  return {
    id,
    inProcess: false,
    async run(scenario, trackingUri, experimentName) {
      const dir = mkdtempSync(join(tmpdir(), 'trackbench-target-'));
      const file = join(dir, 'pipeline.json');
      writeFileSync(file, JSON.stringify(describePipeline(scenario.pipeline, experimentName)));
      const outputs: string[] = [];
      for (let i = 0; i < scenario.repeat; i++) {
        const { code, output, timedOut } = await runExternal(
          command,
          { ...process.env, ...env, MLFLOW_TRACKING_URI: trackingUri, TRACKBENCH_PIPELINE_FILE: file },
          timeoutMs,
        );
        outputs.push(output);
        if (code !== 0) {
          const failIndex = scenario.pipeline.nodes.findIndex((n) => n.fails);
          return {
            pipelineError: timedOut
              ? `command still running after ${timeoutMs / 1000} s: stopped (the pipeline did not complete)`
              : `command exited with code ${code}`,
            output: outputs.join('\n'),
            completedNodes: scenario.pipeline.nodes.slice(0, failIndex < 0 ? 0 : failIndex).map((n) => n.name),
            failedNode: failIndex < 0 ? undefined : scenario.pipeline.nodes[failIndex]!.name,
          };
        }
      }
      return { output: outputs.join('\n'), completedNodes: scenario.pipeline.nodes.map((n) => n.name) };
    },
  };
}

/** `builtin:<name>`, `module:<path>` or `command:<shell command>`. */
export function parseTarget(spec: string): Target {
  const [kind, ...rest] = spec.split(':');
  const value = rest.join(':');
  if (kind === 'builtin') {
    const builtin = BUILTIN_HOOKS[value];
    if (!builtin || !builtin.tracking) {
      const names = Object.entries(BUILTIN_HOOKS)
        .filter(([, b]) => b.tracking)
        .map(([n]) => n);
      const hint = closest(value, names);
      throw InputError.flag(
        '--target',
        `"${spec}": no tracking built-in named "${value}"${hint ? ` (did you mean "builtin:${hint}"?)` : ''}; ` +
          `built-ins: ${names.join(', ')}`,
      );
    }
    // Its spill files go to a folder of this target's own (created only if something is spilled).
    const spillDir = join(tmpdir(), `trackbench-conformance-${randomUUID()}`);
    return factoryTarget(spec, builtin.factory, { mlflow: { trackbench: { spillDir } } });
  }
  if (kind === 'module') {
    const path = resolve(value);
    if (!existsSync(path)) throw InputError.flag('--target', `"${spec}": no such file ${path}`);
    return {
      id: spec,
      inProcess: true,
      async run(scenario, trackingUri, experimentName) {
        const warnings: string[] = [];
        const named = await resolveHook(
          { name: `module:${path}`, label: spec, options: {} },
          { name: experimentName, source: join(process.cwd(), 'conformance.yaml') },
          { trackingUri, warn: (m) => void warnings.push(m) },
        );
        return runInProcess(scenario, named, warnings);
      },
    };
  }
  if (kind === 'command' && value.trim()) return commandTarget(spec, value);
  if (kind === 'kedro' && value.trim()) return kedroTarget(value);
  throw InputError.flag(
    '--target',
    `"${spec}": expected builtin:<name>, module:<path>, command:<shell command> or kedro:<scenario.yaml>[#label]`,
  );
}
