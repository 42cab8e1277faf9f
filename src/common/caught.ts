// What a caught value says, without assuming it is an Error (anything can be thrown).

/**
 * The message of a thrown value, as text; never throws itself: a hook may throw a Symbol, null, a Proxy or an
 * object whose `message` or `toString` throws, and what reports it must still name the hook.
 */
export function messageOf(err: unknown): string {
  try {
    return err instanceof Error ? String(err.message) : String(err);
  } catch {
    try {
      return `a value that cannot be shown (${Object.prototype.toString.call(err)})`;
    } catch {
      return 'a value that cannot be shown';
    }
  }
}

/** Node's error code (`ENOENT`, `ECONNREFUSED`...), when the thrown value carries one. */
export function codeOf(err: unknown): string | undefined {
  try {
    if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
    return typeof err.code === 'string' ? err.code : undefined;
  } catch {
    return undefined; // a Proxy or a getter that throws carries no code
  }
}
