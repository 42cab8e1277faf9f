// Where commands print. Tests pass their own to capture output without spawning a process.
import { inertControls } from '../common/terminal-text.ts';
import { credentialsFromEnv, redact } from '../mlflow/auth.ts';

export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** A status line rewritten in place (terminals only); absent when there is nowhere to show it. */
  progress?(text: string): void;
  isTTY: boolean;
  /** Terminal width; console tables fit it (120 when unknown, e.g. not a terminal). */
  columns?: number;
}

export function widthOf(io: Io): number {
  return io.columns && io.columns >= 20 ? io.columns : 120;
}

/**
 * Writes to a standard stream; once its reader has gone away (`trackbench ... | head`), further
 * output is dropped quietly and the command still finishes (and stops what it started).
 */
function writer(stream: NodeJS.WriteStream): (text: string) => void {
  // The stream's own write, taken before any hook could replace it (hookStdoutToStderr).
  const write = stream.write.bind(stream);
  let closed = false;
  let watching = false;
  return (text) => {
    if (!watching) {
      watching = true;
      stream.on('error', (err: NodeJS.ErrnoException) => {
        if (err.code !== 'EPIPE') throw err;
        closed = true;
      });
    }
    if (!closed) write(text);
  };
}

const toStdout = writer(process.stdout);
const toStderr = writer(process.stderr);
const line = (t: string): string => (t.endsWith('\n') ? t : `${t}\n`);
/** Whatever a command prints is scrubbed of the environment's credentials and URL userinfo first: a hook's
 * label, its error message or a scenario value may hold one; and its control characters are shown, not obeyed. */
const safe = (t: string): string => inertControls(redact(t, credentialsFromEnv().secrets));

/**
 * The process's stdout is the command's alone (processIo's, `--format json` is parsed): whatever else writes there,
 * a hook running in this process (trace, conformance of builtin:/module: targets) or a library, goes to stderr.
 */
export function stdoutForCommandOnly(): void {
  // Both are WriteStreams: stderr's own write, bound, takes stdout's place.
  process.stdout.write = process.stderr.write.bind(process.stderr);
}

export const processIo: Io = {
  out: (t) => toStdout(line(safe(t))),
  err: (t) => toStderr(line(safe(t))),
  progress: (t) => toStderr(`\r\x1b[K${safe(t)}`),
  isTTY: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && !process.env.CI,
  get columns() {
    return process.stdout.isTTY ? process.stdout.columns : undefined;
  },
};
