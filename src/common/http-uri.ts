// A tracking server is named by an http:// or https:// URI; anything else is bad input, said early.

/** Why `uri` cannot name a tracking server ("not a URL", "must be an http(s):// URL"), or undefined. */
export function httpUriProblem(uri: string): string | undefined {
  let protocol: string;
  try {
    protocol = new URL(uri).protocol;
  } catch {
    return 'not a URL';
  }
  return protocol === 'http:' || protocol === 'https:' ? undefined : 'must be an http(s):// URL';
}
