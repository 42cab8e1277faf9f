// Where input bytes stop being UTF-8. Decoding them anyway would turn each bad byte into U+FFFD silently: a
// Latin-1 description or a UTF-16 file would be read as something else than what its author wrote.
import { isUtf8 } from 'node:buffer';
import { lineCol } from './line-col.ts';

export interface Utf8Problem {
  /** 1-based, in characters of the text decoded up to that point. */
  line: number;
  col: number;
  message: string;
}

/** The first place `bytes` is not UTF-8, or undefined when all of it is. */
export function utf8Problem(bytes: Buffer): Utf8Problem | undefined {
  if (isUtf8(bytes)) return undefined;
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))
    return { line: 1, col: 1, message: 'UTF-16 text (it starts with a UTF-16 byte-order mark); save it as UTF-8' };
  const text = bytes.toString('utf8');
  // Each U+FFFD is a replaced bad sequence or a real U+FFFD (EF BF BD); the first replaced one is the place.
  let offset = 0;
  let from = 0;
  for (let i = text.indexOf('\uFFFD'); i !== -1; i = text.indexOf('\uFFFD', i + 1)) {
    offset += Buffer.byteLength(text.slice(from, i));
    from = i;
    if (bytes[offset] === 0xef && bytes[offset + 1] === 0xbf && bytes[offset + 2] === 0xbd) continue;
    const byte = (bytes[offset] ?? 0).toString(16).padStart(2, '0');
    return { ...lineCol(text, i), message: `not UTF-8 text (byte 0x${byte}); save it as UTF-8` };
  }
  return { line: 1, col: 1, message: 'not UTF-8 text; save it as UTF-8' };
}
