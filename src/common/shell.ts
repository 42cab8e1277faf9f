// Quoting for command lines handed to a POSIX shell.

/** One word for `sh`: single-quoted, with embedded single quotes closed, escaped and reopened. */
export function shellQuote(s: string): string {
  return `'${s.replace(/'/g, `'\\''`)}'`;
}
