// Property-based tests over the documents trackbench reads back (compare, merge, report --html,
// history add). Damaged copies of real run, sweep and gate reports (a value replaced or removed, the
// text cut or a character changed) are either refused as bad input, every problem at file:line:col,
// or accepted and then drawn by every reader (console, Markdown, HTML, the gate) without throwing.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { jsonSyntaxError } from '../src/common/json-syntax.ts';
import { InputError } from '../src/errors.ts';
import { checkRegressions } from '../src/gate/gate.ts';
import { buildReport } from '../src/measure/build-report.ts';
import { measure } from '../src/measure/measure.ts';
import type { Report } from '../src/measure/report-types.ts';
import { withGrowth, type SweepReport } from '../src/measure/sweep.ts';
import { consoleTables } from '../src/report/console.ts';
import { gateDocument } from '../src/report/gate.ts';
import { renderHtml } from '../src/report/html/index.ts';
import { markdownReport } from '../src/report/markdown.ts';
import { readDocument } from '../src/report/read.ts';
import { sweepTables } from '../src/report/sweep.ts';
import { scenarioOf } from './helpers/scenario.ts';

const RUNS = Number(process.env.TRACKBENCH_FUZZ_RUNS ?? 300);
const SEED = Number(process.env.TRACKBENCH_FUZZ_SEED ?? 20261205);

