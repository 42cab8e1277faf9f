// Requirements: secrets.
import type { Requirement } from '../types.ts';
import { allParams, verdict, list } from './queries.ts';

export const SECRETS: Requirement[] = [
  {
    id: 'SEC-001',
    source: "trackbench's own guarantee: secrets from the environment never reach MLflow or the output",
    level: 'MUST',
    scenario: 'every',
    features: ['MLFLOW_TRACKING_TOKEN set'],
    statement: 'No secret from the environment appears in any parameter.',
    rationale: 'Parameters are visible to everyone who can read the experiment.',
    check: (o) => {
      const hit = allParams(o)
        .filter((p) => p.key.includes(o.secret) || p.value.includes(o.secret))
        .map((p) => p.key);
      return verdict(hit.length === 0, 'no secret in params', hit.length ? `in: ${list(hit)}` : 'none');
    },
  },
  {
    id: 'SEC-002',
    source: "trackbench's own guarantee: error tags are redacted",
    level: 'MUST',
    scenario: 'every',
    features: ['MLFLOW_TRACKING_TOKEN set', 'failAt'],
    statement: 'No secret from the environment appears in any tag (error messages included).',
    rationale: 'Error tags copy exception text, which can carry credentials.',
    check: (o) => {
      const hit = o.runs
        .flatMap((r) => r.run.data.tags ?? [])
        .filter((t) => t.key.includes(o.secret) || t.value.includes(o.secret))
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
    statement: 'No secret from the environment appears in any artifact.',
    rationale: "Artifacts are downloaded and shared far beyond the pipeline's team.",
    check: (o) => {
      const hit = o.artifactBytes.filter((a) => a.bytes.includes(o.secret)).map((a) => a.path);
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
    statement: 'No secret from the environment appears in what the hook prints or warns, failures included.',
    rationale: 'Logs are collected, shipped and kept; a token printed once is leaked.',
    check: (o) =>
      verdict(
        !o.output.includes(o.secret) && !(o.pipelineError ?? '').includes(o.secret),
        'no secret in output',
        o.output.includes(o.secret) ? 'found in output' : 'none',
      ),
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
