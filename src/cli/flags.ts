// Checks every command's flags share, run before any command's action: a flag or an argument given an empty
// (or blank) value is bad input, not taken as "not given" (`--shard ''` would run every shard, `--out ''`
// would write into the current folder); so is a flag of one value given twice (commander keeps the last
// silently: `--shard 1/2 --shard 2/2` ran shard 2 only, `--nodes 50 --nodes 500` one size); so is a value
// holding a control character (`--commit $'x\e[31m'` was printed raw to the terminal and kept in the history).
import type { Command } from 'commander';
import { CONTROL_CHARACTER, quotedInput } from '../common/terminal-text.ts';
import { InputError, type Diagnostic } from '../errors.ts';

const blank = (value: unknown): boolean =>
  (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.some(blank));

/** The first control character in a value (a string, or a list of them), as U+XXXX; the value is not shown. */
function controlIn(value: unknown): string | undefined {
  if (Array.isArray(value)) return value.map(controlIn).find(Boolean);
  const c = typeof value === 'string' ? CONTROL_CHARACTER.exec(value)?.[0] : undefined;
  return c && `U+${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The problem of one value, if any: empty, or holding a control character. */
function valueProblem(value: unknown, empty: string): string | undefined {
  if (blank(value)) return empty;
  const control = controlIn(value);
  return control && `holds a control character (${control}); names, paths and refs have none`;
}

/** Every empty value, or one with a control character, of `cmd`'s options and arguments, at once. */
export function assertFlagValues(cmd: Command): void {
  const problems: Diagnostic[] = [];
  for (const option of cmd.options) {
    const message = valueProblem(cmd.getOptionValue(option.attributeName()), 'needs a value; got an empty one');
    if (message) problems.push({ file: option.long ?? option.flags, message });
  }
  cmd.registeredArguments.forEach((arg, i) => {
    const message = valueProblem(cmd.processedArgs[i], 'is empty; name a file');
    if (message) problems.push({ file: `<${arg.name()}>`, message });
  });
  if (problems.length) throw new InputError(problems);
}

/** How often each flag was given, per command (filled while commander parses, read before the action). */
const uses = new WeakMap<Command, Map<string, number>>();

/** Counts the uses of every one-value flag of `cmd` and its subcommands; call once, before parsing. */
export function countFlagUses(cmd: Command): void {
  const counts = new Map<string, number>();
  uses.set(cmd, counts);
  for (const option of cmd.options) {
    // Variadic flags collect every value given (`--waive A --waive B`); flags without a value cannot differ.
    if (option.variadic || !(option.required || option.optional)) continue;
    const name = option.name();
    cmd.on(`option:${name}`, () => void counts.set(name, (counts.get(name) ?? 0) + 1));
  }
  for (const sub of cmd.commands) countFlagUses(sub);
}

/** A one-value flag of `cmd` given more than once is bad input naming it. */
export function assertNoRepeatedFlags(cmd: Command): void {
  const counts = uses.get(cmd);
  const problems: Diagnostic[] = cmd.options
    .filter((option) => (counts?.get(option.name()) ?? 0) > 1)
    .map((option) => ({
      file: option.long ?? option.flags,
      message: `given ${counts?.get(option.name())} times; give it once (only the last value would count)`,
    }));
  if (problems.length) throw new InputError(problems);
}

/**
 * The items of a comma-separated flag (`--hook a,b`, `--nodes 50,500`): blanks around an item are dropped, as a
 * shell user types `'50, 500'`; an empty item (`a,,b`, a trailing comma) is bad input naming the flag, since it is
 * most likely a name left out, not "nothing".
 */
export function commaList(flag: string, text: string): string[] {
  const items = text.split(',').map((item) => item.trim());
  const at = items.indexOf('');
  if (at >= 0)
    throw InputError.flag(
      flag,
      `item ${at + 1} of ${quotedInput(text)} is empty; give a comma-separated list such as a,b`,
    );
  return items;
}
