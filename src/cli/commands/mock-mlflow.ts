import { quotedInput } from '../../common/terminal-text.ts';
import type { Command } from 'commander';
import { InputError } from '../../errors.ts';
import { startHttpMock } from '../../backends/mock/http-server.ts';
import type { Io } from '../io.ts';
import { plainNumber, TIMER_MAX_MS } from '../../common/env-number.ts';

export function registerMockMlflow(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('mock-mlflow')
    .description('serve the mock MLflow over HTTP on 127.0.0.1 until interrupted')
    .option('--port <port>', 'port to listen on (0 = any free port)', '5055')
    .option('--latency-ms <ms>', 'latency added to every answer', '0')
    .action(async (opts: { port: string; latencyMs: string }) => {
      const port = plainNumber(opts.port);
      const latencyMs = plainNumber(opts.latencyMs);
      if (!Number.isInteger(port) || port < 0 || port > 65535)
        throw InputError.flag('--port', `must be an integer 0..65535; got ${quotedInput(opts.port)}`);
      // past a Node timer's range the delay fires at once (3e9 served with no latency, and a warning)
      if (!(latencyMs >= 0 && latencyMs <= TIMER_MAX_MS))
        throw InputError.flag(
          '--latency-ms',
          `must be milliseconds from 0 to ${TIMER_MAX_MS}; got ${quotedInput(opts.latencyMs)}`,
        );
      const server = await startHttpMock({ port, faults: { latencyMs } });
      io.out(
        `mock MLflow listening on ${server.trackingUri} (MLFLOW_TRACKING_URI=${server.trackingUri}); Ctrl-C to stop`,
      );
      await new Promise<void>((resolve) => {
        const stop = (): void => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      const calls = server.requestLog.size;
      await server.stop();
      io.err(`mock MLflow stopped after ${calls} request(s)`);
      done(0);
    });
}
