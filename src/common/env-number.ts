// Numbers read from the environment, described once where they are read (src/mlflow/retry.ts, src/pipeline/hooks.ts)
// and checked from that same description by the CLI before any command runs (src/cli/env-values.ts).

/** Plain decimal notation only: Number() also takes "0x10", "0b11", "Infinity" and surrounding blanks. */
const DECIMAL = /^\d+(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/** The number a flag or variable spells in plain decimals (no sign: none takes a negative), or NaN. */
export const plainNumber = (text: string): number => (DECIMAL.test(text) ? Number(text) : NaN);

/** The longest a Node timer waits (2^31 - 1 ms); past it a timer fires at once. */
export const TIMER_MAX_MS = 2_147_483_647;

export interface NumericVariable {
  name: string;
  /** What the number is, for the message. */
  unit: string;
  min: number;
  max: number;
  integer: boolean;
}

/** Why `v`'s value in `env` is not taken, or undefined when it is unset, empty or fine. */
export function envNumberProblem(env: NodeJS.ProcessEnv, v: NumericVariable): string | undefined {
  const raw = env[v.name];
  if (raw === undefined || raw === '' || envNumber(env, v) !== undefined) return undefined;
  return (
    `(environment) must be ${v.integer ? 'a whole number of ' : ''}${v.unit} from ${v.min} to ${v.max}; ` +
    `got ${JSON.stringify(raw.slice(0, 40))}`
  );
}

/** `v`'s value in `env` when it is a plain number in its range; else undefined (the reader's default applies). */
export function envNumber(env: NodeJS.ProcessEnv, v: NumericVariable): number | undefined {
  const raw = env[v.name];
  const n = raw === undefined ? NaN : plainNumber(raw);
  return n >= v.min && n <= v.max && (!v.integer || Number.isInteger(n)) ? n : undefined;
}
