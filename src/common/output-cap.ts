// What a hook running in this process (trace; conformance of builtin:/module: targets) prints to stdout and stderr
// is passed on up to a limit over the whole command: a hook printing gigabytes (a suite runs it hundreds of times)
// must not flood the terminal or the CI log, nor exhaust memory where the output is kept.

/** Any function, called with the arguments it was given. */
export type Call = (...args: unknown[]) => unknown;

/** Replaces `obj[key]` until the returned function is called, which puts back exactly what was there (an own
 * property, or none so the prototype's shows again). */
export function replaceMethod<T extends object>(
  obj: T,
  key: keyof T & string,
  by: (original: Call) => Call,
): () => void {
  const own = Object.getOwnPropertyDescriptor(obj, key);
  // The keys given are methods (write, console's), so a function; bound: what a call through it did before.
  const original = (obj[key] as Call).bind(obj);
  Object.defineProperty(obj, key, { value: by(original), configurable: true, writable: true, enumerable: false });
  return () => {
    if (own) Object.defineProperty(obj, key, own);
    else delete obj[key];
  };
}

/** What is passed on to this process's own streams, over the whole command. */
export const SHOW_LIMIT = 4 << 20;
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
 * Caps what is written to process.stdout and process.stderr until the returned function is called (which puts
 * their `write` back); `record` sees each write's text, whole.
 */
export function capStreamWrites(record: (text: string) => void = () => {}): () => void {
  const restore = [process.stdout, process.stderr].map((stream) =>
    replaceMethod(stream, 'write', (original) => (chunk: unknown, ...rest: unknown[]): unknown => {
      const text =
        typeof chunk === 'string' ? chunk : chunk instanceof Uint8Array ? Buffer.from(chunk).toString() : String(chunk);
      record(text);
      return passOn(original, chunk, text, rest);
    }),
  );
  return () => {
    for (const undo of restore.reverse()) undo();
  };
}
