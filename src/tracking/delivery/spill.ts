// Undelivered values, written as JSONL so `trackbench replay <file>` can deliver them later.
// One line per record; the first record of each run says how to find or recreate it. Every record
// carries a stable id (file-unique), so replay can journal what it delivered and never send it twice.
import { randomBytes } from 'node:crypto';
import { appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { errorMessage } from '../../errors.ts';
import { wireJson, type KeyValue, type Metric, type RunStatus } from '../../mlflow/wire.ts';
import { timestamped } from '../../common/file-names.ts';

export type RunRecord = {
  type: 'run';
  id?: string;
  run: string;
  experimentName: string;
  runName: string;
  runId: string | null;
  parentRun?: string;
  tags: KeyValue[];
  /**
   * The start time of a creation that failed but may have made the run (its answer was lost): replay looks for
   * that run (its name, parent and this start time) before it makes one.
   */
  maybeCreatedAt?: number;
};

export type SpillRecord =
  | RunRecord
  | { type: 'params'; id?: string; run: string; items: KeyValue[]; reason: string }
  | { type: 'tags'; id?: string; run: string; items: KeyValue[]; reason: string }
  | { type: 'metrics'; id?: string; run: string; items: Metric[]; reason: string }
  | { type: 'artifact'; id?: string; run: string; path: string; base64: string; reason: string }
  | { type: 'model'; id?: string; run: string; name: string; path: string; base64: string; reason: string }
  | { type: 'end'; id?: string; run: string; status: RunStatus; endTime: number; reason: string };

export const SPILL_RECORD_TYPES = ['run', 'params', 'tags', 'metrics', 'artifact', 'model', 'end'] as const;

/** Folders a spill must never go to: writing there hangs or fails in ways that lose the values. */
export function unusableSpillDir(dir: string): string | undefined {
  if (/^\/(proc|sys)(\/|$)|^\/dev(\/(?!shm(\/|$))|$)/.test(resolve(dir)))
    return `${dir} is a kernel file system, not a place for files`;
  return undefined;
}

/** Where spill files go unless `trackbench.spillDir` says otherwise: never the current folder. */
export const DEFAULT_SPILL_DIR = join(tmpdir(), 'trackbench-spill');

/** What a run record says of where the run is: a change is written again. */
const runFacts = (r: RunRecord): string => `${r.runId ?? ''}|${r.maybeCreatedAt ?? ''}`;

export class SpillWriter {
  private file?: string;
  /** Runs whose record is in the file, with what its last record said of where the run is (runFacts). */
  private readonly announced = new Map<string, string>();
  private readonly prefix = randomBytes(4).toString('hex');
  private seq = 0;
  /** Why the spill file could not be written, once it failed. */
  failure?: string;

  constructor(readonly dir: string = DEFAULT_SPILL_DIR) {}

  get path(): string | undefined {
    return this.file;
  }

  /**
   * Appends synchronously: the record is on disk before the hook call returns. Returns false when
   * the file cannot be written (the caller counts the values as lost, not spilled).
   */
  write(record: SpillRecord | undefined, runRecord?: RunRecord): boolean {
    if (this.failure) return false;
    try {
      if (!this.file) {
        const bad = unusableSpillDir(this.dir);
        if (bad) throw new Error(bad);
        mkdirSync(this.dir, { recursive: true });
        // The writer's own random part too: two hook objects of one process (each numbering its pipeline runs from
        // 1) starting in one millisecond would otherwise share a file, and replay would merge their runs.
        this.file = join(this.dir, `${timestamped('trackbench-undelivered')}-${process.pid}-${this.prefix}.jsonl`);
      }
      let text = '';
      // A run's record again when its id became known later (created after an outage), or that a creation may have
      // made it (a lost answer): replay must then log into that run, not create another.
      if (runRecord && this.announced.get(runRecord.run) !== runFacts(runRecord))
        text += `${wireJson(this.stamp(runRecord))}\n`;
      // wireJson: a NaN or infinite metric value is spelt as MLflow's JSON does ("NaN"), not written null
      if (record) text += `${wireJson(this.stamp(record))}\n`;
      if (text) appendFileSync(this.file, text);
      if (runRecord) this.announced.set(runRecord.run, runFacts(runRecord));
      return true;
    } catch (err) {
      this.failure = `the spill file could not be written in ${this.dir}: ${errorMessage(err)}`;
      return false;
    }
  }

  /** Whether the file already names this run (so a later change of its id must be written too). */
  names(run: string): boolean {
    return this.announced.has(run);
  }

  private stamp<T extends SpillRecord>(r: T): T {
    return { ...r, id: `${this.prefix}-${++this.seq}` };
  }
}
