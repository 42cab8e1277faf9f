// `trackbench replay <file>`: delivers what a hook could not, from its spill file, safe to repeat.
// Every record has a stable id; what replay delivered is journalled next to the file
// (`<file>.journal`, one JSON line per record, written as soon as the record is done), so a second
// replay sends nothing new and a replay cut short resumes where it stopped. Runs that were never
// created are created (same experiment, name and tags); a run that no longer exists on the server
// gets a replacement tagged `trackbench.replaces_run_id`. Values are checked against MLflow's rules
// and sent in log-batch requests packed to its limits; an invalid one is refused alone, with why.
import { appendFileSync, existsSync } from 'node:fs';
import { MAX_JSON_INPUT_BYTES, readInput } from '../../common/read-input.ts';
import { errorMessage, InputError } from '../../errors.ts';
import type { MlflowClient } from '../../mlflow/client.ts';
import { createdBefore } from '../../mlflow/created-run.ts';
import { MlflowApiError } from '../../mlflow/errors.ts';
import type { KeyValue, Metric } from '../../mlflow/wire.ts';
import { deliverBatch, emptyPending, size, takeBatch, type Pending } from './batch.ts';
import { registerVersion } from './outbox.ts';
import type { RunRecord } from './spill.ts';
import { readSpillFile, type SpillLine } from './spill-file.ts';

export { readSpillFile } from './spill-file.ts';

export type RecordOutcome =
  'delivered' | 'already delivered' | 'already refused' | 'refused' | 'partly refused' | 'run resolved';

export interface RecordReport {
  line: number;
  id: string;
  type: string;
  run: string;
  outcome: RecordOutcome;
  /** Values in the record (1 for an artifact, model or end). */
  values: number;
  detail?: string;
}

export interface ReplayResult {
  runsCreated: number;
  /** Runs that were gone from the server and were replaced by a new run tagged with the old id. */
  runsReplaced: number;
  params: number;
  metrics: number;
  tags: number;
  artifacts: number;
  models: number;
  /** Values refused as invalid (they will never be delivered; journalled so they are not retried). */
  refused: number;
  /** Records skipped because an earlier replay delivered (or refused) them. */
  alreadyDelivered: number;
  requests: number;
  /** The spill file's last line, when it was cut short as it was written: its values are lost. */
  cutShort?: number;
  records: RecordReport[];
  journal: string;
}

const JOURNAL_OUTCOMES = ['delivered', 'refused', 'partly refused'] as const;

interface JournalEntry {
  id: string;
  outcome: (typeof JOURNAL_OUTCOMES)[number];
  run?: string;
  runId?: string;
}

export const journalPath = (file: string): string => `${file}.journal`;

function readJournal(file: string): Map<string, JournalEntry> {
  const entries = new Map<string, JournalEntry>();
  if (!existsSync(file)) return entries;
  // Only a regular file, bounded: a FIFO named like the journal would block this read past SIGTERM.
  readInput(file, MAX_JSON_INPUT_BYTES)
    .split('\n')
    .forEach((raw, i) => {
      if (!raw.trim()) return;
      try {
        const e = JSON.parse(raw) as JournalEntry;
        if (typeof e.id !== 'string') throw new Error('no id');
        // an outcome of no known kind would read as refused: the record never sent
        if (!JOURNAL_OUTCOMES.includes(e.outcome)) throw new Error('unknown outcome');
        entries.set(e.id, e);
      } catch {
        // A line cut short by a crash is the only expected damage; anything else is refused.
        if (raw.trim().startsWith('{') && !raw.trim().endsWith('}')) return;
        throw new InputError([{ file, line: i + 1, col: 1, message: 'not a trackbench replay journal line' }]);
      }
    });
  return entries;
}

