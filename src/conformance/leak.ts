// Whether a text or file leaks a secret: the whole secret, any part of it long enough to be unmistakable
// (a "masked" token that keeps its first characters is still a leak), as written or encoded.
import { randomInt } from 'node:crypto';

/** The shortest part of a secret that counts as a leak. The test secrets are random letters and digits, so
 * 8 of them in a row (one chance in 62^8, about 2e14, at each position) occur in no honest output. */
export const LEAK_WINDOW = 8;

/** What "a secret appears" means in the requirements' statements. */
export const LEAK_MEANING =
  `the whole secret or any ${LEAK_WINDOW} characters of it in a row, as written or percent-, base64(url)- or ` +
  'hex-encoded';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/** A fresh random secret of `length` letters and digits, none of whose windows is all hex digits (so it cannot
 * turn up in a run id, hash or hex dump by chance). */
export function randomSecret(length = 32): string {
  for (;;) {
    const s = Array.from({ length }, () => ALPHABET[randomInt(ALPHABET.length)]).join('');
    if (windowsOf(s).every((w) => !/^[0-9a-f]+$/i.test(w))) return s;
  }
}

/** Every part of `secret` of LEAK_WINDOW characters (the secret itself when shorter). */
export function windowsOf(secret: string): string[] {
  const n = Math.min(LEAK_WINDOW, secret.length);
  const out = new Set<string>();
  for (let i = 0; i + n <= secret.length; i++) out.add(secret.slice(i, i + n));
  return [...out];
}

/** One form a secret can be found in, and how to say it was. */
interface Needle {
  bytes: Buffer;
  how: string;
}

/** Every form of every secret to look for: parts as written, parts hex-encoded (either case), and the base64 and
 * base64url of every 6 characters of it (any 8 characters encoded at any alignment hold 6 encoded whole). */
function needlesOf(secrets: readonly string[]): Needle[] {
  const out: Needle[] = [];
  for (const s of secrets) {
    out.push({ bytes: Buffer.from(s), how: 'whole' });
    for (const w of windowsOf(s)) {
      out.push({ bytes: Buffer.from(w), how: 'part' });
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

/** Each needle by the 4-byte words at its first 4 offsets. */
type Anchors = Map<number, [Needle, number][]>;

/** The anchors of the last secrets asked about: every check of a situation asks about the same ones. */
let cached: { key: string; anchors: Anchors } | undefined;

function anchorsOf(secrets: readonly string[]): Anchors {
  const key = secrets.join('\0');
  if (cached?.key === key) return cached.anchors;
  const anchors: Anchors = new Map();
  for (const n of needlesOf(secrets))
    for (let r = 0; r < 4; r++) {
      const word = n.bytes.readUInt32LE(r);
      anchors.set(word, [...(anchors.get(word) ?? []), [n, r]]);
    }
  cached = { key, anchors };
  return anchors;
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

/** How `data` leaks one of `secrets` ("whole", "part", or the encoding it was found in), or undefined. */
export function secretLeak(data: string | Buffer, secrets: readonly string[]): string | undefined {
  const hay = typeof data === 'string' ? Buffer.from(data) : data;
  const short = secrets.filter((s) => s.length < LEAK_WINDOW);
  // Too short for the word-at-a-time search (not the suite's secrets): looked for as written only.
  if (short.length && short.some((s) => hay.includes(s))) return 'whole';
  const needles = anchorsOf(secrets.filter((s) => s.length >= LEAK_WINDOW));
  const found = find(hay, needles);
  if (found || !hay.includes('%')) return found;
  const decoded = hay
    .toString('latin1')
    .replace(/%([0-9a-fA-F]{2})/g, (_, h: string) => String.fromCharCode(parseInt(h, 16)));
  return find(Buffer.from(decoded, 'latin1'), needles) ? 'percent-encoded' : undefined;
}
