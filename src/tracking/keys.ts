// Explicit key sanitising: characters MLflow refuses become '_' (as kedro-mlflow does), and a key
// that would then collide with a different original key gets a short hash of its original, so two
// keys are never merged. Every rename is recorded (original -> sent) for the report.
import { createHash } from 'node:crypto';
import { LIMITS, pythonSlice, sanitiseKey } from '../mlflow/limits.ts';
import { HashSet64 } from './hash-set.ts';

export interface KeyRename {
  original: string;
  sent: string;
}

const SUFFIX_LENGTH = 8;

export class KeyMap {
  /**
   * The keys sent as they are (most keys): only their hashes, as a run can have tens of thousands. A
   * hash collision can only make a renamed key take a suffix it did not need, never merge two keys.
   */
  private readonly plain = new HashSet64();
  /** sent key -> the original it stands for, for the keys that were renamed (few) */
  private readonly takenBy = new Map<string, string>();
  /** original -> sent, for the keys that were renamed */
  private readonly renamed = new Map<string, string>();
  readonly renames: KeyRename[] = [];

  /** The key to send for `original`: unchanged when MLflow accepts it and no other key took it. */
  sent(original: string): string {
    if (this.renamed.size) {
      const renamed = this.renamed.get(original);
      if (renamed !== undefined) return renamed;
    }
    let key = sanitiseKey(original);
    if (key === original) {
      // a renamed key's sent form can not be `original` itself (that original would be in `renamed`)
      if (!this.takenBy.size || !this.takenBy.has(key)) {
        this.plain.add(key);
        return key;
      }
      key = withSuffix(key, original);
    } else if (this.plain.has(key) || this.takenBy.has(key)) key = withSuffix(key, original);
    this.takenBy.set(key, original);
    this.renamed.set(original, key);
    this.renames.push({ original, sent: key });
    return key;
  }
}

/** `key` shortened to leave room for '_' and 8 hex digits of a hash of `original`. */
function withSuffix(key: string, original: string): string {
  const hash = createHash('sha256').update(original).digest('hex').slice(0, SUFFIX_LENGTH);
  return `${pythonSlice(key, LIMITS.keyLength - SUFFIX_LENGTH - 1)}_${hash}`;
}
