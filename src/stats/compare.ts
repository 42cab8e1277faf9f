// Did something change? criterion's rule: a change counts only when it is significant (p < alpha)
// AND its whole 95% interval lies beyond the noise band. Exact figures are compared exactly.
import { bootstrapIndependent, overheadRatio } from './basic.ts';
import { mannWhitney } from './mann-whitney.ts';

export interface Change {
  /** Relative change of the median, median(current) / median(base) - 1 (overheadRatio). */
  ratio: number;
  ci95: [number, number];
  p: number;
  /**
   * Smallest relative change this pair of samples could have told from noise (half-width of the
   * interval, at least the band).
   */
  minimumDetectable: number;
  /**
   * criterion's reading: a significant change beyond the noise band is regressed/improved; an interval
   * inside the band is unchanged; anything else (wide interval, or beyond the band but not significant)
   * is inconclusive: this pair of runs cannot tell. Identical sample sets are unchanged.
   */
  verdict: 'regressed' | 'improved' | 'unchanged' | 'inconclusive';
}

export interface CompareOptions {
  alpha?: number;
  /** Relative changes inside ±noise are not changes (criterion's noise threshold). */
  noise?: number;
  seed?: number;
}

/**
 * Whether two sample sets hold the same values (in any order): the runs read alike, whatever the interval's
 * width (resampling each on its own spreads even identical sets; a report compared with itself is unchanged).
 */
export function sameSamples(a: readonly number[], b: readonly number[]): boolean {
  const sorted = (xs: readonly number[]): number[] => [...xs].sort((x, y) => x - y);
  const [sa, sb] = [sorted(a), sorted(b)];
  return sa.length > 0 && sa.length === sb.length && sa.every((x, i) => x === sb[i]);
}

/** Compares two independent sample sets (e.g. a baseline run and a current run). */
export function compareSamples(
  base: readonly number[],
  current: readonly number[],
  options: CompareOptions = {},
): Change {
  const alpha = options.alpha ?? 0.05;
  const noise = options.noise ?? 0.02;
  const b = [...base];
  const c = [...current];
  const ratio = overheadRatio(b, c);
  // Independent runs: each side is resampled on its own.
  const interval = bootstrapIndependent(b, c, overheadRatio, { seed: options.seed ?? 1, resamples: 10_000 });
  const p = mannWhitney(b, c).p;
  const beyond = interval[0] > noise || interval[1] < -noise;
  const inside = interval[0] >= -noise && interval[1] <= noise;
  const verdict: Change['verdict'] = sameSamples(b, c)
    ? 'unchanged'
    : p < alpha && beyond
      ? ratio > 0
        ? 'regressed'
        : 'improved'
      : inside
        ? 'unchanged'
        : 'inconclusive';
  return { ratio, ci95: interval, p, minimumDetectable: Math.max(noise, (interval[1] - interval[0]) / 2), verdict };
}