describe('JSON syntax errors are located', () => {
  const jsonish = fc.oneof(
    fc.json(),
    fc
      .json()
      .chain((t) =>
        fc
          .tuple(fc.nat({ max: Math.max(0, t.length) }), fc.constantFrom('', ',', '}', ']', '"', ':', '\\', 'x', '\n'))
          .map(([i, c]) => t.slice(0, i) + c + t.slice(i + 1)),
      ),
    fc.string({ maxLength: 20 }),
  );
  it('the scanner finds an error exactly when JSON.parse refuses the text, inside the text', () => {
    fc.assert(
      fc.property(jsonish, (text) => {
        let parses = true;
        try {
          JSON.parse(text);
        } catch {
          parses = false;
        }
        const err = jsonSyntaxError(text);
        expect(err === undefined).toBe(parses);
        if (err) expect(err.offset).toBeGreaterThanOrEqual(0);
        if (err) expect(err.offset).toBeLessThanOrEqual(text.length);
      }),
      { numRuns: 5000, seed: SEED },
    );
  });

  it('deep nesting does not overflow the scanner', () => {
    expect(jsonSyntaxError('['.repeat(200_000))?.message).toMatch(/found the end of the file/);
    expect(jsonSyntaxError(`${'['.repeat(100_000)}${']'.repeat(100_000)}`)).toBeUndefined();
  });
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path to a value in `doc` (at most `max`, spread over the document). */
function paths(doc: Json, max = 4000): (string | number)[][] {
  const out: (string | number)[][] = [];
  const walk = (v: Json, p: (string | number)[]): void => {
    if (out.length >= max) return;
    out.push(p);
    if (Array.isArray(v)) v.forEach((x, i) => walk(x, [...p, i]));
    else if (v !== null && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, [...p, k]);
  };
  walk(doc, []);
  return out;
}

/** A copy of `doc` with the value at `path` replaced (or removed, for `undefined`). */
function damaged(doc: Json, path: (string | number)[], value: Json | undefined): Json {
  const copy = structuredClone(doc);
  if (!path.length) return value ?? null;
  let parent: Json = copy;
  for (const seg of path.slice(0, -1)) parent = (parent as Record<string | number, Json>)[seg]!;
  const last = path[path.length - 1]!;
  // the parent at a path taken from this document is an array or an object
  const container = parent as Record<string | number, Json>;
  if (value !== undefined) container[last] = value;
  else if (Array.isArray(parent)) parent.splice(last as number, 1);
  else delete container[last];
  return copy;
}

const replacement = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom<Json>(null, 0, -1, 1e308, 0.5, '', 'x', true, [], {}, [1], { a: 1 }, 'trackbench-run'),
);

describe('damaged reports are refused with a location or read without a crash', () => {
  let run: Report;
  let docs: { name: string; doc: Json }[];
  const dir = mkdtempSync(join(tmpdir(), 'tb-report-fuzz-'));
  beforeAll(async () => {
    const scenario = scenarioOf(
      { nodes: 5, topology: { kind: 'chain' }, work: { cpuMs: 0 } },
      { hooks: ['reference'], trials: { repetitions: 3, warmup: 0 } },
    );
    run = buildReport(scenario, await measure(scenario), false);
    const sweep: SweepReport = withGrowth(
      'fuzz',
      [5, 10, 20].map((nodes) => ({ nodes, report: run })),
    );
    const gate = gateDocument('fuzz', run, run, { verdict: 'pass', checks: [] });
    // plain JSON, as a file holds it
    const asJson = (x: unknown): Json => JSON.parse(JSON.stringify(x)) as Json;
    docs = [
      { name: 'run', doc: asJson(run) },
      { name: 'sweep', doc: asJson(sweep) },
      { name: 'gate', doc: asJson(gate) },
    ];
  }, 120_000);

  /** Reads `text` as a file; a refusal must be located, an acceptance must draw everywhere. */
  function verdict(text: string): string | undefined {
    const file = join(dir, 'doc.json');
    writeFileSync(file, text);
    let doc;
    try {
      doc = readDocument(file);
    } catch (err) {
      if (!(err instanceof InputError)) return `not an input error: ${String(err)}`;
      const unlocated = err.diagnostics.filter((d) => d.line === undefined);
      return unlocated.length ? `no location: ${unlocated[0]!.message}` : undefined;
    }
    try {
      renderHtml([doc]);
      if (doc.kind === 'trackbench-run') {
        consoleTables(doc, false);
        markdownReport(doc);
        checkRegressions(run, doc, { alpha: 0.05, noise: 0.02 });
        checkRegressions(doc, doc, { alpha: 0.05, noise: 0.02 });
      }
      if (doc.kind === 'trackbench-sweep') sweepTables(doc, false);
    } catch (err) {
      return `accepted, then a reader threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
    }
    return undefined;
  }

  it('the undamaged documents are read and drawn', () => {
    for (const d of docs) expect(verdict(JSON.stringify(d.doc, null, 2)), d.name).toBeUndefined();
  });

  it("a sweep's growth fit out of what a fit can be is refused at its place (it was drawn as r²=5)", () => {
    const sweep = structuredClone(docs.find((d) => d.name === 'sweep')!.doc) as {
      growth: Record<string, Record<string, { slope: number; r2: number } | null>>;
    };
    const fits = Object.values(sweep.growth).flatMap((byMetric) => Object.values(byMetric));
    const fit = fits.find((f) => f !== null)!;
    const file = join(dir, 'sweep.json');
    for (const [field, value] of [
      ['r2', 5],
      ['r2', -0.5],
      ['slope', 1e300],
    ] as const) {
      const saved = fit[field];
      fit[field] = value;
      writeFileSync(file, JSON.stringify(sweep, null, 2));
      expect(() => readDocument(file), `${field} ${value}`).toThrow(
        new RegExp(`:\\d+:\\d+ growth\\.\\S+\\.${field}: must be`),
      );
      fit[field] = saved;
    }
  });

  it(`a value replaced or removed (${RUNS} cases a document)`, () => {
    for (const d of docs) {
      const all = paths(d.doc);
      fc.assert(
        fc.property(fc.nat({ max: all.length - 1 }), replacement, (i, value) => {
          const text = JSON.stringify(damaged(d.doc, all[i]!, value), null, 2);
          expect(verdict(text), `${d.name} ${JSON.stringify(all[i])} -> ${JSON.stringify(value)}`).toBeUndefined();
        }),
        { numRuns: RUNS, seed: SEED },
      );
    }
  }, 300_000);

  it(`the text cut short or one character changed (${RUNS} cases a document)`, () => {
    for (const d of docs) {
      const text = JSON.stringify(d.doc, null, 2);
      fc.assert(
        fc.property(fc.nat({ max: text.length - 1 }), fc.constantFrom('', '{', '"', ',', '0', 'x'), (i, c) => {
          expect(verdict(text.slice(0, i) + c + text.slice(i + 1))).toBeUndefined();
          expect(verdict(text.slice(0, i))).toBeUndefined();
        }),
        { numRuns: RUNS, seed: SEED },
      );
    }
  }, 300_000);
});
