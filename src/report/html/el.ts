// A tiny element builder: attribute values escaped, numbers rounded to 0.01 (short, stable SVG).
import { esc } from './escape.ts';

export type Attrs = Record<string, string | number | undefined>;

const value = (v: string | number): string => (typeof v === 'number' ? String(Math.round(v * 100) / 100) : esc(v));

/** `<tag a="1">children</tag>`; children are HTML already (escape text with esc). No children: `<tag/>`. */
export function el(tag: string, attrs: Attrs, children?: string): string {
  const a = Object.entries(attrs)
    .filter((e): e is [string, string | number] => e[1] !== undefined)
    .map(([k, v]) => ` ${k}="${value(v)}"`)
    .join('');
  return children === undefined ? `<${tag}${a}/>` : `<${tag}${a}>${children}</${tag}>`;
}

/** A <title> child: the exact figure shown on hover. */
export const title = (text: string): string => `<title>${esc(text)}</title>`;
