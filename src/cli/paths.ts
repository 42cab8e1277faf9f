// Output paths named by flags, checked before any work: a folder or file trackbench cannot write is
// bad input (exit 2, naming the flag), found now rather than after minutes of measuring.
import { accessSync, constants, existsSync, lstatSync, mkdirSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { InputError } from '../errors.ts';
import { codeOf } from '../common/caught.ts';

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
    fail(codeOf(err) ?? String(err));
  }
}

/**
 * The file can be written: its folder is writable (and created), and it is a regular file or does not exist.
 * Files are written whole under a temp name and renamed into place, which would replace a device, a FIFO or
 * a symbolic link (not write through it): those are refused. So is a name too long for the temp name.
 */
export function assertWritableFile(file: string | undefined, flag: string): void {
  if (file === undefined) return;
  const existing = lstatOrUndefined(file);
  if (existing?.isDirectory()) throw InputError.flag(flag, `${file} is a folder`);
  if (existing && !existing.isFile()) {
    const kind = existing.isSymbolicLink() ? 'a symbolic link' : 'not a regular file';
    throw InputError.flag(flag, `${file} is ${kind}: name a regular file (it is replaced whole)`);
  }
  // writeAtomic's temp name adds `.<pid>.tmp`; most file systems allow 255 bytes a name
  if (Buffer.byteLength(basename(file)) + TEMP_SUFFIX_BYTES > 255)
    throw InputError.flag(flag, `the file name ${basename(file).slice(0, 40)}... is too long`);
  assertWritableDir(dirname(resolve(file)), flag, file);
}

/** A history store: a regular file or a folder, or nothing yet (a device, a FIFO or a link would be replaced). */
export function assertStorePath(store: string, flag: string): void {
  const existing = lstatOrUndefined(store);
  if (existing && !existing.isFile() && !existing.isDirectory())
    throw InputError.flag(flag, `${store} is ${existing.isSymbolicLink() ? 'a symbolic link' : 'not a regular file'}`);
}

/** `.<pid>.tmp` with the largest pid Linux gives (4194304). */
const TEMP_SUFFIX_BYTES = '.4194304.tmp'.length;

function lstatOrUndefined(file: string): Stats | undefined {
  try {
    return lstatSync(file);
  } catch {
    return undefined;
  }
}
