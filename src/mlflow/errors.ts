// Typed failures of MLflow calls. Messages never carry credentials: URLs are shown without userinfo.

/** The server answered with an MLflow error body (or a non-JSON error page). */
export class MlflowApiError extends Error {
  constructor(
    readonly endpoint: string,
    readonly status: number,
    readonly errorCode: string,
    readonly serverMessage: string,
    readonly attempts = 1,
  ) {
    super(`MLflow ${endpoint} failed: ${status} ${errorCode}: ${serverMessage}`);
    this.name = 'MlflowApiError';
  }
}

/** No answer at all: refused, reset, timed out. */
export class MlflowNetworkError extends Error {
  constructor(
    readonly endpoint: string,
    readonly code: string,
    readonly attempts: number,
    detail: string,
  ) {
    super(`MLflow ${endpoint} unreachable after ${attempts} attempt(s): ${code} ${detail}`.trim());
    this.name = 'MlflowNetworkError';
  }
}

export type MlflowError = MlflowApiError | MlflowNetworkError;

export function isMlflowError(err: unknown): err is MlflowError {
  return err instanceof MlflowApiError || err instanceof MlflowNetworkError;
}
