// Counts type assertions in TypeScript sources: `x as T` and `<T>x` (not `as const`) and non-null `x!`.
// Usage: npx tsx scripts/count-assertions.ts [dir ...] [--list]   (default dir: src)
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

interface Found {
  file: string;
  line: number;
  kind: 'as' | '!';
  text: string;
}

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return files(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

const isAsConst = (n: ts.AssertionExpression): boolean =>
  ts.isTypeReferenceNode(n.type) && ts.isIdentifier(n.type.typeName) && n.type.typeName.text === 'const';

export function assertionsIn(file: string): Found[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const found: Found[] = [];
  const add = (node: ts.Node, kind: Found['kind']): void => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    found.push({ file, line, kind, text: node.getText(source).replace(/\s+/g, ' ').slice(0, 80) });
  };
  const visit = (node: ts.Node): void => {
    if ((ts.isAsExpression(node) || ts.isTypeAssertionExpression(node)) && !isAsConst(node)) add(node, 'as');
    else if (ts.isNonNullExpression(node)) add(node, '!');
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

const args = process.argv.slice(2);
const list = args.includes('--list');
const dirs = args.filter((a) => a !== '--list');
const all = (dirs.length ? dirs : ['src']).flatMap(files).flatMap(assertionsIn);
const byFolder = new Map<string, { as: number; '!': number }>();
for (const f of all) {
  const folder = relative(process.cwd(), f.file).split(/[\\/]/).slice(0, 2).join('/');
  const counts = byFolder.get(folder) ?? { as: 0, '!': 0 };
  counts[f.kind]++;
  byFolder.set(folder, counts);
}
for (const [folder, c] of [...byFolder].sort())
  console.log(`${folder.padEnd(24)} as ${String(c.as).padStart(4)}  ! ${c['!']}`);
const total = (k: Found['kind']): number => all.filter((f) => f.kind === k).length;
console.log(`${'total'.padEnd(24)} as ${String(total('as')).padStart(4)}  ! ${total('!')}`);
if (list) for (const f of all) console.log(`${relative(process.cwd(), f.file)}:${f.line} ${f.kind} ${f.text}`);
