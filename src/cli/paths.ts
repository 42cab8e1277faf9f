// Output paths named by flags, checked before any work: a folder or file trackbench cannot write is
// bad input (exit 2, naming the flag), found now rather than after minutes of measuring.
import { accessSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { InputError } from '../errors.ts';

/**
 * The folder exists afterwards and is writable. The nearest existing ancestor is checked first: a
 * recursive mkdir into some special file systems (/proc) never returns on Node 20.
 */
export function assertWritableDir(dir: string, flag: string, what = 'reports'): void {
  const fail = (why: string): never => {
    throw InputError.flag(flag, `cannot write ${what} to ${dir}: ${why}`);
  };
  let existing = resolve(dir);
  while (!existsSync(existing)) existing = dirname(existing);
  if (!statSync(existing).isDirectory()) fail(`${existing} is not a folder`);
  try {
    accessSync(existing, constants.W_OK);
  } catch {
    fail(`${existing} is not writable`);
  }
  if (existing.startsWith('/proc') || existing.startsWith('/sys')) fail(`${existing} is not an ordinary file system`);
  try {
    mkdirSync(resolve(dir), { recursive: true });
  } catch (err) {
    fail((err as NodeJS.ErrnoException).code ?? String(err));
  }
}

/** The file can be written: its folder is writable (and created) and it is not a folder itself. */
export function assertWritableFile(file: string | undefined, flag: string): void {
  if (file === undefined) return;
  if (existsSync(file) && statSync(file).isDirectory()) throw InputError.flag(flag, `${file} is a folder`);
  assertWritableDir(dirname(resolve(file)), flag, file);
}
