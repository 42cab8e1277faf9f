// What a caught value says, without assuming it is an Error (anything can be thrown).

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Node's error code (`ENOENT`, `ECONNREFUSED`...), when the thrown value carries one. */
export function codeOf(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'string' ? err.code : undefined;
}
