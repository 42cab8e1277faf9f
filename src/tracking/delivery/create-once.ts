// A run created at most once across the circuit breaker's retries (mlflow/created-run.ts says why it matters).
import type { MlflowClient } from '../../mlflow/client.ts';
import type { CreateRunAttempts, CreateRunRequest } from '../../mlflow/created-run.ts';
import type { Run } from '../../mlflow/wire.ts';

/**
 * An operation for the breaker that creates the run: after a failure that may have gone through, each retry first
 * looks for the run that attempt made and takes it instead of making another. Healthy delivery sends exactly the
 * one runs/create request it did before (counted trials compare requests).
 */
export function createRunOnce(
  client: MlflowClient,
  req: CreateRunRequest,
  attempts: CreateRunAttempts,
): () => Promise<Run> {
  return async () => {
    const earlier = await attempts.earlier();
    if (earlier) return earlier;
    try {
      return await client.createRun(req, attempts);
    } catch (err) {
      attempts.failed(err);
      throw err;
    }
  };
}
