// Requirements: limits.
import type { Requirement } from '../types.ts';
import { verdict, LIMIT_ERROR } from './queries.ts';

export const LIMITS: Requirement[] = [
  {
    id: 'LIM-001',
    source:
      'MLflow REST API docs: log-batch limits (1000 metrics, 100 params, 100 tags, 1000 in all), 6000-character values',
    level: 'MUST',
    scenario: 'healthy',
    features: [],
    statement: "No request is refused for breaking MLflow's batch or length limits.",
    rationale: 'A refused batch loses every value in it.',
    check: (o) => {
      const refused = o.requests.filter((r) => r.error && LIMIT_ERROR.test(r.error));
      return verdict(
        refused.length === 0,
        'no limit refusals',
        refused.length ? `${refused.length}: ${refused[0]!.error!.slice(0, 100)}` : 'none',
      );
    },
  },
  {
    id: 'LIM-002',
    source: 'MLflow server behaviour: a refused request logs nothing',
    level: 'MUST',
    scenario: 'healthy',
    features: ['every situation with a healthy server', 'child runs (when the hook makes them)'],
    dependsOn: ['childRunPerNode'],
    statement:
      'In every situation with a healthy server, the server accepts every request the hook sends (to child runs ' +
      'too).',
    rationale:
      'Every refused request is a value that did not arrive, or a bug (a child run ended by an id it never had).',
    check: (o) => {
      const refused = o.requests.filter(
        (r) =>
          r.status >= 400 &&
          !(r.status === 404 && r.endpoint === 'experiments/get-by-name') &&
          !(r.status === 404 && r.endpoint === 'model-versions/create') &&
          !(r.status === 400 && r.error?.includes('already exists')) &&
          // PAR-004's own finding.
          !r.error?.includes('Changing param values is not allowed'),
      );
      return verdict(
        refused.length === 0,
        'no refused requests (lookups of missing experiments and models, and param changes (PAR-004), aside)',
        refused.length
          ? `${refused.length}, e.g. ${refused[0]!.endpoint} ${refused[0]!.status}: ` +
              (refused[0]!.error ?? '').slice(0, 100)
          : 'none',
      );
    },
  },
  {
    id: 'LIM-003',
    source: 'MLflow REST API docs: key names (alphanumerics, _ - . space /, at most 250 characters)',
    level: 'MUST',
    scenario: 'healthy',
    features: [],
    dependsOn: ['flatten'],
    statement: 'Keys sent are valid MLflow keys (characters, no path tricks, at most 250 characters).',
    rationale: 'Kedro names can hold characters MLflow refuses; a hook must sanitise them.',
    check: (o) => {
      const refused = o.requests.filter(
        (r) =>
          r.error &&
          /for parameter '(?:[\w.[\]]*\.)?(?:key|name)' supplied|'(?:Param key|Metric name)' exceeds/.test(r.error),
      );
      return verdict(
        refused.length === 0,
        'no key refusals',
        refused.length ? `${refused.length}: ${refused[0]!.error!.slice(0, 100)}` : 'none',
      );
    },
  },
];
