// Names that become file names (a scenario's name in a report's): only safe characters, and short
// enough for every file system (a 300-character name must not fail a finished run at write time).
// A long name keeps its start and gets a hash of the whole, so two long names stay distinct.
import { createHash } from 'node:crypto';

export const MAX_NAME_PART = 80;

export function safeFileName(name: string): string {
  const clean = name.replace(/[^\w.-]/g, '_').replace(/^\.+/, '_') || 'unnamed';
  if (clean.length <= MAX_NAME_PART) return clean;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 8);
  return `${clean.slice(0, MAX_NAME_PART - 9)}-${hash}`;
}
