// Explicit key sanitising: characters MLflow refuses become '_' (as kedro-mlflow does), and a key
// that would then collide with a different original key gets a short hash of its original, so two
// keys are never merged. Every rename is recorded (original -> sent) for the report.
import { createHash } from 'node:crypto';
import { LIMITS, sanitiseKey } from '../mlflow/limits.ts';

export interface KeyRename {
  original: string;
  sent: string;
}

const SUFFIX_LENGTH = 8;

export class KeyMap {
  /** sent key -> the original it stands for (a key MLflow accepts as it is stands for itself) */
  private readonly owners = new Map<string, string>();
  /** original -> sent, for the keys that were renamed only (one map, not two, for the common case) */
  private readonly renamed = new Map<string, string>();
  readonly renames: KeyRename[] = [];

  /** The key to send for `original`: unchanged when MLflow accepts it and no other key took it. */
  sent(original: string): string {
    const renamed = this.renamed.get(original);
    if (renamed !== undefined) return renamed;
    let key = sanitiseKey(original);
    const owner = this.owners.get(key);
    if (owner === original) return key;
    if (owner !== undefined) {
      const hash = createHash('sha256').update(original).digest('hex').slice(0, SUFFIX_LENGTH);
      key = `${key.slice(0, LIMITS.keyLength - SUFFIX_LENGTH - 1)}_${hash}`;
    }
    this.owners.set(key, original);
    if (key !== original) {
      this.renamed.set(original, key);
      this.renames.push({ original, sent: key });
    }
    return key;
  }
}
