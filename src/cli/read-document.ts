// Reads any trackbench JSON document by its `kind`, checking run reports against their schema.
import { readFileSync } from 'node:fs';
import { InputError } from '../errors.ts';
import type { HtmlDocument } from '../report/html/index.ts';
import { HTML_KINDS } from '../report/html/index.ts';
import { reportProblems } from '../report/write.ts';

export function readDocument(file: string): HtmlDocument {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new InputError([{ file, message: `not a readable JSON report: ${(err as Error).message}` }]);
  }
  const kind = (data as { kind?: unknown } | null)?.kind;
  if (typeof kind !== 'string' || !HTML_KINDS.includes(kind))
    throw new InputError([
      {
        file,
        message: `not a trackbench report (kind ${JSON.stringify(kind)}; expected one of ${HTML_KINDS.join(', ')})`,
      },
    ]);
  const runs: unknown[] =
    kind === 'trackbench-run'
      ? [data]
      : kind === 'trackbench-gate'
        ? [(data as { current?: unknown }).current, (data as { baseline?: unknown }).baseline].filter((r) => r !== null)
        : kind === 'trackbench-run-set'
          ? ((data as { reports?: unknown[] }).reports ?? [])
          : [];
  const problems = runs.flatMap(reportProblems);
  if (problems.length)
    throw new InputError(problems.map((message) => ({ file, message: `not a valid trackbench report: ${message}` })));
  return data as HtmlDocument; // kind checked above; run reports inside checked against their schema
}
