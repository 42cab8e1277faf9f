// What an in-process hook prints: its writes to stdout and stderr and its console calls, recorded while it
// runs (a command target's output is already its process's), and passed on as before.
import { format } from 'node:util';
import { secretLeak } from './leak.ts';

/** Any function, called with the arguments it was given. */
type Call = (...args: unknown[]) => unknown;

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir'] as const;

/** Replaces `obj[key]` until the returned function is called, which puts back exactly what was there (an own
 * property, or none so the prototype's shows again). */
function replace<T extends object>(obj: T, key: keyof T & string, by: (original: Call) => Call): () => void {
  const own = Object.getOwnPropertyDescriptor(obj, key);
  // The keys given are methods (write, console's), so a function; bound: what a call through it did before.
  const original = (obj[key] as Call).bind(obj);
  Object.defineProperty(obj, key, { value: by(original), configurable: true, writable: true, enumerable: false });
  return () => {
    if (own) Object.defineProperty(obj, key, own);
    else delete obj[key];
  };
}

/** What is kept of the output: its first and last megabytes; a hook printing gigabytes must not exhaust memory. */
const KEEP_HEAD = 1 << 20;
const KEEP_TAIL = 3 << 20;
/** Slices of the output where a watched string was found: at most this many, of at most SLICE + CARRY each. */
const MAX_FOUND = 20;
const SLICE = 16 * 1024;
const CARRY = 1024;

/**
 * The output, bounded: the start and the end are kept; of the middle, only where a watched string (a test
 * secret) was printed, so a check for it still sees it.
 */
export class BoundedOutput {
  private head = '';
  private readonly tail: string[] = [];
  private tailLength = 0;
  private dropped = 0;
  /** The end of the previous chunk, so a watched string split across two writes is still found. */
  private carry = '';
  private readonly found: string[] = [];

  constructor(private readonly watch: readonly string[] = []) {}

  add(text: string): void {
    this.look(text);
    if (this.head.length < KEEP_HEAD) {
      const room = KEEP_HEAD - this.head.length;
      this.head += text.slice(0, room);
      text = text.slice(room);
      if (!text) return;
    }
    if (text.length > KEEP_TAIL) {
      this.dropped += text.length - KEEP_TAIL;
      text = text.slice(-KEEP_TAIL);
    }
    this.tail.push(text);
    this.tailLength += text.length;
    while (this.tailLength > KEEP_TAIL) {
      const old = this.tail.shift()!; // tailLength > 0, so the list is not empty
      this.tailLength -= old.length;
      this.dropped += old.length;
    }
  }

  /**
   * Keeps each slice of the output where the suite's detector (leak.ts: the secret whole, in part, encoded)
   * finds a watched string; slices overlap by CARRY characters, longer than any encoded form of a secret.
   */
  private look(text: string): void {
    if (!this.watch.length) return;
    for (let i = 0; i < text.length; i += SLICE) {
      const seen = this.carry + text.slice(i, i + SLICE);
      if (this.found.length < MAX_FOUND && secretLeak(seen, this.watch)) this.found.push(seen);
      this.carry = seen.slice(-CARRY);
    }
  }

  text(): string {
    if (!this.dropped) return this.head + this.tail.join('');
    const found = this.found.length ? `; of it, where a watched string was printed:\n${this.found.join('\n')}` : '';
    return `${this.head}\n[trackbench: ${this.dropped} characters of output not kept${found}]\n${this.tail.join('')}`;
  }
}

/** What is passed on to this process's own streams, over the whole command: a hook printing gigabytes (a
 * suite runs it hundreds of times) must not flood the terminal or the CI log; its records keep what matters. */
const SHOW_LIMIT = 4 << 20;
let shown = 0;
let cutSaid = false;

/** Passes `text` on through `write` while the limit allows (cut at it, said once); a callback is still called. */
function passOn(write: Call, chunk: unknown, text: string, rest: unknown[]): unknown {
  if (shown + text.length <= SHOW_LIMIT) {
    shown += text.length;
    return write(chunk, ...rest);
  }
  const room = SHOW_LIMIT - shown;
  shown = SHOW_LIMIT;
  if (room > 0) write(text.slice(0, room));
  if (!cutSaid)
    write(
      `\n[trackbench: hooks' output shown up to ${SHOW_LIMIT} characters; results keep each run's first and last MB]\n`,
    );
  cutSaid = true;
  const callback = rest.find((a) => typeof a === 'function');
  if (callback) process.nextTick(callback);
  return true;
}

/**
 * Runs `fn` with everything printed recorded (bounded; `watch`: strings found wherever they were printed);
 * the streams and console are restored even when it throws.
 */
export async function withCapturedOutput<T>(
  fn: () => Promise<T>,
  watch: readonly string[] = [],
): Promise<{ value: T; printed: string }> {
  const printed = new BoundedOutput(watch);
  // A console call writes to the streams itself (outside test runners that replace the console): counted once.
  let inConsole = false;
  const restore: (() => void)[] = [];
  try {
    for (const stream of [process.stdout, process.stderr])
      restore.push(
        replace(stream, 'write', (original) => (chunk: unknown, ...rest: unknown[]): unknown => {
          const text =
            typeof chunk === 'string'
              ? chunk
              : chunk instanceof Uint8Array
                ? Buffer.from(chunk).toString()
                : String(chunk);
          if (!inConsole) printed.add(text);
          return passOn(original, chunk, text, rest);
        }),
      );
    for (const m of CONSOLE_METHODS)
      restore.push(
        replace(console, m, (original) => (...args: unknown[]): undefined => {
          printed.add(`${format(...args)}\n`);
          inConsole = true;
          try {
            original(...args);
          } finally {
            inConsole = false;
          }
        }),
      );
    const value = await fn();
    return { value, printed: printed.text() };
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}
