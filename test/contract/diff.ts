// Where two normalised contract results differ, as readable lines (empty when equal).
import { isDeepStrictEqual } from 'node:util';
import type { CaseResult } from './runner.ts';

export function diffCases(expected: CaseResult[], actual: CaseResult[], labels: [string, string]): string[] {
  const out: string[] = [];
  expected.forEach((e, i) => {
    const a = actual[i];
    if (!a || a.name !== e.name) {
      out.push(`${e.name}: missing on ${labels[1]}`);
      return;
    }
    e.steps.forEach((step, k) => {
      const other = a.steps[k];
      if (!isDeepStrictEqual(step, other)) {
        out.push(
          `${e.name} step ${k + 1}:\n  ${labels[0]}: ${JSON.stringify(step).slice(0, 700)}\n  ${labels[1]}: ` +
            `${JSON.stringify(other).slice(0, 700)}`,
        );
      }
    });
  });
  return out;
}
