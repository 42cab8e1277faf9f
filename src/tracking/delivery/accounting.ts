// What a hook produced, what reached MLflow and what did not: so nothing is lost silently.
// Every value produced is delivered, spilled (replayable later) or rejected (MLflow would refuse it;
// the reason is kept), exactly one of the three.
import type { KeyRename } from '../keys.ts';

export type ValueKind = 'params' | 'metrics' | 'tags' | 'artifacts' | 'models';
export type Counts = Record<ValueKind, number>;

export const zeroCounts = (): Counts => ({ params: 0, metrics: 0, tags: 0, artifacts: 0, models: 0 });

/** A value that was not sent because MLflow would refuse it (or refused it). */
export interface Rejection {
  kind: ValueKind;
  key: string;
  reason: string;
}

/** At most this many rejections are listed one by one; the counts stay exact. */
export const MAX_LISTED_REJECTIONS = 100;

export interface DeliveryStats {
  generated: Counts;
  delivered: Counts;
  /** Not delivered: spilled + rejected + those the spill file could not take. */
  lost: Counts;
  /** Written to the spill file, for `trackbench replay`. */
  spilled: Counts;
  /** Refused, by MLflow's rules or by the server, with reasons (first MAX_LISTED_REJECTIONS). */
  rejected: Counts;
  rejections: Rejection[];
  /** Keys sent differently from how the pipeline named them. */
  renamedKeys: KeyRename[];
  /** Values spilled during an outage because the in-memory queue was full (part of `spilled`). */
  overflowSpilled: number;
  /** Times the server became unreachable and delivery paused to probe for it. */
  outages: number;
  /** The JSONL file the spilled values were written to, when any were. */
  spillFile?: string;
  /** Why the spill file could not be written, when it could not: those values are lost for good. */
  spillError?: string;
  warnings: string[];
}

export class Accounting {
  readonly generated = zeroCounts();
  readonly delivered = zeroCounts();
  readonly lost = zeroCounts();
  readonly spilled = zeroCounts();
  readonly rejected = zeroCounts();
  readonly rejections: Rejection[] = [];
  readonly warnings: string[] = [];
  renamedKeys: KeyRename[] = [];
  overflowSpilled = 0;
  outages = 0;
  spillFile?: string;
  spillError?: string;

  reject(kind: ValueKind, key: string, reason: string): void {
    this.rejected[kind]++;
    this.lost[kind]++;
    if (this.rejections.length < MAX_LISTED_REJECTIONS) this.rejections.push({ kind, key, reason });
  }

  spill(kind: ValueKind, n: number): void {
    this.spilled[kind] += n;
    this.lost[kind] += n;
  }

  snapshot(): DeliveryStats {
    return {
      generated: { ...this.generated },
      delivered: { ...this.delivered },
      lost: { ...this.lost },
      spilled: { ...this.spilled },
      rejected: { ...this.rejected },
      rejections: [...this.rejections],
      renamedKeys: [...this.renamedKeys],
      overflowSpilled: this.overflowSpilled,
      outages: this.outages,
      spillFile: this.spillFile,
      spillError: this.spillError,
      warnings: [...this.warnings],
    };
  }

  totalLost(): number {
    return Object.values(this.lost).reduce((a, b) => a + b, 0);
  }
}
