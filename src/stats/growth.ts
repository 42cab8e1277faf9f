// How a hook's cost grows with pipeline size: the slope of log(cost) against log(nodes) by least
// squares. 1 is linear (a constant cost per node); above 1.1 is flagged as superlinear.

export interface Growth {
  slope: number;
  /** Coefficient of determination of the log-log fit. */
  r2: number;
  superlinear: boolean;
  points: number;
}

export const SUPERLINEAR = 1.1;
/** Two points always fit a line exactly (r2 = 1): a slope from them is not a fit, so none is given. */
export const MIN_GROWTH_POINTS = 3;

export function growthExponent(nodes: readonly number[], cost: readonly number[]): Growth | null {
  const pts = nodes.map((n, i) => [n, cost[i]!] as const).filter(([n, c]) => n > 0 && c > 0);
  if (pts.length < MIN_GROWTH_POINTS) return null;
  const xs = pts.map(([n]) => Math.log(n));
  const ys = pts.map(([, c]) => Math.log(c));
  const mx = xs.reduce((a, b) => a + b, 0) / xs.length;
  const my = ys.reduce((a, b) => a + b, 0) / ys.length;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  xs.forEach((x, i) => {
    sxy += (x - mx) * (ys[i]! - my);
    sxx += (x - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  });
  if (sxx === 0) return null;
  const slope = sxy / sxx;
  return { slope, r2: syy === 0 ? 1 : (sxy * sxy) / (sxx * syy), superlinear: slope > SUPERLINEAR, points: pts.length };
}
