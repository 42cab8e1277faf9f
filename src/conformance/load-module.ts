// Loads a hook module for a `module:` target, once, before any situation runs: a module that
// cannot be loaded is bad input (exit 2, one message), not fifty failed requirements.
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { errorMessage, InputError } from '../errors.ts';
import { loadTypeScriptSupport } from '../tracking/registry.ts';

/** Whether the nearest package.json says "type": "module" (tsx compiles `.ts` as CommonJS otherwise). */
function inEsmPackage(file: string): boolean {
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg)) {
      try {
        return (JSON.parse(readFileSync(pkg, 'utf8')) as { type?: string }).type === 'module';
      } catch {
        return false;
      }
    }
    if (dirname(dir) === dir) return false;
  }
}

/** Imports the module; a `.ts` file outside an ESM package is imported as ESM through a sibling `.mts` copy. */
export async function loadHookModule(path: string): Promise<void> {
  if (!existsSync(path)) throw InputError.flag('--target', `module:${path}: no such file`);
  let copy: string | undefined;
  try {
    let url = pathToFileURL(path).href;
    if (path.endsWith('.ts') && !inEsmPackage(path)) {
      // Beside the original, so its relative imports still resolve; removed right after.
      copy = join(dirname(path), `.${basename(path, '.ts')}.trackbench-${process.pid}.mts`);
      copyFileSync(path, copy);
      url = pathToFileURL(copy).href;
    }
    const mod = await importModule(url);
    if (typeof mod.default !== 'function')
      throw new Error(
        'a hook module must export a factory function as its default export: (options, context) => hooks',
      );
    loaded.set(path, mod.default);
  } catch (err) {
    throw InputError.flag('--target', `module:${path} could not be loaded: ${errorMessage(err).split('\n')[0]}`);
  } finally {
    if (copy) rmSync(copy, { force: true });
  }
}

const loaded = new Map<string, unknown>();

/** Natively first (JavaScript, or TypeScript under a runtime that strips types), else through tsx. */
async function importModule(url: string): Promise<{ default?: unknown }> {
  try {
    return (await import(url)) as { default?: unknown };
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw err;
  }
  const { tsImport } = await loadTypeScriptSupport();
  return (await tsImport(url, import.meta.url)) as { default?: unknown };
}

/** The default export loaded by `loadHookModule`. */
export function loadedFactory(path: string): unknown {
  return loaded.get(path);
}
