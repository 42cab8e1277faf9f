// The conformance suite's vocabulary: requirements (ID, level, statement, check), what a check
// looks at (an observation of one target in one scenario), and what it says.
import type { RequestRecord } from '../backends/mock/request-log.ts';
import type { RunState } from '../mlflow/readback.ts';
import type { Experiment } from '../mlflow/wire.ts';
import type { Pipeline } from '../pipeline/types.ts';

export type Level = 'MUST' | 'SHOULD' | 'MAY';

/** The situations a target is run in; each requirement is checked on one of them. */
export type ScenarioId =
  'basic' | 'twice' | 'node-failure' | 'pipeline-error' | 'long-params' | 'server-down' | 'slow-server';

export interface Finding {
  status: 'pass' | 'fail' | 'skip';
  expected: string;
  found: string;
}

export interface Observation {
  scenario: ScenarioId;
  pipeline: Pipeline;
  /** Names of the nodes that ran to completion (in order). */
  completedNodes: string[];
  failedNode?: string;
  /** Every run in the backend after the scenario, read back through the REST API. */
  runs: RunState[];
  experiments: Experiment[];
  requests: RequestRecord[];
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
}

export interface Requirement {
  id: string;
  level: Level;
  statement: string;
  rationale: string;
  scenario: ScenarioId;
  /** Scenario features the check relies on (documentation; shown in reports). */
  features: string[];
  check(o: Observation): Finding;
}

export interface RequirementResult {
  id: string;
  level: Level;
  statement: string;
  scenario: ScenarioId;
  finding: Finding;
  /** Set when a waiver covers it: the pattern (a waived failure does not fail the run). */
  waived?: string;
}

export interface TargetResult {
  target: string;
  results: RequirementResult[];
  /** Scenarios the target could not be run in, with why. */
  errors: { scenario: ScenarioId; error: string }[];
  /** Waivers in force for this target (IDs or patterns), shown in every report. */
  waivers?: string[];
  /** What the target's environment held (kedro targets): kedro, plugin, mlflow versions. */
  versions?: Record<string, string | null>;
}
