// Loads a hook module for a `module:` target, once, before any situation runs: a module that
// cannot be loaded is bad input (exit 2, one message), not fifty failed requirements.
import { copyFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { InputError } from '../errors.ts';
import { moduleLoadProblem } from '../tracking/module-problem.ts';
import { CONFIG_DIMENSIONS, type ConfigDimension } from '../tracking/config/dimensions.ts';
import { importHookModule } from '../tracking/registry.ts';

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
    if (path.endsWith('.ts') && !inEsmPackage(path)) {
      // Beside the original, so its relative imports still resolve; removed right after.
      copy = join(dirname(path), `.${basename(path, '.ts')}.trackbench-${process.pid}.mts`);
      copyFileSync(path, copy);
    }
    const mod = await importHookModule(copy ?? path);
    if (typeof mod.default !== 'function')
      throw new Error(
        'a hook module must export a factory function as its default export: (options, context) => hooks',
      );
    modes.set(path, declaredModes(mod.conformanceModes));
    loaded.set(path, mod.default);
  } catch (err) {
    throw new InputError([moduleLoadProblem(err, path)]);
  } finally {
    if (copy) rmSync(copy, { force: true });
  }
}

/** Each module's factory and, when it declares them, the settings it honours. */
const loaded = new Map<string, unknown>();
const modes = new Map<string, ConfigDimension[]>();

/** `export const conformanceModes = ['long_params_strategy', ...]`: the settings the hook honours. */
function declaredModes(value: unknown): ConfigDimension[] {
  if (value === undefined) return [];
  const known: readonly string[] = CONFIG_DIMENSIONS;
  if (!Array.isArray(value) || value.some((x) => typeof x !== 'string' || !known.includes(x)))
    throw new Error(`conformanceModes must be a list of settings among ${CONFIG_DIMENSIONS.join(', ')}`);
  // Each checked to be one of CONFIG_DIMENSIONS just above.
  return [...new Set(value as ConfigDimension[])];
}

/** The settings a loaded module declares it honours (none unless it exports `conformanceModes`). */
export function loadedModes(path: string): ConfigDimension[] {
  return modes.get(path) ?? [];
}

/** The default export loaded by `loadHookModule`. */
export function loadedFactory(path: string): unknown {
  return loaded.get(path);
}
