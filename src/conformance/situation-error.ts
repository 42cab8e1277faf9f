// A situation's own error: why it could not be observed (cut off by its timeout, the target failed, the backend
// failed), kept apart from the requirements it left unjudged, so a report never reads it as the hook misbehaving.
import { errorMessage } from '../errors.ts';
import type { ScenarioId, SituationError, SituationErrorCause } from './types.ts';

/** A situation cut off by the harness's time limit (the hook, or its factory, never returned). */
export class SituationTimeoutError extends Error {
  /** The limit it was cut off at. */
  readonly timeoutMs: number;
  constructor(message: string, timeoutMs: number) {
    super(message);
    this.name = 'SituationTimeoutError';
    this.timeoutMs = timeoutMs;
  }
}

/** The backend failed (it would not start, or what reached it could not be read back): not the target's doing. */
export class BackendFailedError extends Error {
  constructor(err: unknown) {
    super(errorMessage(err), { cause: err });
    this.name = 'BackendFailedError';
  }
}

/** What a situation's thrown error was, classified; `quote` redacts the message (it may quote the hook). */
export function situationErrorOf(
  scenario: ScenarioId,
  err: unknown,
  quote: (text: string) => string,
): Omit<SituationError, 'unjudged'> {
  const error = quote(errorMessage(err));
  if (err instanceof SituationTimeoutError) return { scenario, cause: 'timeout', error, timeoutMs: err.timeoutMs };
  const cause: SituationErrorCause = err instanceof BackendFailedError ? 'backend' : 'target';
  return { scenario, cause, error };
}

/** One line for every report: "situation `outage` cut off by its 120 s timeout: ...". */
export function describeSituationError(e: Omit<SituationError, 'unjudged'>): string {
  const name = `situation \`${e.scenario}\`${e.mode ? ` [${e.mode}]` : ''}`;
  if (e.cause === 'timeout')
    return `${name} cut off by its ${e.timeoutMs === undefined ? '' : `${e.timeoutMs / 1000} s `}timeout: ${e.error}`;
  if (e.cause === 'backend') return `${name} did not run: the backend failed: ${e.error}`;
  if (e.cause === 'target') return `${name} did not run: the target failed: ${e.error}`;
  // Reports written before the cause was kept.
  return `${name} could not run: ${e.error}`;
}

/** A situation's own error and the results it left unjudged, on one line (every report format). */
export function situationLine(e: SituationError): string {
  const unjudged = e.unjudged?.length ? `; not judged: ${e.unjudged.join(', ')}` : '';
  return `${describeSituationError(e)}${unjudged}`.replace(/\s+/g, ' ');
}
