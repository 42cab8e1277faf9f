// Tukey's fences: mild outliers beyond 1.5 IQR, severe beyond 3 IQR. Flagged, never dropped.
import { quantile } from './basic.ts';

export interface Outliers {
  mild: number[];
  severe: number[];
  /** Indices (into the samples) of every outlier. */
  indices: number[];
}

export function tukey(xs: readonly number[]): Outliers {
  const q1 = quantile(xs, 0.25);
  const q3 = quantile(xs, 0.75);
  const iqr = q3 - q1;
  const out: Outliers = { mild: [], severe: [], indices: [] };
  xs.forEach((x, i) => {
    if (x < q1 - 3 * iqr || x > q3 + 3 * iqr) out.severe.push(x);
    else if (x < q1 - 1.5 * iqr || x > q3 + 1.5 * iqr) out.mild.push(x);
    else return;
    out.indices.push(i);
  });
  return out;
}
