// What an in-process hook prints: its writes to stdout and stderr and its console calls, recorded while it
// runs (a command target's output is already its process's), and passed on as before, up to a limit
// (common/output-cap.ts).
import { format } from 'node:util';
import { capStreamWrites, replaceMethod } from '../common/output-cap.ts';
import { secretLeak } from './leak.ts';

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace', 'dir'] as const;

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
    restore.push(
      capStreamWrites((text) => {
        if (!inConsole) printed.add(text);
      }),
    );
    for (const m of CONSOLE_METHODS)
      restore.push(
        replaceMethod(console, m, (original) => (...args: unknown[]): undefined => {
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
