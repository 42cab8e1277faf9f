// Long runs say where they are: in place on a terminal; in CI logs a plain line once a run has gone on
// for a while and then now and then (a short run's log stays clean).
import { describe, expect, it } from 'vitest';
import type { Progress } from '../src/measure/measure.ts';
import { PLAIN_PROGRESS_EVERY_MS, progressReporter } from '../src/cli/progress.ts';

const at = (elapsedMs: number, done: number, part?: string): Progress => ({
  done,
  total: 10,
  variant: 'reference',
  round: done,
  warmup: false,
  elapsedMs,
  ...(part ? { part } : {}),
});

describe('progress', () => {
  it('not a terminal: no line before the first interval, then at most one an interval, on stderr', () => {
    const err: string[] = [];
    const p = progressReporter({ out: () => {}, err: (t) => void err.push(t), isTTY: false });
    const step = PLAIN_PROGRESS_EVERY_MS;
    for (const [ms, done] of [
      [0, 0],
      [step / 2, 1],
      [step + 1, 2],
      [step + 2, 3],
      [2 * step + 5, 4],
    ] as const)
      p.report(at(ms, done, '5000 nodes (size 1 of 2)'));
    p.end();
    expect(err).toHaveLength(2);
    expect(err[0]).toMatch(
      /^5000 nodes \(size 1 of 2\): trial 3\/10 \(round 3, reference\) 30 s elapsed, about \d+ s left$/,
    );
    expect(err[1]).toMatch(/^5000 nodes \(size 1 of 2\): trial 5\/10 /);
  });

  it('a terminal: every update rewrites the line, and the end clears it', () => {
    const lines: string[] = [];
    const p = progressReporter({ out: () => {}, err: () => {}, progress: (t) => void lines.push(t), isTTY: true });
    p.report(at(0, 0));
    p.report(at(100, 1));
    p.end();
    expect(lines).toEqual([expect.stringMatching(/^trial 1\/10 /), expect.stringMatching(/^trial 2\/10 /), '']);
  });
});
