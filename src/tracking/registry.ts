// Hooks by name: the built-ins, and user modules given as `module:<path>` whose default export is a
// HookFactory. Resolution is checked up front so a typo fails at validation, not mid-benchmark.
import { existsSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError, type Diagnostic } from '../errors.ts';
import type { HookFactory, NamedHooks } from '../pipeline/hooks.ts';
import type { Locate } from '../scenario/load.ts';
import { closest } from '../scenario/suggest.ts';
import type { HookRef, Scenario } from '../scenario/types.ts';
import { createRecorder } from './builtin/recorder.ts';

export interface BuiltinHook {
  description: string;
  factory: HookFactory;
}

export const BUILTIN_HOOKS: Record<string, BuiltinHook> = {
  noop: { description: 'implements no hook method; the floor of hook-manager cost', factory: () => ({}) },
  recorder: { description: 'records every hook call in order; logs nothing', factory: () => createRecorder() },
};

const MODULE_PREFIX = 'module:';

export function modulePath(ref: HookRef, scenarioSource: string): string | undefined {
  if (!ref.name.startsWith(MODULE_PREFIX)) return undefined;
  const base = scenarioSource.startsWith('<') ? process.cwd() : dirname(scenarioSource);
  return resolve(base, ref.name.slice(MODULE_PREFIX.length));
}

/** Every hook reference in the scenario names a built-in or an existing module file. */
export function checkHookRefs(scenario: Scenario, locate: Locate): Diagnostic[] {
  const out: Diagnostic[] = [];
  scenario.hooks.forEach((ref, i) => {
    const path = modulePath(ref, scenario.source);
    if (path !== undefined) {
      if (!existsSync(path)) out.push(locate(['hooks', i], `hook module not found: ${path}`));
    } else if (!BUILTIN_HOOKS[ref.name]) {
      const hint = closest(ref.name, Object.keys(BUILTIN_HOOKS));
      out.push(locate(['hooks', i], `unknown hook "${ref.name}"${hint ? ` (did you mean "${hint}"?)` : ''}; built-ins: ${Object.keys(BUILTIN_HOOKS).join(', ')}; or module:<path>`));
    }
  });
  return out;
}

export async function resolveHook(ref: HookRef, scenarioSource: string): Promise<NamedHooks> {
  const path = modulePath(ref, scenarioSource);
  let factory: HookFactory;
  if (path !== undefined) {
    const mod = (await import(pathToFileURL(path).href)) as { default?: unknown };
    if (typeof mod.default !== 'function') {
      throw new InputError([{ file: path, message: 'a hook module must export a factory function as its default export: (options) => hooks' }]);
    }
    factory = mod.default as HookFactory;
  } else {
    const builtin = BUILTIN_HOOKS[ref.name];
    if (!builtin) throw new InputError([{ file: scenarioSource, message: `unknown hook "${ref.name}"` }]);
    factory = builtin.factory;
  }
  return { name: ref.label, hooks: await factory(ref.options) };
}
