// Reports are written atomically (temp file, then rename) and the JSON is validated against its
// schema first: a report on disk is always whole and always valid.
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { InterruptedError, interruptedBy } from '../common/cleanup.ts';
import { jsonObject, schemaValidator } from '../common/validate-yaml.ts';
import type { Report } from '../measure/report-types.ts';
import { safeFileName, timestamped } from '../common/file-names.ts';

const require = createRequire(import.meta.url);
export const reportSchema = jsonObject(require('./report.schema.json'), 'the report schema');

export function reportProblems(data: unknown): string[] {
  const validate = schemaValidator(reportSchema, false);
  return validate(data)
    ? []
    : (validate.errors ?? []).map((e) => `${e.instancePath || '(top level)'} ${e.message ?? 'is invalid'}`);
}

export function writeAtomic(path: string, content: string): void {
  // An interrupted run leaves no report rather than one that looks complete.
  const signal = interruptedBy();
  if (signal) throw new InterruptedError(signal);
  const tmp = `${path}.${process.pid}.tmp`;
  // The folder is made now, not when the flag naming it was checked (a later flag could still have been refused).
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true }); // never leave a half-written temp file behind
    throw err;
  }
}

export function reportBaseName(report: Report): string {
  return timestamped(safeFileName(report.scenario.name), new Date(report.createdAt));
}

export function writeReportFiles(report: Report, dir: string, markdown: string): { json: string; md: string } {
  const problems = reportProblems(JSON.parse(JSON.stringify(report)));
  if (problems.length) throw new Error(`internal error: the report does not match its schema:\n${problems.join('\n')}`);
  mkdirSync(dir, { recursive: true });
  const base = join(dir, reportBaseName(report));
  writeAtomic(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
  writeAtomic(`${base}.md`, markdown);
  return { json: `${base}.json`, md: `${base}.md` };
}
