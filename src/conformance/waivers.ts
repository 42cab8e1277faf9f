// Waivers: requirements a user accepts failing, by ID or pattern (`ART-*`, `*-00?`). A waived
// failure does not fail the run, and every report shows it, with the pattern that waived it.
import { InputError } from '../errors.ts';

const PATTERN = /^[A-Z*?]{1,3}-[0-9*?]{1,3}$|^\*$/;

export function checkWaivers(patterns: string[], where: string): void {
  const bad = patterns.filter((p) => !PATTERN.test(p));
  if (bad.length)
    throw InputError.flag(where, `not a requirement ID or pattern (e.g. ART-001, ART-*): ${bad.join(', ')}`);
}

function toRegExp(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** The first pattern that waives this requirement, if any. */
export function waiverFor(id: string, patterns: string[]): string | undefined {
  return patterns.find((p) => toRegExp(p).test(id));
}
