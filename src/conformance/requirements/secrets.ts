// Requirements: secrets in tags, artifacts and output, and credentials from the environment. A secret in a
// parameter is SEC-006's finding (secrets-everywhere.ts): no bug puts one there that the parameter checks miss.
import type { Requirement } from '../types.ts';
import { LEAK_MEANING, secretLeak } from '../leak.ts';
import { verdict, list } from './queries.ts';

/** What counts too (see leak.ts). */
const PART = `(appears: ${LEAK_MEANING})`;

export const SECRETS: Requirement[] = [
  {
    id: 'SEC-002',
    source: "trackbench's own guarantee: error tags are redacted",
    level: 'MUST',
    scenario: 'every',
    features: ['MLFLOW_TRACKING_TOKEN set', 'failAt'],
    statement: `No secret from the environment ${PART} appears in any tag (error messages included).`,
    rationale: 'Error tags copy exception text, which can carry credentials.',
    check: (o) => {
      const hit = o.runs
        .flatMap((r) => r.run.data.tags ?? [])
        .filter((t) => secretLeak(`${t.key}=${t.value}`, o.secrets))
        .map((t) => t.key);
      return verdict(hit.length === 0, 'no secret in tags', hit.length ? `in: ${list(hit)}` : 'none');
    },
  },
  {
    id: 'SEC-003',
    source: "trackbench's own guarantee: secrets from the environment never reach MLflow or the output",
    level: 'MUST',
    scenario: 'every',
    features: ['MLFLOW_TRACKING_TOKEN set'],
    statement: `No secret from the environment ${PART} appears in any artifact.`,
    rationale: "Artifacts are downloaded and shared far beyond the pipeline's team.",
    check: (o) => {
      const hit = o.artifactBytes.filter((a) => secretLeak(a.bytes, o.secrets)).map((a) => a.path);
      return verdict(
        hit.length === 0,
        'no secret in artifacts',
        hit.length ? `in: ${list(hit)}` : `${o.artifactBytes.length} checked`,
      );
    },
  },
  {
    id: 'SEC-004',
    source: "trackbench's own guarantee: warnings are redacted",
    level: 'MUST',
    scenario: 'every',
    features: ['MLFLOW_TRACKING_TOKEN set', 'tracking server down'],
    statement: `No secret from the environment ${PART} appears in what the hook prints or warns, failures included.`,
    rationale: 'Logs are collected, shipped and kept; a token printed once is leaked.',
    check: (o) => {
      const inOutput = secretLeak(o.output, o.secrets);
      const inError = secretLeak(o.pipelineError ?? '', o.secrets);
      const found = inOutput ? `found in output (${inOutput})` : inError ? `found in the error (${inError})` : 'none';
      return verdict(!inOutput && !inError, 'no secret in output', found);
    },
  },
  {
    id: 'SEC-005',
    source: 'MLflow client convention: MLFLOW_TRACKING_TOKEN sent as a Bearer token',
    level: 'SHOULD',
    scenario: 'basic',
    features: ['MLFLOW_TRACKING_TOKEN set'],
    statement:
      'Credentials are taken from the environment: with MLFLOW_TRACKING_TOKEN set, every request ' +
      'carries it as a Bearer token.',
    rationale: "MLflow's own convention; credentials in config files end up in version control.",
    check: (o) => {
      const without = o.requests.filter((r) => r.authSha256 !== o.expectedAuthSha256).length;
      return verdict(
        o.requests.length > 0 && without === 0,
        "every request authorised with the environment's token",
        `${without} of ${o.requests.length} without it`,
      );
    },
  },
];
