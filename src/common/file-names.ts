// File names the harness makes: timestamped ones for reports and spill files, and safe ones for datasets.

/** `<prefix>-2026-11-28T16-31-02-123Z`: an ISO time that sorts, without the characters paths dislike. */
export function timestamped(prefix: string, at: Date = new Date()): string {
  return `${prefix}-${at.toISOString().replace(/[:.]/g, '-')}`;
}

/** A name fit for one path segment on any platform: everything but letters, digits, `_`, `.`, `-` becomes `_`. */
export function safeFileName(name: string): string {
  return name.replace(/[^\w.-]/g, '_');
}
