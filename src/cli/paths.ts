// Output paths named by flags, checked before any work: a folder or file trackbench cannot write is
// bad input (exit 2, naming the flag), found now rather than after minutes of measuring. The checks create
// nothing (a later flag may still be refused): folders are made when the first file is written into them.
import { accessSync, constants, existsSync, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { InputError, type Diagnostic } from '../errors.ts';

/**
 * The folder could be created and written: its nearest existing ancestor is a writable folder on an ordinary file
 * system (a recursive mkdir into /proc never returns on Node 20), and each missing part is a name a folder can have.
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
  const missing = relative(existing, resolve(dir)).split(sep).filter(Boolean);
  const long = missing.find((part) => Buffer.byteLength(part) > 255);
  if (long) fail(`the folder name ${long.slice(0, 40)}... is too long`);
}

/**
 * The file can be written: its folder is writable (or can be created), and it is a regular file or does not exist.
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

/** A flag's path, or an input file's, as the file system will see it (folders' symbolic links followed). */
function canonical(path: string): string {
  const full = resolve(path);
  let head = dirname(full);
  const rest: string[] = [basename(full)];
  while (!existsSync(head)) {
    rest.unshift(basename(head));
    head = dirname(head);
  }
  try {
    return join(realpathSync(head), ...rest);
  } catch {
    return full;
  }
}

/**
 * Each output names a path of its own (two flags naming one file would leave only the last written), and none
 * names an input (it would be replaced). Outputs are [flag, path] (`--out`: its folder); unset ones are skipped;
 * inputs are [what it is, e.g. "the input <baseline>", path].
 */
export function assertDistinctOutputs(
  outputs: [flag: string, path: string | undefined][],
  inputs: [what: string, path: string][] = [],
): void {
  const inputOf = new Map(inputs.map(([what, path]) => [canonical(path), what]));
  const outputOf = new Map<string, string>();
  const problems: Diagnostic[] = [];
  for (const [flag, path] of outputs) {
    if (path === undefined) continue;
    const key = canonical(path);
    const input = inputOf.get(key);
    const earlier = outputOf.get(key);
    if (input !== undefined) problems.push({ file: flag, message: `names ${input} (${path}): it would be replaced` });
    else if (earlier !== undefined)
      problems.push({ file: flag, message: `names the same path as ${earlier} (${path}): give each output its own` });
    else outputOf.set(key, flag);
  }
  if (problems.length) throw new InputError(problems);
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
