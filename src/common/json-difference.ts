// Where two JSON values differ: what `merge` reports between shards, and plain equality of parsed values.

/** A path into a JSON value: keys of mappings, indices of lists. */
export type Path = (string | number)[];

/** The first path (below `path`) where two JSON values differ, or null when they are equal. */
export function firstDifference(a: unknown, b: unknown, path: Path = []): Path | null {
  if (a === b) return null;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return path;
  if (Array.isArray(a) !== Array.isArray(b)) return path;
  if (Array.isArray(a) && Array.isArray(b)) {
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      const d = firstDifference(a[i], b[i], [...path, i]);
      if (d) return d;
    }
    return null;
  }
  // two objects that are not arrays (checked above): JSON mappings
  const [ra, rb] = [a as Record<string, unknown>, b as Record<string, unknown>];
  for (const key of new Set([...Object.keys(ra), ...Object.keys(rb)])) {
    const d = firstDifference(
      Object.hasOwn(ra, key) ? ra[key] : undefined,
      Object.hasOwn(rb, key) ? rb[key] : undefined,
      [...path, key],
    );
    if (d) return d;
  }
  return null;
}

/** Whether two JSON values are equal, at every depth. */
export const jsonEqual = (a: unknown, b: unknown): boolean => firstDifference(a, b) === null;

/** The value at `path` in a JSON value, or undefined when there is none. */
export function valueAt(root: unknown, path: Path): unknown {
  let v = root;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null || !Object.hasOwn(v, seg)) return undefined;
    // an object that has this own key (checked just above)
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}
