// Where commands print. Tests pass their own to capture output without spawning a process.
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** A status line rewritten in place (terminals only); absent when there is nowhere to show it. */
  progress?(text: string): void;
  isTTY: boolean;
}

/**
 * Writes to a standard stream; once its reader has gone away (`trackbench ... | head`), further
 * output is dropped quietly and the command still finishes (and stops what it started).
 */
function writer(stream: NodeJS.WriteStream): (text: string) => void {
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
    if (!closed) stream.write(text);
  };
}

const toStdout = writer(process.stdout);
const toStderr = writer(process.stderr);
const line = (t: string): string => (t.endsWith('\n') ? t : `${t}\n`);

export const processIo: Io = {
  out: (t) => toStdout(line(t)),
  err: (t) => toStderr(line(t)),
  progress: (t) => toStderr(`\r\x1b[K${t}`),
  isTTY: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && !process.env.CI,
};
