// Numbers trackbench takes from its environment (README), checked before any command runs, like a flag: a value
// past what a Node timer holds (TRACKBENCH_HOOK_TIMEOUT_MS=3e9) made every hook call time out at once (exit 3),
// and one that was no number at all was ignored without a word. The variables are described where they are read.
import { accessSync, constants, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { envNumberProblem } from '../common/env-number.ts';
import { quotedInput } from '../common/terminal-text.ts';
import { EnvironmentError, InputError, type Diagnostic } from '../errors.ts';
import { READ_BACK_TIMEOUT_VARIABLE } from '../mlflow/read-deadline.ts';
import { RETRY_VARIABLES } from '../mlflow/retry.ts';
import { HOOK_TIMEOUT_VARIABLE } from '../pipeline/hooks.ts';

const VARIABLES = [HOOK_TIMEOUT_VARIABLE, READ_BACK_TIMEOUT_VARIABLE, ...Object.values(RETRY_VARIABLES)];

/** Every documented numeric variable of `env` that is set (not empty) and is not a number in its range. */
export function assertEnvNumbers(env: NodeJS.ProcessEnv = process.env): void {
  const problems: Diagnostic[] = VARIABLES.flatMap((v) => {
    const message = envNumberProblem(env, v);
    return message ? [{ file: v.name, message }] : [];
  });
  if (problems.length) throw new InputError(problems);
}

/** Commands that write temp files (trials, servers' stores, conformance work folders) before anything else. */
export const WRITES_TEMP_FILES = new Set(['run', 'trace', 'sweep', 'bench', 'conformance', 'replay', 'mock-mlflow']);

/**
 * The temp folder is a folder this process can write in. A TMPDIR naming nothing failed deep inside a command (an
 * "unexpected error" from mkdtemp, or a trace table of zeros after a "pipeline failed"); it is a setting the user
 * gave, refused like a flag. /tmp itself unusable is the machine's fault.
 */
export function assertTempFolder(env: NodeJS.ProcessEnv = process.env): void {
  const dir = tmpdir();
  let problem: string | undefined;
  try {
    if (!statSync(dir).isDirectory()) problem = 'is not a folder';
    else accessSync(dir, constants.W_OK | constants.X_OK);
  } catch (err) {
    problem = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : 'cannot be written in';
  }
  if (!problem) return;
  // os.tmpdir(): the first of these that is set, else /tmp
  const variable = ['TMPDIR', 'TMP', 'TEMP'].find((v) => env[v]);
  const found = `${quotedInput(dir)} ${problem}`;
  if (!variable) throw new EnvironmentError(`the temp folder ${found}: trials' and servers' files are written there`);
  const message = `(environment) must name a folder trackbench can write trials' and servers' files in; ${found}`;
  throw new InputError([{ file: variable, message }]);
}
