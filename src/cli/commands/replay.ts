import type { Command } from 'commander';
import { httpUriProblem } from '../../common/http-uri.ts';
import { CheckFailedError, InputError } from '../../errors.ts';
import { credentialsFromEnv, displayUri } from '../../mlflow/auth.ts';
import { MlflowClient } from '../../mlflow/client.ts';
import { isMlflowError } from '../../mlflow/errors.ts';
import { journalPath, replayFile, type ReplayResult } from '../../tracking/delivery/replay.ts';
import type { Io } from '../io.ts';

function summary(file: string, uri: string, r: ReplayResult): string[] {
  const sent = r.params + r.metrics + r.tags + r.artifacts + r.models;
  const lines = [
    `replayed ${file} to ${displayUri(uri)}: ${r.params} params, ${r.metrics} metric values, ${r.tags} tags, ` +
      `${r.artifacts} artifacts, ${r.models} models; ${r.runsCreated} run(s) created` +
      `${r.runsReplaced ? ` (${r.runsReplaced} replacing runs gone from the server)` : ''}; ${r.requests} requests`,
  ];
  if (sent === 0 && r.alreadyDelivered === r.records.length)
    lines.push(`nothing new to deliver: every record was done by an earlier replay (journal ${r.journal})`);
  else if (r.alreadyDelivered) lines.push(`${r.alreadyDelivered} record(s) skipped: done by an earlier replay`);
  if (r.refused) lines.push(`${r.refused} value(s) refused as invalid for MLflow (see the records below)`);
  if (r.cutShort) lines.push(`line ${r.cutShort} was cut short as it was written: its values are lost`);
  for (const x of r.records)
    lines.push(
      `  line ${x.line} ${x.type} (${x.values}) run "${x.run}": ${x.outcome}${x.detail ? ` - ${x.detail}` : ''}`,
    );
  return lines;
}

/** An http(s) URL, or bad input naming the flag (the client would refuse it later, as an unexpected error). */
function checkTrackingUri(uri: string): void {
  const problem = httpUriProblem(uri);
  if (problem) throw InputError.flag('--tracking-uri', `${problem}: ${displayUri(uri)}`);
}

export function registerReplay(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('replay')
    .description('deliver the values a tracking hook wrote to its spill file when MLflow was unreachable')
    .argument('<file>', 'a trackbench-undelivered-*.jsonl file (a journal beside it records what was delivered)')
    .option('--tracking-uri <uri>', 'MLflow to deliver to (default: MLFLOW_TRACKING_URI)')
    .action(async (file: string, opts: { trackingUri?: string }) => {
      const uri = opts.trackingUri ?? process.env.MLFLOW_TRACKING_URI;
      if (!uri)
        throw InputError.flag('--tracking-uri', 'no tracking URI: pass --tracking-uri or set MLFLOW_TRACKING_URI');
      checkTrackingUri(uri);
      const client = new MlflowClient({ trackingUri: uri, credentials: credentialsFromEnv() });
      try {
        const r = await replayFile(file, client);
        for (const line of summary(file, uri, r)) io.out(line);
        if (r.refused) throw new CheckFailedError(`replay: ${r.refused} value(s) refused by MLflow's rules`);
        if (r.cutShort)
          throw new CheckFailedError(
            `replay: line ${r.cutShort} of ${file} was cut short as it was written (the hook's process ended or its ` +
              'disk filled): its values are lost; the lines before it were replayed',
          );
      } catch (err) {
        if (isMlflowError(err))
          io.err(
            `replay stopped: what was delivered is journalled in ${journalPath(file)}; run replay again to resume`,
          );
        throw err;
      } finally {
        client.close();
      }
      done(0);
    });
}
