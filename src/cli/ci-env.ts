// Which commit and ref a CI job measures, from the variables the common CI systems set, else git. A variable
// holding what git would never give is bad input naming it, as a flag would be.
import { execFileSync } from 'node:child_process';
import { InputError } from '../errors.ts';
import { commitProblem, refProblem } from './git-names.ts';

const COMMIT_VARS = [
  'GITHUB_SHA',
  'CI_COMMIT_SHA',
  'BUILDKITE_COMMIT',
  'CIRCLE_SHA1',
  'BUILD_SOURCEVERSION',
  'BITBUCKET_COMMIT',
  'TRAVIS_COMMIT',
  'GIT_COMMIT',
];
const REF_VARS = [
  'GITHUB_REF',
  'CI_COMMIT_REF_NAME',
  'BUILDKITE_BRANCH',
  'CIRCLE_BRANCH',
  'BUILD_SOURCEBRANCH',
  'BITBUCKET_BRANCH',
  'TRAVIS_BRANCH',
  'GIT_BRANCH',
];

/** The first of `names` set in `env`, checked by `problem` (none for a time: the caller checks it). */
function first(
  env: NodeJS.ProcessEnv,
  names: string[],
  problem?: (v: string) => string | undefined,
): string | undefined {
  const name = names.find((n) => env[n]?.trim());
  const value = name === undefined ? undefined : env[name]?.trim();
  const why = value === undefined ? undefined : problem?.(value);
  if (name && why) throw InputError.flag(name, `(environment) ${why}`);
  return value;
}

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function ciCommit(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return first(env, COMMIT_VARS, commitProblem) ?? git(['rev-parse', 'HEAD']);
}

export function ciRef(env: NodeJS.ProcessEnv = process.env): string | null {
  return first(env, REF_VARS, refProblem) ?? git(['rev-parse', '--abbrev-ref', 'HEAD']) ?? null;
}

/** GitLab names the commit's time; elsewhere the report's own time is used. */
export function ciTime(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return first(env, ['CI_COMMIT_TIMESTAMP']);
}
