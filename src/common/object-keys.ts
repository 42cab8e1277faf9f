// Names every plain JavaScript object answers to (`constructor`, `toString`, `__proto__`, ...): as a hook
// label or a key read back from a report, `results[label]` would find the built-in instead of nothing.
export const BUILTIN_OBJECT_KEYS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));

/** Paths (in document order) of the keys in `value` that are built-in object property names. */
export function builtinKeyPaths(value: unknown, path: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => builtinKeyPaths(v, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  return Object.keys(value).flatMap((k) => [
    ...(BUILTIN_OBJECT_KEYS.has(k) ? [[...path, k]] : []),
    // an object's own key, read as the object's entries
    ...builtinKeyPaths((value as Record<string, unknown>)[k], [...path, k]),
  ]);
}
