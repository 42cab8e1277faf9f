// Numbers trackbench takes from its environment (README), checked before any command runs, like a flag: a value
// past what a Node timer holds (TRACKBENCH_HOOK_TIMEOUT_MS=3e9) made every hook call time out at once (exit 3),
// and one that was no number at all was ignored without a word. The variables are described where they are read.
import { envNumberProblem } from '../common/env-number.ts';
import { InputError, type Diagnostic } from '../errors.ts';
import { RETRY_VARIABLES } from '../mlflow/retry.ts';
import { HOOK_TIMEOUT_VARIABLE } from '../pipeline/hooks.ts';

const VARIABLES = [HOOK_TIMEOUT_VARIABLE, ...Object.values(RETRY_VARIABLES)];

/** Every documented numeric variable of `env` that is set (not empty) and is not a number in its range. */
export function assertEnvNumbers(env: NodeJS.ProcessEnv = process.env): void {
  const problems: Diagnostic[] = VARIABLES.flatMap((v) => {
    const message = envNumberProblem(env, v);
    return message ? [{ file: v.name, message }] : [];
  });
  if (problems.length) throw new InputError(problems);
}
