// Text for a terminal: control characters that came from input (a hook label, a seed, a server's message) are
// shown as escapes instead of acting. Raw, `\e[2J` cleared the screen, `\e]0;...\a` set the window title, `\r`
// wrote over a line and a bidi override reordered it. Line breaks, tabs and colour codes (SGR) are kept.

/** C0, DEL, C1 and the bidirectional controls: they act on a terminal or reorder what it shows. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
export const CONTROL_CHARACTER = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const COLOUR_OR_CONTROL = new RegExp(`\u001b\\[[0-9;]*m|${CONTROL_CHARACTER.source}`, 'g');

/** `text` with every control character but line breaks, tabs and colour codes written as an escape. */
export function inertControls(text: string): string {
  return text.replace(COLOUR_OR_CONTROL, (c) => {
    if (c.length > 1 || c === '\n' || c === '\t') return c; // a colour code, a line break, a tab
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16)}`;
  });
}

/** How much of a value from input a message quotes: enough to recognise it, never a whole 1 MB argument. */
export const QUOTED_INPUT_CHARS = 80;

/**
 * `value` quoted for a message: control characters as escapes, cut to QUOTED_INPUT_CHARS with its full length
 * said (`"xxx…" (100000 characters)`).
 */
export function quotedInput(value: string): string {
  const chars = [...value]; // by code point: a cut never splits a surrogate pair
  if (chars.length <= QUOTED_INPUT_CHARS) return `"${inertControls(value)}"`;
  const head = inertControls(chars.slice(0, QUOTED_INPUT_CHARS - 1).join(''));
  return `"${head}…" (${chars.length} characters)`;
}
