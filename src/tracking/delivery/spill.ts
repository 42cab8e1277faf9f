// Undelivered values, written as JSONL so `trackbench replay <file>` can deliver them later.
// One line per record; the first record of each run says how to find or recreate it.
import { appendFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KeyValue, Metric, RunStatus } from '../../mlflow/wire.ts';
import { timestamped } from '../../common/file-names.ts';

export type SpillRecord =
  | {
      type: 'run';
      run: string;
      experimentName: string;
      runName: string;
      runId: string | null;
      parentRun?: string;
      tags: KeyValue[];
    }
  | { type: 'params'; run: string; items: KeyValue[]; reason: string }
  | { type: 'tags'; run: string; items: KeyValue[]; reason: string }
  | { type: 'metrics'; run: string; items: Metric[]; reason: string }
  | { type: 'artifact'; run: string; path: string; base64: string; reason: string }
  | { type: 'model'; run: string; name: string; path: string; base64: string; reason: string }
  | { type: 'end'; run: string; status: RunStatus; endTime: number; reason: string };

/** Where spill files go unless `trackbench.spillDir` says otherwise: never the current folder. */
export const DEFAULT_SPILL_DIR = join(tmpdir(), 'trackbench-spill');

export class SpillWriter {
  private file?: string;
  private readonly announced = new Set<string>();

  constructor(readonly dir: string = DEFAULT_SPILL_DIR) {}

  get path(): string | undefined {
    return this.file;
  }

  /** Appends synchronously: the record is on disk before the hook call returns. Throws when it cannot write. */
  write(record: SpillRecord, runRecord?: Extract<SpillRecord, { type: 'run' }>): void {
    if (!this.file) {
      mkdirSync(this.dir, { recursive: true });
      this.file = join(this.dir, `${timestamped('trackbench-undelivered')}-${process.pid}.jsonl`);
    }
    if (runRecord && !this.announced.has(runRecord.run)) {
      this.announced.add(runRecord.run);
      appendFileSync(this.file, `${JSON.stringify(runRecord)}\n`);
    }
    appendFileSync(this.file, `${JSON.stringify(record)}\n`);
  }
}
