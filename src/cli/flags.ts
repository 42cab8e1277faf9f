// Checks every command's flags share, run before any command's action: a flag or an argument given an empty
// (or blank) value is bad input, not taken as "not given" (`--shard ''` would run every shard, `--out ''`
// would write into the current folder).
import type { Command } from 'commander';
import { InputError, type Diagnostic } from '../errors.ts';

const blank = (value: unknown): boolean =>
  (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.some(blank));

/** Every empty value of `cmd`'s options and arguments, at once. */
export function assertNoEmptyValues(cmd: Command): void {
  const problems: Diagnostic[] = [];
  for (const option of cmd.options) {
    const value: unknown = cmd.getOptionValue(option.attributeName());
    if (blank(value)) problems.push({ file: option.long ?? option.flags, message: 'needs a value; got an empty one' });
  }
  cmd.registeredArguments.forEach((arg, i) => {
    if (blank(cmd.processedArgs[i])) problems.push({ file: `<${arg.name()}>`, message: 'is empty; name a file' });
  });
  if (problems.length) throw new InputError(problems);
}
