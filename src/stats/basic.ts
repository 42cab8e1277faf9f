// Order statistics and a seeded bootstrap: the small core every figure in a report rests on.
import { rng, type Rng } from '../common/random.ts';

export function median(xs: readonly number[]): number {
  return quantile(xs, 0.5);
}

/** Linear interpolation between order statistics (type 7, as R and numpy default). */
export function quantile(xs: readonly number[], q: number): number {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const h = (s.length - 1) * q;
  const lo = Math.floor(h);
  return s[lo]! + (h - lo) * ((s[Math.min(lo + 1, s.length - 1)] ?? s[lo]!) - s[lo]!);
}

type Resampler = (random: Rng) => number;

/** The percentile interval of a statistic over `resamples` draws (non-finite draws are ignored). */
function percentileBootstrap(
  draw: Resampler,
  options: { resamples?: number; seed?: number; level?: number },
  stream: string,
): [number, number] {
  const random = rng(options.seed ?? 1, stream);
  const level = options.level ?? 0.95;
  const stats: number[] = [];
  for (let r = 0; r < (options.resamples ?? 10_000); r++) {
    const s = draw(random);
    if (Number.isFinite(s)) stats.push(s);
  }
  return [quantile(stats, (1 - level) / 2), quantile(stats, 1 - (1 - level) / 2)];
}

/**
 * Percentile bootstrap interval of `statistic` over paired observations: each resample draws
 * whole pairs (rounds), so what varied together stays together. Seeded: the same data gives
 * the same interval.
 */
export function bootstrapPaired(
  a: readonly number[],
  b: readonly number[],
  statistic: (a: number[], b: number[]) => number,
  options: { resamples?: number; seed?: number; level?: number } = {},
): [number, number] {
  const n = Math.min(a.length, b.length);
  if (n === 0) return [NaN, NaN];
  const ra = new Array<number>(n);
  const rb = new Array<number>(n);
  return percentileBootstrap(
    (random) => {
      for (let i = 0; i < n; i++) {
        const k = random.int(n);
        ra[i] = a[k]!;
        rb[i] = b[k]!;
      }
      return statistic(ra, rb);
    },
    options,
    'bootstrap',
  );
}

/** Percentile bootstrap for two independent samples: each side is resampled on its own. */
export function bootstrapIndependent(
  a: readonly number[],
  b: readonly number[],
  statistic: (a: number[], b: number[]) => number,
  options: { resamples?: number; seed?: number; level?: number } = {},
): [number, number] {
  if (!a.length || !b.length) return [NaN, NaN];
  const draw = (xs: readonly number[], random: Rng): number[] =>
    Array.from({ length: xs.length }, () => xs[random.int(xs.length)]!);
  return percentileBootstrap((random) => statistic(draw(a, random), draw(b, random)), options, 'bootstrap-independent');
}

/** Overhead as a ratio of medians: median(with) / median(without) - 1. */
export function overheadRatio(without: readonly number[], withHook: readonly number[]): number {
  const base = median(without);
  return base === 0 ? (median(withHook) === 0 ? 0 : Infinity) : median(withHook) / base - 1;
}
