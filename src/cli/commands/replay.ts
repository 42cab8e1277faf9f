import type { Command } from 'commander';
import { InputError } from '../../errors.ts';
import { credentialsFromEnv, displayUri } from '../../mlflow/auth.ts';
import { MlflowClient } from '../../mlflow/client.ts';
import { readSpillFile, replay } from '../../tracking/delivery/replay.ts';
import type { Io } from '../io.ts';

/** An http(s) URL, or bad input naming the flag (the client would refuse it later, as an unexpected error). */
function checkTrackingUri(uri: string): void {
  let protocol: string;
  try {
    protocol = new URL(uri).protocol;
  } catch {
    throw InputError.flag('--tracking-uri', `not a URL: ${displayUri(uri)}`);
  }
  if (protocol !== 'http:' && protocol !== 'https:')
    throw InputError.flag('--tracking-uri', `must be an http(s):// URL; got ${displayUri(uri)}`);
}

export function registerReplay(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('replay')
    .description('deliver the values a tracking hook wrote to its spill file when MLflow was unreachable')
    .argument('<file>', 'a trackbench-undelivered-*.jsonl file')
    .option('--tracking-uri <uri>', 'MLflow to deliver to (default: MLFLOW_TRACKING_URI)')
    .action(async (file: string, opts: { trackingUri?: string }) => {
      const uri = opts.trackingUri ?? process.env.MLFLOW_TRACKING_URI;
      if (!uri)
        throw InputError.flag('--tracking-uri', 'no tracking URI: pass --tracking-uri or set MLFLOW_TRACKING_URI');
      checkTrackingUri(uri);
      const records = readSpillFile(file);
      const client = new MlflowClient({ trackingUri: uri, credentials: credentialsFromEnv() });
      try {
        const r = await replay(records, client);
        io.out(
          `replayed ${file} to ${displayUri(uri)}: ${r.params} params, ${r.metrics} metric values, ${r.tags} tags, ` +
            `${r.artifacts} artifacts, ${r.models} models; ${r.runsCreated} run(s) created; ${r.requests} requests`,
        );
      } finally {
        client.close();
      }
      done(0);
    });
}
