// Where commands print. Tests pass their own to capture output without spawning a process.
export interface Io {
  out(text: string): void;
  err(text: string): void;
  isTTY: boolean;
  /** Terminal width; console tables fit it (120 when unknown, e.g. not a terminal). */
  columns?: number;
}

export function widthOf(io: Io): number {
  return io.columns && io.columns >= 20 ? io.columns : 120;
}

export const processIo: Io = {
  out: (t) => process.stdout.write(t.endsWith('\n') ? t : `${t}\n`),
  err: (t) => process.stderr.write(t.endsWith('\n') ? t : `${t}\n`),
  isTTY: Boolean(process.stdout.isTTY) && !process.env.NO_COLOR && !process.env.CI,
  get columns() {
    return process.stdout.isTTY ? process.stdout.columns : undefined;
  },
};
