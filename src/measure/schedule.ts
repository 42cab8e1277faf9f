// The order of trials: warm-up rounds first (run and discarded), then measured rounds in which
// every variant runs once. Order within a round alternates (ABBA: forward, reverse, forward, ...)
// or is a seeded shuffle, so slow drift and order effects fall on every variant alike.
import { rng } from '../common/random.ts';

export interface ScheduledTrial<V> {
  variant: V;
  round: number;
  warmup: boolean;
}

export function schedule<V>(
  variants: V[],
  rounds: number,
  warmupRounds: number,
  order: 'abba' | 'random',
  seed: number,
): ScheduledTrial<V>[] {
  const random = rng(seed, 'schedule');
  const out: ScheduledTrial<V>[] = [];
  for (let r = 0; r < warmupRounds + rounds; r++) {
    const round = [...variants];
    if (order === 'abba') {
      if (r % 2 === 1) round.reverse();
    } else {
      for (let i = round.length - 1; i > 0; i--) {
        const j = random.int(i + 1);
        [round[i], round[j]] = [round[j]!, round[i]!];
      }
    }
    // Warm-up rounds get negative numbers, so measured rounds count from 0.
    for (const variant of round) out.push({ variant, round: r - warmupRounds, warmup: r < warmupRounds });
  }
  return out;
}