class Journal {
  readonly entries: Map<string, JournalEntry>;
  constructor(readonly path: string) {
    this.entries = readJournal(path);
  }
  record(e: JournalEntry): void {
    appendFileSync(this.path, `${JSON.stringify(e)}\n`);
    this.entries.set(e.id, e);
  }
}

const runIsGone = (err: unknown): boolean =>
  err instanceof MlflowApiError && (err.errorCode === 'RESOURCE_DOES_NOT_EXIST' || err.status === 404);

interface ResolvedRun {
  id: string;
  artifactUri: string;
}

/** Replays the spill file `file` (journal beside it). Throws the server's error if it stops answering. */
export async function replayFile(file: string, client: MlflowClient): Promise<ReplayResult> {
  let cutShort: number | undefined;
  const lines = readSpillFile(file, (line) => (cutShort = line));
  // The hook writes a spill file only with a record in it: an empty one is not one (or was emptied), and a journal
  // beside it would only say that nothing was done.
  if (!lines.length) throw new InputError([{ file, message: 'holds no spill records: nothing to replay' }]);
  let journal: Journal;
  try {
    journal = new Journal(journalPath(file));
    appendFileSync(journal.path, '');
  } catch (err) {
    if (err instanceof InputError) throw err;
    throw new InputError([
      { file: journalPath(file), message: `the replay journal cannot be written (${errorMessage(err)})` },
    ]);
  }
  return { ...(await replayLines(lines, client, journal)), ...(cutShort ? { cutShort } : {}) };
}

async function replayLines(lines: SpillLine[], client: MlflowClient, journal: Journal): Promise<ReplayResult> {
  const result: ReplayResult = {
    runsCreated: 0,
    runsReplaced: 0,
    params: 0,
    metrics: 0,
    tags: 0,
    artifacts: 0,
    models: 0,
    refused: 0,
    alreadyDelivered: 0,
    requests: 0,
    records: [],
    journal: journal.path,
  };
  const before = client.stats.requests;
  const report = (l: SpillLine, outcome: RecordOutcome, values: number, detail?: string): void => {
    result.records.push({ line: l.line, id: l.id, type: l.record.type, run: l.record.run, outcome, values, detail });
    if (outcome.startsWith('already')) result.alreadyDelivered++;
  };

  // Runs first, in file order (a parent before its children); the last record of a run has its id, and a later one
  // may say that a creation whose answer was lost may have made it.
  const runLines = new Map<string, SpillLine[]>();
  for (const l of lines)
    if (l.record.type === 'run') runLines.set(l.record.run, [...(runLines.get(l.record.run) ?? []), l]);
  const runs = new Map<string, ResolvedRun>();
  for (const [key, group] of runLines) {
    const first = group[0]!.record as RunRecord;
    const last = group[group.length - 1]!.record as RunRecord;
    const known = group.map((l) => journal.entries.get(l.id)?.runId).find(Boolean);
    const maybeCreatedAt = group.flatMap((l) => (l.record as RunRecord).maybeCreatedAt ?? []).at(-1);
    const resolved = await resolveRun(client, { ...first, runId: known ?? last.runId, maybeCreatedAt }, runs, result);
    runs.set(key, resolved.run);
    for (const l of group) {
      if (journal.entries.has(l.id)) report(l, 'already delivered', 0);
      else {
        journal.record({ id: l.id, outcome: 'delivered', run: key, runId: resolved.run.id });
        report(l, 'run resolved', resolved.tags, resolved.detail);
      }
    }
  }

  for (const l of lines) {
    const r = l.record;
    if (r.type === 'run') continue;
    const values = r.type === 'params' || r.type === 'tags' || r.type === 'metrics' ? r.items.length : 1;
    const done = journal.entries.get(l.id);
    if (done) {
      report(l, done.outcome === 'delivered' ? 'already delivered' : 'already refused', values);
      continue;
    }
    const run = runs.get(r.run)!; // readSpillFile checked every value follows its run's record
    if (r.type === 'params' || r.type === 'tags' || r.type === 'metrics') {
      const p: Pending = emptyPending();
      (p[r.type] as (KeyValue | Metric)[]).push(...r.items);
      const refused: string[] = [];
      while (size(p) > 0) {
        const out = await deliverBatch(client, run.id, takeBatch(p));
        if (out.undelivered) throw out.undelivered.error;
        result.params += out.delivered.params.length;
        result.tags += out.delivered.tags.length;
        result.metrics += out.delivered.metrics.length;
        for (const x of out.rejected) refused.push(`"${x.key}": ${x.reason}`);
      }
      result.refused += refused.length;
      const outcome = refused.length === 0 ? 'delivered' : refused.length === values ? 'refused' : 'partly refused';
      journal.record({ id: l.id, outcome });
      report(l, outcome, values, refused.length ? `refused ${refused.join('; ')}` : undefined);
    } else if (r.type === 'artifact' || r.type === 'model') {
      await client.uploadArtifact(run.artifactUri, r.path, Buffer.from(r.base64, 'base64'));
      if (r.type === 'model') {
        await registerVersion(client, r.name, `${run.artifactUri}/${r.path}`, run.id);
        result.models++;
      } else result.artifacts++;
      journal.record({ id: l.id, outcome: 'delivered' });
      report(l, 'delivered', 1);
    } else if (r.type === 'end') {
      await client.updateRun({ run_id: run.id, status: r.status, end_time: r.endTime });
      journal.record({ id: l.id, outcome: 'delivered' });
      report(l, 'delivered', 1, `run ended ${r.status}`);
    }
  }
  result.requests = client.stats.requests - before;
  return result;
}

