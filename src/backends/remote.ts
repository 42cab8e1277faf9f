// Any tracking URI the user names. Nothing to start or stop; requests are not visible to us.
import { displayUri } from '../mlflow/auth.ts';
import type { RunningBackend } from './types.ts';

export function remoteBackend(uri: string): RunningBackend {
  return {
    kind: 'remote',
    trackingUri: uri.replace(/\/+$/, ''),
    describe: `remote MLflow (${displayUri(uri)})`,
    stop: async () => {},
  };
}
