import type { MeasuredMetric, MetricResult } from '../../src/measure/report-types.ts';

/** The metric's figures; fails the test when the metric was not measured. */
export function measured(m: MetricResult | undefined): MeasuredMetric {
  if (!m?.available) throw new Error(`metric not measured: ${m ? m.reason : 'absent'}`);
  return m;
}
