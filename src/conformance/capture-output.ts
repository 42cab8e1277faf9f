// What an in-process hook prints: its writes to stdout and stderr and its console calls, recorded while it
// runs (a command target's output is already its process's), and passed on as before.
import { format } from 'node:util';

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

/** Runs `fn` with everything printed recorded; the streams and console are restored even when it throws. */
export async function withCapturedOutput<T>(fn: () => Promise<T>): Promise<{ value: T; printed: string }> {
  const printed: string[] = [];
  // A console call writes to the streams itself (outside test runners that replace the console): counted once.
  let inConsole = false;
  const restore: (() => void)[] = [];
  try {
    for (const stream of [process.stdout, process.stderr])
      restore.push(
        replace(stream, 'write', (original) => (chunk: unknown, ...rest: unknown[]): unknown => {
          if (!inConsole)
            printed.push(
              typeof chunk === 'string'
                ? chunk
                : chunk instanceof Uint8Array
                  ? Buffer.from(chunk).toString()
                  : String(chunk),
            );
          return original(chunk, ...rest);
        }),
      );
    for (const m of CONSOLE_METHODS)
      restore.push(
        replace(console, m, (original) => (...args: unknown[]): undefined => {
          printed.push(`${format(...args)}\n`);
          inConsole = true;
          try {
            original(...args);
          } finally {
            inConsole = false;
          }
        }),
      );
    const value = await fn();
    return { value, printed: printed.join('') };
  } finally {
    for (const undo of restore.reverse()) undo();
  }
}
