// Arrows one way: every import in src/ goes to the same stage or to a lower one (README, Layout).
// The ranks below are that section's order; a new folder under src/ must be given a rank here.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SRC = resolve(import.meta.dirname, '../src');

/** Lower ranks are imported by higher ones, never the reverse. Equal ranks are peers: no imports between them. */
const RANK: Record<string, number> = {
  common: 0,
  mlflow: 1,
  backends: 2,
  scenario: 3,
  pipeline: 4,
  tracking: 5,
  stats: 6,
  measure: 7,
  conformance: 7,
  gate: 8,
  report: 9,
  cli: 10,
  index: 11,
};

/** The stage a file under src/ belongs to: its first folder; errors.ts and version.ts count as common. */
function stageOf(file: string): string {
  const [first, ...rest] = relative(SRC, file).split(/[\\/]/);
  if (rest.length) return first ?? '';
  return first === 'index.ts' ? 'index' : 'common';
}

/** Why `from` may not import `to`, or undefined when it may. */
function violation(from: string, to: string): string | undefined {
  const a = stageOf(from);
  const b = stageOf(to);
  if (a === b) return undefined;
  const ra = RANK[a];
  const rb = RANK[b];
  if (ra === undefined || rb === undefined) return `stage without a rank: ${ra === undefined ? a : b}`;
  if (rb < ra) return undefined;
  return rb === ra ? `${a} and ${b} are peers` : `${a} (rank ${ra}) imports ${b} (rank ${rb}), a later stage`;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return name.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative module specifier of a file: static imports, re-exports, dynamic import() calls. */
function importsOf(file: string): string[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const specifiers: string[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier) {
      if (ts.isStringLiteral(node.moduleSpecifier)) specifiers.push(node.moduleSpecifier.text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteralLike(arg)) specifiers.push(arg.text);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return specifiers.filter((s) => s.startsWith('.'));
}

describe('import direction', () => {
  it('every folder under src/ has a rank', () => {
    const stages = new Set(sourceFiles(SRC).map(stageOf));
    expect([...stages].filter((s) => RANK[s] === undefined)).toEqual([]);
    expect(stages.size).toBeGreaterThanOrEqual(12);
  });

  it('no import in src/ runs back up the stage order', () => {
    const found: string[] = [];
    let imports = 0;
    for (const file of sourceFiles(SRC)) {
      for (const spec of importsOf(file)) {
        const target = resolve(dirname(file), spec);
        if (!target.startsWith(SRC)) continue;
        imports++;
        const why = violation(file, target);
        if (why) found.push(`${relative(SRC, file)} -> ${relative(SRC, target)}: ${why}`);
      }
    }
    expect(imports).toBeGreaterThan(300);
    expect(found).toEqual([]);
  });

  it('the rule catches imports up the order, between peers, and from unranked folders', () => {
    const at = (p: string): string => join(SRC, p);
    expect(violation(at('stats/basic.ts'), at('measure/measure.ts'))).toMatch(/later stage/);
    expect(violation(at('backends/start.ts'), at('scenario/types.ts'))).toMatch(/later stage/);
    expect(violation(at('common/random.ts'), at('errors.ts'))).toBeUndefined();
    expect(violation(at('errors.ts'), at('pipeline/types.ts'))).toMatch(/later stage/);
    expect(violation(at('measure/trace.ts'), at('conformance/types.ts'))).toMatch(/peers/);
    expect(violation(at('pipeline/hooks.ts'), at('index.ts'))).toMatch(/later stage/);
    expect(violation(at('extra/x.ts'), at('common/random.ts'))).toMatch(/without a rank: extra/);
    expect(violation(at('report/gate.ts'), at('gate/gate.ts'))).toBeUndefined();
    expect(violation(at('tracking/common.ts'), at('mlflow/client.ts'))).toBeUndefined();
  });
});
