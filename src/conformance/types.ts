// The conformance suite's vocabulary: requirements (ID, level, statement, check), what a check
// looks at (an observation of one target in one scenario), and what it says.
import type { RequestRecord } from '../backends/mock/request-log.ts';
import type { RunState } from '../mlflow/readback.ts';
import type { Experiment } from '../mlflow/wire.ts';
import type { InterruptOutcome } from '../pipeline/external.ts';
import type { Pipeline } from '../pipeline/types.ts';
import type { ConfigDimension } from '../tracking/config/dimensions.ts';

/** What a host-exit child prints when the pipeline asks for the server down or back (the outage situation);
 * here, not in host-exit.ts, so the child loads no backend code. */
export const SERVER_LINE = { down: 'trackbench: server down', up: 'trackbench: server up' };

export type Level = 'MUST' | 'SHOULD' | 'MAY';

/** The situations a target is run in; each requirement is checked on one of them. */
export type ScenarioId =
  | 'basic'
  | 'twice'
  | 'node-failure'
  | 'pipeline-error'
  | 'long-params'
  | 'server-down'
  | 'server-down-twice'
  | 'slow-server'
  | 'outage'
  | 'scale-run'
  | 'scale-node'
  | 'parallel'
  | 'host-exit'
  | 'interrupted';

/** Where a requirement is checked: one situation, several, every one, or every one with a healthy server. */
export type ScenarioScope = ScenarioId | ScenarioId[] | 'every' | 'healthy';

/** How the target was configured to log parameters (mlflow.yml's tracking.params); unknown for command targets. */
export interface ParamsConfig {
  flatten: boolean;
  recursive: boolean;
  sep: string;
  longStrategy: 'fail' | 'tag' | 'truncate';
}

export interface Finding {
  status: 'pass' | 'fail' | 'skip';
  expected: string;
  found: string;
  /** Set when the check could not run at all (its situation failed to run or timed out): an error, not a finding. */
  error?: boolean;
}

/** When one pipeline run ran (Date.now(), ms): from before its first hook call to after its last returned. */
export interface RunWindow {
  startMs: number;
  endMs: number;
}

/** When one node ran: from before its first input was loaded to after every hook's work on its outputs. */
export interface NodeWindow {
  node: string;
  startMs: number;
  /** Unknown for command targets that record when a node started only: its pipeline run's end bounds it. */
  endMs?: number;
}

/** One pipeline run of a situation, timed by trackbench, with the nodes it ran. */
export interface PipelineTiming {
  window: RunWindow;
  /** Unset when the target did not say when its nodes ran (a command without start times in its nodes file). */
  nodes?: NodeWindow[];
}

export interface Observation {
  scenario: ScenarioId;
  pipeline: Pipeline;
  /** Names of the nodes that ran to completion (in order). */
  completedNodes: string[];
  failedNode?: string;
  /** The Kedro runner class that ran the pipeline (`ParallelRunner`): trackbench's, or the one a command says. */
  runner?: string;
  /** Every run in the backend after the scenario, read back through the REST API. */
  runs: RunState[];
  experiments: Experiment[];
  requests: RequestRecord[];
  /** Whether the request log holds bodies and runs (false: the checks that read them cannot say). */
  requestBodies: boolean;
  pipelineError?: string;
  /** Everything the target printed or warned. */
  output: string;
  /** Artifact bytes by run id and path (for the secrets checks). */
  artifactBytes: { runId: string; path: string; bytes: Buffer }[];
  /** The secret put in MLFLOW_TRACKING_TOKEN for the run, and the hash of the header it implies. */
  secret: string;
  expectedAuthSha256: string;
  /** Pipeline runs started in this scenario (2 for `twice`). */
  pipelineRuns: number;
  /** The experiment name the target was given. */
  experimentName: string;
  /** Every secret placed in the environment (token and password). */
  secrets: string[];
  /** Files the hook wrote where it may write (its temp folder), and spill files it named. */
  writtenFiles: { path: string; bytes: Buffer }[];
  /** The temp folder the hook was given (TMPDIR), inside the working folder when the user's TMPDIR is. */
  tempDir?: string;
  /** Models are stored in the target's own format, not as the node's bytes (see `Target.modelsInOwnFormat`). */
  modelsInOwnFormat?: boolean;
  /** The target's parameter settings, when known. */
  paramsConfig?: ParamsConfig;
  /** Whether the target was configured to make a child run per node (then the nested-run checks apply). */
  childRunPerNode?: boolean;
  /** Index of the node at which an extra hook threw (pipeline-error), whose params the hook received. */
  hookErrorAt?: number;
  /** Wall time of the pipeline in this situation, and of the same pipeline against a healthy server (timed ones). */
  wallMs: number;
  baselineWallMs?: number;
  /** Each pipeline run's window and its nodes' windows, in order; unset when trackbench could not time them. */
  timing?: PipelineTiming[];
  /** Values handed to hooks (parameters, node inputs and outputs) found changed afterwards; unset when unknown. */
  hookChanges?: string[];
  /** Inputs a node was called with other than those handed to the hooks (a hook's overrides); unknown if undefined. */
  inputOverrides?: string[];
  /** `interrupted`: whether the target's process was sent SIGINT mid-run (after the nodes the situation waits for
   * were said done), and how it ended; unset for targets that cannot be interrupted (in-process ones). */
  interrupt?: Interrupt;
  /** `host-exit`: for the healthy pipeline and each failing one, whether the process hosting the hook exited by
   * itself once the pipeline was done. */
  hostExits?: {
    situation: ScenarioId;
    exited: boolean;
    afterMs: number;
    code: number | null;
    /** A process the hook started outlived its host (see host-exit.ts). */
    leftProcesses?: boolean;
    /** How long it may outlive its pipeline's end, when not EXIT_GRACE_MS (a command's own exit). */
    graceMs?: number;
  }[];
}

