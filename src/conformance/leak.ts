// Whether a text or file leaks a secret: the whole secret, any part of it long enough to be unmistakable
// (a "masked" token that keeps its first characters is still a leak), as written or encoded.
import { randomInt } from 'node:crypto';

/** The shortest part of a secret that counts as a leak. The test secrets are random letters and digits, so
 * 8 of them in a row (one chance in 62^8, about 2e14, at each position) occur in no honest output. */
export const LEAK_WINDOW = 8;

/** The shortest part that counts as a leak next to a mask (`abcdef******`, `abcdef...uvwxyz`): 27 windows of a
 * 32-character secret, one chance in 62^6 (5.7e10) each, on either side of each mask run: even 10^4 mask runs in a
 * situation's data give 2 x 27 x 10^4 / 5.7e10, about 1e-5 a secret, and none of these windows is all hex digits, so no
 * shortened run id or hash ("3fa9c2...") holds one. Shorter masked forms (the last 4, as card numbers and API
 * consoles show them) are not leaks. */
export const MASKED_WINDOW = 6;

/** The shortest prefix and suffix that, in one line within the secret's length + 16 bytes of each other, count as a
 * leak (`abcd…wxyz`): 62^-4 x 48 x 62^-4, about 2e-13 at each position, 1.4e-5 in 64 MB; neither is all hex. */
export const EDGE_PIECE = 4;

/** The shortest part that counts once case is ignored, separators dropped or the text reversed (`ABCD-EFGH-...`):
 * 36^10 (3.7e15) at each position of 36 letters and digits: 46 forms (23 parts, each reversed too) in 64 MB, about
 * 8e-7. The exact parts of LEAK_WINDOW (25, each reversed too) in 64 MB: 50 x 6.4e7 / 62^8, about 1.5e-5. All
 * together, below 1e-4 a secret even for 64 MB of random letters and digits; a situation's data is mostly under
 * 1 MB (below 1e-6). */
export const FOLDED_WINDOW = 10;

/** What "a secret appears" means in the requirements' statements. */
export const LEAK_MEANING =
  `the whole secret or any ${LEAK_WINDOW} characters of it in a row, as written, reversed or percent-, base64(url)-, ` +
  `hex-, \\u-, \\x- or &#-encoded; ${MASKED_WINDOW} in a row next to a mask (*, •, …, #, .., xxx); its first and ` +
  `last ${EDGE_PIECE} in one line; or ${FOLDED_WINDOW} in a row with case changed or separators in between`;

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const isHex = (w: string): boolean => /^[0-9a-f]+$/i.test(w);

/** A fresh random secret of `length` letters and digits, none of whose parts of MASKED_WINDOW characters and
 * neither of whose edges of EDGE_PIECE is all hex digits (so none can turn up in a run id, hash or hex dump by
 * chance). */
export function randomSecret(length = 32): string {
  for (;;) {
    const s = Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    const edges = [s.slice(0, EDGE_PIECE), s.slice(-EDGE_PIECE)];
    if (![...windowsOf(s, MASKED_WINDOW), ...edges].some(isHex)) return s;
  }
}

/** Every part of `secret` of `size` characters (the secret itself when shorter). */
export function windowsOf(secret: string, size = LEAK_WINDOW): string[] {
  const n = Math.min(size, secret.length);
  const out = new Set<string>();
  for (let i = 0; i + n <= secret.length; i++) out.add(secret.slice(i, i + n));
  return [...out];
}

/** One form a secret can be found in, and how to say it was. */
interface Needle {
  bytes: Buffer;
  how: string;
}

const reversed = (w: string): string => [...w].reverse().join('');

/** Every form of every secret to look for as written: parts as written or reversed, parts hex-encoded (either
 * case), and the base64 and base64url of every 6 characters of it (any 8 characters encoded at any alignment hold 6
 * encoded whole). */
function needlesOf(secrets: readonly string[]): Needle[] {
  const out: Needle[] = [];
  for (const s of secrets) {
    out.push({ bytes: Buffer.from(s), how: 'whole' });
    for (const w of windowsOf(s)) {
      out.push({ bytes: Buffer.from(w), how: 'part' }, { bytes: Buffer.from(reversed(w)), how: 'reversed' });
      const hex = Buffer.from(w).toString('hex');
      out.push({ bytes: Buffer.from(hex), how: 'hex' }, { bytes: Buffer.from(hex.toUpperCase()), how: 'hex' });
    }
    for (let i = 0; i + 6 <= s.length; i++) {
      const six = Buffer.from(s.slice(i, i + 6));
      for (const enc of ['base64', 'base64url'] as const)
        out.push({ bytes: Buffer.from(six.toString(enc)), how: 'base64' });
    }
  }
  return out;
}

/** The forms to look for in text folded by `fold`: parts of FOLDED_WINDOW, lower case, as written or reversed. */
function foldedNeedlesOf(secrets: readonly string[]): Needle[] {
  return secrets
    .flatMap((s) => windowsOf(s.toLowerCase(), FOLDED_WINDOW).flatMap((w) => [w, reversed(w)]))
    .map((w) => ({ bytes: Buffer.from(w), how: 'case-changed or split' }));
}

/** Each needle by the 4-byte words at its first 4 offsets. */
type Anchors = Map<number, [Needle, number][]>;

/** The anchors of the last secrets asked about: every check of a situation asks about the same ones. */
let cached: Cached | undefined;

/** The searches made for a list of secrets. */
interface Cached {
  key: string;
  anchors: Anchors;
  folded: Anchors;
  /** Every part of MASKED_WINDOW characters. */
  parts: Set<string>;
}

