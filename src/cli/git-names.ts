// What git itself would give for a commit and a ref, checked before `history add` keeps them in the store (kept in
// git, drawn in HTML): a 10 kB "commit", a ref with a space, a leading dash (an option to git), `..` or `@{` is a
// slip in typing or pasting, never git's. Shell characters git allows in a ref (`;`, `$`, `|`) stay allowed: the
// store and the HTML quote them and no shell sees them. Values are not shown: a pasted one may hold a credential.

/** An object name as git prints it: SHA-1 (40) or SHA-256 (64) hex, or an abbreviation of at least 4. */
const COMMIT = /^[0-9a-f]{4,64}$/i;
/** Long enough for any branch a forge takes (GitHub: 255 bytes per name part); a pasted file is not a ref. */
const REF_MAX = 1024;

export function commitProblem(commit: string): string | undefined {
  if (COMMIT.test(commit)) return undefined;
  return `must be a commit's hex name, 4 to 64 of 0-9a-f as git rev-parse prints it (got ${commit.length} characters)`;
}

/** git check-ref-format's rules (--allow-onelevel, and no leading dash as for --branch), in words. */
const REF_RULES: [(ref: string) => boolean, string][] = [
  [(r) => r.length > REF_MAX, `is longer than ${REF_MAX} characters`],
  [(r) => r.startsWith('-'), 'starts with "-"'],
  [(r) => /[\s~^:?*[\\]/.test(r), 'holds a space or one of ~ ^ : ? * [ \\'],
  [(r) => r.includes('..') || r.includes('@{') || r === '@', 'holds ".." or "@{", or is "@"'],
  [(r) => r.includes('//') || r.startsWith('/') || r.endsWith('/'), 'starts or ends with "/", or holds "//"'],
  [
    (r) => /(^|\/)\./.test(r) || /\.lock(\/|$)/.test(r) || r.endsWith('.'),
    'a part starts with "." or ends with ".lock", or it ends with "."',
  ],
];

export function refProblem(ref: string): string | undefined {
  const why = REF_RULES.find(([broken]) => broken(ref))?.[1];
  return why && `${why}: not a ref git would name (git check-ref-format)`;
}
