// Progress of long runs: on a terminal, one line rewritten in place; elsewhere (CI logs, pipes) a plain
// line on stderr once a run has gone on for a while, then now and then, so that a 70-minute sweep is
// never silent and a short run's log stays clean.
import type { Progress } from '../measure/measure.ts';
import type { Io } from './io.ts';

/** Plain lines start after this long and come at most this often. */
export const PLAIN_PROGRESS_EVERY_MS = 30_000;

function describe(p: Progress): string {
  const eta = p.done > 0 ? ((p.elapsedMs / p.done) * (p.total - p.done)) / 1000 : NaN;
  const what = p.variant ? `${p.warmup ? 'warm-up' : `round ${p.round + 1}`}, ${p.variant}` : 'done';
  const left = Number.isFinite(eta) ? `, about ${eta.toFixed(0)} s left` : '';
  const elapsed = `${(p.elapsedMs / 1000).toFixed(0)} s elapsed`;
  const part = p.part ? `${p.part}: ` : '';
  return `${part}trial ${Math.min(p.done + 1, p.total)}/${p.total} (${what}) ${elapsed}${left}`;
}

export interface ProgressReporter {
  report(p: Progress): void;
  /** Clears the terminal line (plain lines need no clearing). */
  end(): void;
}

/** `prefix` says which part of a longer job this is (e.g. a sweep's size). */
export function progressReporter(io: Io, prefix = ''): ProgressReporter {
  let lastPlain = 0;
  return {
    report(p) {
      const text = `${prefix}${describe(p)}`;
      if (io.isTTY && io.progress) return io.progress(text);
      if (p.elapsedMs - lastPlain < PLAIN_PROGRESS_EVERY_MS) return;
      lastPlain = p.elapsedMs;
      io.err(text);
    },
    end() {
      if (io.isTTY) io.progress?.('');
    },
  };
}
