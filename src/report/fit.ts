// Console output that fits the terminal: a table wider than the width is split into blocks (the
// stub columns repeated, column groups such as one hook each kept together); a block still too
// wide has its cells wrapped inside their columns. Prose is word-wrapped. Nothing is left for the
// terminal to wrap.
import Table from 'cli-table3';

export const DEFAULT_WIDTH = 120;

// eslint-disable-next-line no-control-regex -- ANSI colour codes are what this strips
const ANSI = /\u001b\[[0-9;]*m/g;

export function visibleWidth(line: string): number {
  return [...line.replace(ANSI, '')].length;
}

export function widest(text: string): number {
  return Math.max(0, ...text.split('\n').map(visibleWidth));
}

export interface TableSpec {
  head: string[];
  rows: string[][];
  /** Leading columns repeated in every block (row labels). */
  stub: number;
  /** Groups of the remaining columns (indices into head) kept in one block; default one each. */
  groups?: number[][];
}

type Style = { head: string[]; border: string[] };
const styleOf = (color: boolean): Style => (color ? { head: ['cyan'], border: ['grey'] } : { head: [], border: [] });

function render(head: string[], rows: string[][], color: boolean, colWidths?: number[]): string {
  const t = new Table({
    head,
    style: styleOf(color),
    ...(colWidths ? { colWidths, wordWrap: true, wrapOnWordBoundary: true } : {}),
  });
  for (const r of rows) t.push(r);
  return t.toString();
}

function pick(spec: TableSpec, cols: number[]): { head: string[]; rows: string[][] } {
  return { head: cols.map((c) => spec.head[c] ?? ''), rows: spec.rows.map((r) => cols.map((c) => r[c] ?? '')) };
}

/** Breaks words longer than `n` so that wrapping on word boundaries never has to truncate. */
function breakLongWords(cell: string, n: number): string {
  return cell
    .split('\n')
    .map((line) =>
      line
        .split(' ')
        .map((w) => (w.length > n ? (w.match(new RegExp(`.{1,${n}}`, 'gu')) ?? [w]).join('\n') : w))
        .join(' '),
    )
    .join('\n');
}

/** Column widths (with cli-table3's padding of 2) that sum to at most the width, widest shrunk first. */
function shrink(head: string[], rows: string[][], width: number): number[] {
  const natural = head.map((_, c) => Math.max(...[head, ...rows].map((r) => widest(r[c] ?? ''))) + 2);
  const budget = width - (head.length + 1);
  const w = [...natural];
  const floor = Math.max(6, Math.floor(budget / head.length / 2));
  while (w.reduce((a, b) => a + b, 0) > budget) {
    const i = w.indexOf(Math.max(...w));
    if (w[i]! <= floor) break;
    w[i] = w[i]! - 1;
  }
  return w;
}

function wrapped(head: string[], rows: string[][], width: number, color: boolean): string {
  const w = shrink(head, rows, width);
  const inner = w.map((x) => Math.max(1, x - 2));
  return render(
    head.map((h, c) => breakLongWords(h, inner[c]!)),
    rows.map((r) => r.map((cell, c) => breakLongWords(cell, inner[c]!))),
    color,
    w,
  );
}

export function fitTable(spec: TableSpec, width: number, color: boolean): string {
  const full = render(spec.head, spec.rows, color);
  if (widest(full) <= width) return full;
  const stub = [...Array(spec.stub).keys()];
  const rest = [...Array(spec.head.length).keys()].slice(spec.stub);
  if (!rest.length) return wrapped(spec.head, spec.rows, width, color);
  const groups = spec.groups ?? rest.map((c) => [c]);
  const blocks: number[][] = [];
  for (const g of groups) {
    const last = blocks.at(-1);
    if (last) {
      const trial = pick(spec, [...stub, ...last, ...g]);
      if (widest(render(trial.head, trial.rows, color)) <= width) {
        last.push(...g);
        continue;
      }
    }
    blocks.push([...g]);
  }
  return blocks
    .map((b) => {
      const part = pick(spec, [...stub, ...b]);
      const plain = render(part.head, part.rows, color);
      return widest(plain) <= width ? plain : wrapped(part.head, part.rows, width, color);
    })
    .join('\n');
}

/** Word-wraps prose to the width; continuation lines get `indent`. Words longer than a line are cut. */
export function wrapText(text: string, width: number, indent = ''): string {
  return text
    .split('\n')
    .map((para) => {
      const lead = para.match(/^\s*/)?.[0] ?? '';
      const hang = lead + indent;
      const lines: string[] = [];
      let line = lead;
      for (const word of para.trim().split(/\s+/)) {
        if (!word) continue;
        let w = word;
        const room = (): number => width - visibleWidth(line) - (line.trim() ? 1 : 0);
        while (visibleWidth(w) > room() && visibleWidth(w) > width - hang.length) {
          if (line.trim()) {
            lines.push(line);
            line = hang;
          }
          const cut = Math.max(1, width - visibleWidth(line));
          lines.push(line + [...w].slice(0, cut).join(''));
          w = [...w].slice(cut).join('');
          line = hang;
        }
        if (!w) continue;
        if (visibleWidth(w) > room() && line.trim()) {
          lines.push(line);
          line = hang;
        }
        line = line.trim() ? `${line} ${w}` : `${line}${w}`;
      }
      lines.push(line);
      return lines.join('\n');
    })
    .join('\n');
}
