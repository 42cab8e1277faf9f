// The last lines a process printed, for failure messages: a few, each cut to a width, so that a flood (a 50 MB line
// without a break, the last thing a crashing hook wrote) is a line of a message, not the message.

/** Longest line kept whole; longer ones keep their end (where a message ends) after an ellipsis. */
const LINE_WIDTH = 500;

export function lastLines(output: string, lines = 6): string {
  return output
    .trim()
    .split('\n')
    .slice(-lines)
    .map((l) => (l.length > LINE_WIDTH ? `…${l.slice(-LINE_WIDTH)}` : l))
    .join('\n');
}

/** `tail` (lastLines) under a message: on lines of its own, indented; nothing when it is empty. */
export function indentedTail(tail: string | undefined, heading = ''): string {
  return tail ? `\n  ${heading}${tail.split('\n').join('\n  ')}` : '';
}

/** The last line of `output`, trimmed. */
export function lastLine(output: string): string {
  return (output.trimEnd().split('\n').pop() ?? '').trim();
}
