// File names the harness makes: timestamped ones for reports and spill files, and safe ones for datasets.
import { createHash } from 'node:crypto';

/** `<prefix>-2026-11-28T16-31-02-123Z`: an ISO time that sorts, without the characters paths dislike. */
export function timestamped(prefix: string, at: Date = new Date()): string {
  return `${prefix}-${at.toISOString().replace(/[:.]/g, '-')}`;
}

export const MAX_NAME_PART = 80;

/**
 * A name fit for one path segment on any platform: everything but letters, digits, `_`, `.`, `-`
 * becomes `_`; a name longer than 80 keeps its start and gets a hash of the whole (a 300-character
 * scenario name must not fail a finished run at write time, and two long names stay distinct).
 */
export function safeFileName(name: string): string {
  const clean = name.replace(/[^\w.-]/g, '_');
  if (clean.length <= MAX_NAME_PART) return clean;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${clean.slice(0, MAX_NAME_PART - 9)}-${hash}`;
}