function anchorsFor(needles: Needle[]): Anchors {
  const anchors: Anchors = new Map();
  for (const n of needles)
    for (let r = 0; r < 4; r++) {
      const word = n.bytes.readUInt32LE(r);
      anchors.set(word, [...(anchors.get(word) ?? []), [n, r]]);
    }
  return anchors;
}

function anchorsOf(secrets: readonly string[]): Cached {
  const key = secrets.join('\0');
  if (cached?.key !== key) {
    const parts = new Set(secrets.flatMap((s) => windowsOf(s, MASKED_WINDOW)));
    cached = { key, anchors: anchorsFor(needlesOf(secrets)), folded: anchorsFor(foldedNeedlesOf(secrets)), parts };
  }
  return cached;
}

/** Where the needles are found in `hay`, best first (the whole secret before a part). Every needle is at least 8
 * bytes, so each occurrence holds a 4-byte word at a position of `hay` that is a multiple of 4, at one of its
 * first 4 offsets: only those words are looked up, and a hit is then compared in full. */
function find(hay: Buffer, anchors: Anchors): string | undefined {
  let best: string | undefined;
  for (let q = 0; q + 4 <= hay.length; q += 4) {
    const hits = anchors.get(hay.readUInt32LE(q));
    if (!hits) continue;
    for (const [n, r] of hits) {
      const at = q - r;
      if (at < 0 || at + n.bytes.length > hay.length) continue;
      if (!hay.subarray(at, at + n.bytes.length).equals(n.bytes)) continue;
      if (n.how === 'whole') return 'whole';
      best ??= n.how;
    }
  }
  return best;
}

/** Each byte's folded form: letters and digits in lower case, 0 for the rest (dropped). */
const FOLD = Uint8Array.from({ length: 256 }, (_, b) =>
  /[0-9a-z]/i.test(String.fromCharCode(b)) ? String.fromCharCode(b).toLowerCase().charCodeAt(0) : 0,
);

/** The letters and digits of `hay`, lower case: a secret with its case changed or separators put in it. */
function fold(hay: Buffer): Buffer {
  const out = Buffer.allocUnsafe(hay.length);
  let n = 0;
  for (let i = 0; i < hay.length; i++) {
    const f = FOLD[hay[i]!]!;
    if (f) out[n++] = f;
  }
  return out.subarray(0, n);
}

/** A run of mask characters: `*`, `#`, UTF-8 `•` or `…` (bytes read as latin1), two dots or more, three x or X. */
const MASK = /[*#]+|(?:\u00e2\u0080[\u00a2\u00a6])+|\.{2,}|x{3,}|X{3,}/g;

/** Whether MASKED_WINDOW characters of a secret stand right before or after a mask. */
function masked(text: string, parts: Set<string>): boolean {
  for (const m of text.matchAll(MASK)) {
    const at = m.index;
    const after = at + m[0].length;
    if (parts.has(text.slice(at - MASKED_WINDOW, at)) || parts.has(text.slice(after, after + MASKED_WINDOW)))
      return true;
  }
  return false;
}

/** Whether a secret's first and last EDGE_PIECE characters stand in one line, in that order, at most the secret's
 * length + 16 bytes apart. */
function edges(text: string, secrets: readonly string[]): boolean {
  for (const s of secrets) {
    const [head, tail] = [s.slice(0, EDGE_PIECE), s.slice(-EDGE_PIECE)];
    for (let at = text.indexOf(head); at >= 0; at = text.indexOf(head, at + 1)) {
      const near = text.slice(at + EDGE_PIECE, at + EDGE_PIECE + s.length + 16).split('\n')[0]!;
      if (near.includes(tail)) return true;
    }
  }
  return false;
}

/** How `hay` leaks one of the secrets (of LEAK_WINDOW characters or more), as written. */
function scan(hay: Buffer, secrets: readonly string[]): string | undefined {
  const { anchors, folded, parts } = anchorsOf(secrets);
  const found = find(hay, anchors);
  if (found) return found;
  const split = find(fold(hay), folded);
  if (split) return split;
  const text = hay.toString('latin1');
  if (masked(text, parts)) return 'masked';
  return edges(text, secrets) ? 'first and last characters' : undefined;
}

/** `text` (bytes as latin1) with %XX, \uXXXX, \xXX, &#N; and &#xN; escapes of single bytes undone, or undefined
 * when it holds none. */
function unescaped(text: string): string | undefined {
  const out = text.replace(
    /%([0-9a-f]{2})|\\u00([0-9a-f]{2})|\\x([0-9a-f]{2})|&#(?:x([0-9a-f]{1,2})|([0-9]{1,3}));/gi,
    (all, ...h: (string | undefined)[]) => {
      const code = h[4] !== undefined ? parseInt(h[4], 10) : parseInt(h.slice(0, 4).find((x) => x) ?? '', 16);
      return code < 256 ? String.fromCharCode(code) : all;
    },
  );
  return out === text ? undefined : out;
}

/** How `data` leaks one of `secrets` ("whole", "part", the form or the encoding it was found in), or undefined. */
export function secretLeak(data: string | Buffer, secrets: readonly string[]): string | undefined {
  const hay = typeof data === 'string' ? Buffer.from(data) : data;
  const short = secrets.filter((s) => s.length < LEAK_WINDOW);
  // Too short for the word-at-a-time search (not the suite's secrets): looked for as written only.
  if (short.length && short.some((s) => hay.includes(s))) return 'whole';
  const long = secrets.filter((s) => s.length >= LEAK_WINDOW);
  if (!long.length) return undefined;
  const found = scan(hay, long);
  if (found || !(hay.includes('%') || hay.includes('\\') || hay.includes('&#'))) return found;
  const decoded = unescaped(hay.toString('latin1'));
  const how = decoded === undefined ? undefined : scan(Buffer.from(decoded, 'latin1'), long);
  return how && `escaped, ${how}`;
}