/** How an `interrupted` situation went: SIGINT sent to the command's process group, as Ctrl-C in a terminal does
 * (not sent: the command never said enough nodes done, or said them all; a run ended before `sentAtMs` was not ended
 * by the interrupt; `killed`: it did not exit within the grace after SIGINT). */
export interface Interrupt extends InterruptOutcome {
  /** Nodes it said done by its end (when sent: it had said at least the situation's `interruptAfter` then). */
  doneNodes: number;
}

export interface Requirement {
  id: string;
  level: Level;
  statement: string;
  rationale: string;
  /** Where the requirement comes from, in one line: MLflow REST API docs, MLflow server behaviour,
   * kedro-mlflow's documentation, or trackbench's own guarantee. */
  source: string;
  scenario: ScenarioScope;
  /** Scenario features the check relies on (documentation; shown in reports). */
  features: string[];
  /** Settings whose value changes what the check expects: it is checked in each value the target honours. */
  dependsOn?: ConfigDimension[];
  check(o: Observation): Finding;
}

export interface RequirementResult {
  id: string;
  level: Level;
  statement: string;
  /** The situation the finding comes from (the first failing one when checked in several). */
  scenario: ScenarioId;
  /** The settings it was checked under (`long_params_strategy=tag`), for requirements that depend on them. */
  mode?: string;
  finding: Finding;
  /** Set when a waiver covers it: the pattern (a waived failure does not fail the run). */
  waived?: string;
}

export interface TargetResult {
  target: string;
  results: RequirementResult[];
  /** Situations the target could not be observed in, each with its own error and the requirements it left
   * unjudged (never read as the hook failing them; any one fails the run). */
  errors: SituationError[];
  /** Waivers in force for this target (IDs or patterns), shown in every report. */
  waivers?: string[];
  /** What the target's environment held (kedro targets): kedro, plugin, mlflow versions. */
  versions?: Record<string, string | null>;
}

/** What stopped a situation: cut off by the harness's time limit, the target failed (it raised or its process
 * died), or the backend failed (it would not start, or what reached it could not be read back). */
export type SituationErrorCause = 'timeout' | 'target' | 'backend';

/** A situation that could not be observed: its own error, not a finding on the hook. */
export interface SituationError {
  scenario: ScenarioId;
  /** The error's message, test secrets withheld. */
  error: string;
  /** What stopped it; absent in reports written before trackbench kept it. */
  cause?: SituationErrorCause;
  /** With `timeout`: the limit it was cut off at (ms). */
  timeoutMs?: number;
  /** The setting the situation was run under, when not the target's own. */
  mode?: string;
  /** The results (ID, with its mode) it left unjudged; absent in reports written before trackbench kept them. */
  unjudged?: string[];
}
