// Numbers trackbench takes from its environment (README), checked before any command runs, like a flag: a value
// past what a Node timer holds (TRACKBENCH_HOOK_TIMEOUT_MS=3e9) made every hook call time out at once (exit 3),
// and one that was no number at all was ignored without a word.
import { InputError, type Diagnostic } from '../errors.ts';
import { plainNumber } from './flags.ts';

/** The longest a Node timer waits (2^31 - 1 ms); past it a timer fires at once. */
const TIMER_MAX_MS = 2_147_483_647;

interface NumericVariable {
  name: string;
  /** What the number is, for the message. */
  unit: string;
  min: number;
  max: number;
  integer: boolean;
}

const VARIABLES: NumericVariable[] = [
  { name: 'TRACKBENCH_HOOK_TIMEOUT_MS', unit: 'milliseconds', min: 1, max: TIMER_MAX_MS, integer: false },
  {
    name: 'MLFLOW_HTTP_REQUEST_TIMEOUT',
    unit: 'seconds',
    min: 0,
    max: Math.floor(TIMER_MAX_MS / 1000),
    integer: false,
  },
  { name: 'MLFLOW_HTTP_REQUEST_MAX_RETRIES', unit: 'retries', min: 0, max: 100, integer: true },
  { name: 'MLFLOW_HTTP_REQUEST_BACKOFF_FACTOR', unit: 'seconds', min: 0, max: 3600, integer: false },
  { name: 'MLFLOW_HTTP_REQUEST_BACKOFF_JITTER', unit: 'seconds', min: 0, max: 3600, integer: false },
];

/** Every documented numeric variable of `env` that is set (not empty) and is not a number in its range. */
export function assertEnvNumbers(env: NodeJS.ProcessEnv = process.env): void {
  const problems: Diagnostic[] = [];
  for (const v of VARIABLES) {
    const raw = env[v.name];
    if (raw === undefined || raw === '') continue;
    const n = plainNumber(raw);
    const ok = n >= v.min && n <= v.max && (!v.integer || Number.isInteger(n));
    if (!ok)
      problems.push({
        file: v.name,
        message:
          `(environment) must be ${v.integer ? 'a whole number of ' : ''}${v.unit} from ${v.min} to ${v.max}; ` +
          `got ${JSON.stringify(raw.slice(0, 40))}`,
      });
  }
  if (problems.length) throw new InputError(problems);
}