/** The run to log into: the recorded one if it still exists, else a new (or replacement) run. */
async function resolveRun(
  client: MlflowClient,
  r: RunRecord,
  runs: Map<string, ResolvedRun>,
  result: ReplayResult,
): Promise<{ run: ResolvedRun; tags: number; detail: string }> {
  if (r.runId) {
    try {
      const run = await client.getRun(r.runId);
      if (run.info.lifecycle_stage !== 'deleted')
        return { run: { id: run.info.run_id, artifactUri: run.info.artifact_uri }, tags: 0, detail: 'run exists' };
    } catch (err) {
      if (!runIsGone(err)) throw err;
    }
  }
  const experimentId = await client.getOrCreateExperiment(r.experimentName);
  const parentId = r.parentRun ? runs.get(r.parentRun)?.id : undefined;
  const parentTag = parentId ? [{ key: 'mlflow.parentRunId', value: parentId }] : [];
  if (r.maybeCreatedAt !== undefined) {
    const req = { experiment_id: experimentId, run_name: r.runName, start_time: r.maybeCreatedAt, tags: parentTag };
    const made = await createdBefore(client, req);
    if (made) {
      // Its tags came with the request that made it: spilled in the hook's count, delivered after all.
      const stored = r.tags.filter((t) => made.data.tags?.some((m) => m.key === t.key && m.value === t.value));
      result.tags += stored.length;
      const detail = `found ${made.info.run_id}, made by a creation whose answer was lost`;
      return { run: { id: made.info.run_id, artifactUri: made.info.artifact_uri }, tags: stored.length, detail };
    }
  }
  const tags = [...r.tags, ...parentTag, ...(r.runId ? [{ key: 'trackbench.replaces_run_id', value: r.runId }] : [])];
  const run = await client.createRun({
    experiment_id: experimentId,
    run_name: r.runName,
    start_time: Date.now(),
    tags,
  });
  result.runsCreated++;
  if (r.runId) result.runsReplaced++;
  result.tags += r.tags.length;
  const detail = r.runId ? `run ${r.runId} is gone: replaced by ${run.info.run_id}` : `created ${run.info.run_id}`;
  return { run: { id: run.info.run_id, artifactUri: run.info.artifact_uri }, tags: r.tags.length, detail };
}
