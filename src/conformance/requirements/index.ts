// The requirement catalogue: what any tracking hook must (MUST), should (SHOULD) or may (MAY) do,
// each with its reason and a check on what reached MLflow and on the server's request log.
// One file per family; the shared queries are in queries.ts.
import { RUN } from './run.ts';
import { PARAMS } from './params.ts';
import { METRICS } from './metrics.ts';
import { TAGS } from './tags.ts';
import { RUN_TAGS } from './run-tags.ts';
import { EXPERIMENTS } from './experiments.ts';
import { NESTED } from './nested.ts';
import { NESTED_NODES } from './nested-nodes.ts';
import { ARTIFACTS } from './artifacts.ts';
import { MODELS } from './models.ts';
import { FAULTS } from './faults.ts';
import { LIMITS } from './limits.ts';
import { SECRETS } from './secrets.ts';
import { EFFICIENCY } from './efficiency.ts';
import { FILES_PER_RUN } from './files-per-run.ts';
import { LOSS } from './loss.ts';
import { SPILL_EXACT } from './spill-exact.ts';
import { OUTAGE_HEAL } from './outage-heal.ts';
import { METRICS_PER_RUN } from './metrics-per-run.ts';
import { PARAMS_PER_RUN } from './params-per-run.ts';
import { HOST, INTERRUPTED, RUN_PER_RUN } from './run-per-run.ts';
import { SECRETS_EVERYWHERE } from './secrets-everywhere.ts';
import { WINDOW_MET, WINDOW_RUN } from './windows.ts';
import { HOOKS } from './hooks-observe.ts';
import type { Requirement } from '../types.ts';

export const REQUIREMENTS: Requirement[] = [
  ...RUN_PER_RUN,
  ...HOST,
  ...INTERRUPTED,
  ...PARAMS_PER_RUN,
  ...METRICS_PER_RUN,
  ...WINDOW_RUN,
  ...WINDOW_MET,
  ...HOOKS,
  ...FILES_PER_RUN,
  ...LOSS,
  ...SPILL_EXACT,
  ...OUTAGE_HEAL,
  ...SECRETS_EVERYWHERE,
  ...RUN,
  ...PARAMS,
  ...METRICS,
  ...TAGS,
  ...RUN_TAGS,
  ...EXPERIMENTS,
  ...NESTED,
  ...NESTED_NODES,
  ...ARTIFACTS,
  ...MODELS,
  ...FAULTS,
  ...LIMITS,
  ...SECRETS,
  ...EFFICIENCY,
];
