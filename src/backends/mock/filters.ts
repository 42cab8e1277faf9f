// The small part of MLflow's search filter language the mock understands:
// `<entity>.<key> <op> '<value>'` clauses joined by AND, with = and != (and LIKE for model names).
import type { ModelVersion, RegisteredModel, Run } from '../../mlflow/wire.ts';
import { invalid } from './validation.ts';

interface Clause {
  entity: string;
  key: string;
  op: '=' | '!=' | 'LIKE';
  value: string;
}

/** `[entity.]key <op> value`: the entity prefix, the key (bare, `quoted` or "quoted"), the operator, the value. */
const CLAUSE = new RegExp(
  [
    /^\s*(?:(attributes|attribute|attr|run|tags|tag|params|param|metrics|metric)\.)?/.source,
    /(`[^`]+`|"[^"]+"|[\w.]+)/.source,
    /\s*(=|!=|LIKE)\s*/.source,
    /('(?:[^']*)'|"(?:[^"]*)"|-?[\d.]+)\s*$/.source,
  ].join(''),
  'i',
);

function parse(filter: string | undefined): Clause[] {
  if (!filter || !filter.trim()) return [];
  return filter.split(/\s+AND\s+/i).map((part) => {
    const m = part.match(CLAUSE);
    if (!m) throw invalid(`Invalid filter '${filter}'. Could not be parsed.`);
    const unquote = (s: string): string => s.replace(/^[`'"]|[`'"]$/g, '');
    return {
      entity: (m[1] ?? 'attributes').toLowerCase(),
      // groups 2-4 are not optional in CLAUSE: a match has them all; the op group matches only =, != or LIKE
      key: unquote(m[2]!),
      op: m[3]!.toUpperCase() as Clause['op'],
      value: unquote(m[4]!),
    };
  });
}

function compare(actual: string | undefined, c: Clause): boolean {
  if (c.op === '=') return actual === c.value;
  if (c.op === '!=') return actual !== undefined && actual !== c.value;
  const pattern = new RegExp(
    `^${c.value
      .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
      .replace(/%/g, '.*')
      .replace(/_/g, '.')}$`,
  );
  return actual !== undefined && pattern.test(actual);
}

export function runFilter(filter: string | undefined): (run: Run) => boolean {
  const clauses = parse(filter);
  return (run) =>
    clauses.every((c) => {
      const find = (xs: { key: string; value: unknown }[] | undefined): string | undefined => {
        const hit = xs?.find((x) => x.key === c.key);
        return hit === undefined ? undefined : String(hit.value);
      };
      if (c.entity.startsWith('tag')) return compare(find(run.data.tags), c);
      if (c.entity.startsWith('param')) return compare(find(run.data.params), c);
      if (c.entity.startsWith('metric')) return compare(find(run.data.metrics), c);
      const attrs: Record<string, string | undefined> = {
        run_name: run.info.run_name,
        status: run.info.status,
        run_id: run.info.run_id,
        lifecycle_stage: run.info.lifecycle_stage,
        // compared as MLflow does for `=` on a number: the same milliseconds
        start_time: String(run.info.start_time),
      };
      return compare(attrs[c.key], c);
    });
}

export function modelFilter(filter: string | undefined): (m: RegisteredModel) => boolean {
  const clauses = parse(filter);
  return (m) => clauses.every((c) => (c.key === 'name' ? compare(m.name, c) : false));
}

export function versionFilter(filter: string | undefined): (v: ModelVersion) => boolean {
  const clauses = parse(filter);
  return (v) =>
    clauses.every((c) => (c.key === 'name' ? compare(v.name, c) : c.key === 'run_id' ? compare(v.run_id, c) : false));
}
