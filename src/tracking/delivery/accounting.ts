// What a hook produced, what reached MLflow and what did not: so nothing is lost silently.

export type ValueKind = 'params' | 'metrics' | 'tags' | 'artifacts' | 'models';
export type Counts = Record<ValueKind, number>;

export const zeroCounts = (): Counts => ({ params: 0, metrics: 0, tags: 0, artifacts: 0, models: 0 });

export interface DeliveryStats {
  generated: Counts;
  delivered: Counts;
  lost: Counts;
  /** The JSONL file the lost values were written to, when any were. */
  spillFile?: string;
  /** Why the spill file could not be written, when it could not: those values are lost for good. */
  spillError?: string;
  warnings: string[];
}

export class Accounting {
  readonly generated = zeroCounts();
  readonly delivered = zeroCounts();
  readonly lost = zeroCounts();
  readonly warnings: string[] = [];
  spillFile?: string;
  spillError?: string;

  snapshot(): DeliveryStats {
    return {
      generated: { ...this.generated },
      delivered: { ...this.delivered },
      lost: { ...this.lost },
      spillFile: this.spillFile,
      spillError: this.spillError,
      warnings: [...this.warnings],
    };
  }

  totalLost(): number {
    return Object.values(this.lost).reduce((a, b) => a + b, 0);
  }
}
