// A set of strings asked only "seen before?", where a false "yes" is harmless (the caller renames a
// key that did not need it, never merges two): past a few thousand strings it keeps 64 bits of each
// one's hash, not the string. 50,000 keys take 512 KB here, where a Map of the key strings took 3.4 MB
// (its table, plus the sliced strings it kept alive).

const EMPTY = 0;

/** Two independent 32-bit hashes of `s` (FNV-1a and a multiply-xorshift), mixed; never both zero. */
function hash(s: string, out: Uint32Array): void {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b ^= s.length;
  b = Math.imul(b ^ (b >>> 16), 0xc2b2ae35);
  b ^= b >>> 16;
  out[0] = a;
  // the second half odd: an empty slot (both zero) is never a hash
  out[1] = b | 1;
}

/**
 * Up to this many strings are kept as they are: a native Set is cheaper than hashing in JavaScript
 * while the code runs unoptimised (a 50-node trial: 500 keys), and holds little.
 */
const KEPT = 4096;

export class HashSet64 {
  /** The strings themselves, until there are more than KEPT; then undefined and only hashes are kept. */
  private kept: Set<string> | undefined = new Set();
  /** Pairs of 32-bit halves, open addressing with linear probing; a pair of zeros is an empty slot. */
  private slots = new Uint32Array(0);
  private count = 0;
  /** Scratch for one hash: hashing allocates nothing. */
  private readonly h = new Uint32Array(2);

  get size(): number {
    return this.kept ? this.kept.size : this.count;
  }

  has(s: string): boolean {
    if (this.kept) return this.kept.has(s);
    hash(s, this.h);
    return this.find(this.slots, this.h[0]!, this.h[1]!) < 0;
  }

  add(s: string): void {
    if (!this.kept) return this.addHash(s);
    this.kept.add(s);
    if (this.kept.size <= KEPT) return;
    const strings = this.kept;
    this.kept = undefined;
    this.slots = new Uint32Array(2 * 4 * KEPT);
    for (const k of strings) this.addHash(k);
  }

  private addHash(s: string): void {
    hash(s, this.h);
    const a = this.h[0]!;
    const b = this.h[1]!;
    const at = this.find(this.slots, a, b);
    if (at < 0) return;
    this.slots[at] = a;
    this.slots[at + 1] = b;
    // grown past 13/16 full: probes stay short
    if (++this.count * 16 > (this.slots.length / 2) * 13) this.grow();
  }

  /** The empty slot where (a, b) goes, or -1 when it is there already. */
  private find(slots: Uint32Array, a: number, b: number): number {
    const mask = slots.length - 2;
    for (let i = (a * 2) & mask; ; i = (i + 2) & mask) {
      const sb = slots[i + 1]!;
      if (sb === EMPTY) return i;
      if (sb === b && slots[i] === a) return -1;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (let i = 0; i < old.length; i += 2) {
      const b = old[i + 1]!;
      if (b === EMPTY) continue;
      const at = this.find(this.slots, old[i]!, b);
      this.slots[at] = old[i]!;
      this.slots[at + 1] = b;
    }
  }
}
