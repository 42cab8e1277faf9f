// Which commit and ref a CI job measures, from the variables the common CI systems set, else git.
import { execFileSync } from 'node:child_process';

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

const first = (env: NodeJS.ProcessEnv, names: string[]): string | undefined =>
  names.map((n) => env[n]?.trim()).find((v) => v);

function git(args: string[]): string | undefined {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || undefined;
  } catch {
    return undefined;
  }
}

export function ciCommit(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return first(env, COMMIT_VARS) ?? git(['rev-parse', 'HEAD']);
}

export function ciRef(env: NodeJS.ProcessEnv = process.env): string | null {
  return first(env, REF_VARS) ?? git(['rev-parse', '--abbrev-ref', 'HEAD']) ?? null;
}

/** GitLab names the commit's time; elsewhere the report's own time is used. */
export function ciTime(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return first(env, ['CI_COMMIT_TIMESTAMP']);
}
