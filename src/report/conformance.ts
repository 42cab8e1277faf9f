// Conformance reporters: console summary with failures, JSON, JUnit XML (one test case per
// requirement, and one per situation that could not run), TAP, and a Markdown compliance matrix across targets.
// A situation's own error is shown beside the requirements it left unjudged, never as the hook failing them.
import { resultName } from '../conformance/modes.ts';
import { situationLine } from '../conformance/situation-error.ts';
import type { Level, RequirementResult, SituationError, TargetResult } from '../conformance/types.ts';
import { junitXml, type JunitCase } from '../common/xml.ts';
import { VERSION } from '../version.ts';
import { DEFAULT_WIDTH, wrapText } from './fit.ts';
import { markdownRow } from './tables.ts';

const LEVELS: Level[] = ['MUST', 'SHOULD', 'MAY'];

function tally(r: TargetResult, level: Level): { passed: number; total: number; skipped: number } {
  const of = r.results.filter((x) => x.level === level);
  return {
    passed: of.filter((x) => x.finding.status === 'pass').length,
    total: of.filter((x) => x.finding.status !== 'skip').length,
    skipped: of.filter((x) => x.finding.status === 'skip').length,
  };
}

export function consoleSummary(results: TargetResult[], width = DEFAULT_WIDTH): string {
  const out: string[] = [];
  for (const r of results) {
    const parts = LEVELS.map((l) => {
      const t = tally(r, l);
      return t.total + t.skipped
        ? `${t.passed}/${t.total} ${l}${t.skipped ? ` (${t.skipped} not applicable)` : ''}`
        : '';
    }).filter(Boolean);
    out.push(wrapText(r.target, width, '  '), wrapText(`  Total: ${parts.join(', ')}`, width, '  '));
    if (r.versions) {
      const versions = Object.entries(r.versions).map(([k, v]) => `${k} ${v ?? '-'}`);
      out.push(wrapText(`  measured: ${versions.join(', ')}`, width, '    '));
    }
    if (r.waivers?.length) out.push(wrapText(`  waivers: ${r.waivers.join(', ')}`, width, '    '));
    for (const e of r.errors) out.push(wrapText(`  ERROR ${situationLine(e)}`, width, '    '));
    for (const x of r.results.filter((y) => y.finding.status === 'fail')) {
      const verdict = x.waived ? `WAIVED (${x.waived})` : x.finding.error ? 'NOT JUDGED' : 'FAIL';
      out.push(
        wrapText(`  ${verdict} ${resultName(x)} ${x.level} ${x.statement}`, width, '    '),
        wrapText(`       expected: ${x.finding.expected}`, width, '          '),
        wrapText(`       found:    ${x.finding.found}`, width, '          '),
      );
    }
    for (const x of r.results.filter((y) => y.finding.found.startsWith('not applicable: ')))
      out.push(wrapText(`  n/a ${resultName(x)}: ${x.finding.found.slice('not applicable: '.length)}`, width, '    '));
  }
  return out.join('\n');
}

type LevelCounts = { passed: number; failed: number; errors: number; skipped: number };

/** The verdict (fail when any MUST failed or any situation could not run) and counts per level, for one target or
 * all, with the situations that could not run. */
export function summary(results: TargetResult[]): {
  verdict: 'pass' | 'fail';
  levels: Record<Level, LevelCounts>;
  situationErrors: number;
} {
  const all = results.flatMap((r) => r.results);
  const levels = Object.fromEntries(
    LEVELS.map((l) => {
      const of = all.filter((x) => x.level === l);
      const failed = of.filter((x) => x.finding.status === 'fail');
      return [
        l,
        {
          passed: of.filter((x) => x.finding.status === 'pass').length,
          failed: failed.filter((x) => !x.finding.error).length,
          errors: failed.filter((x) => x.finding.error).length,
          skipped: of.filter((x) => x.finding.status === 'skip').length,
        },
      ];
    }),
  ) as Record<Level, LevelCounts>;
  const situationErrors = results.reduce((n, r) => n + r.errors.length, 0);
  const verdict = levels.MUST.failed + levels.MUST.errors + situationErrors > 0 ? 'fail' : 'pass';
  return { verdict, levels, situationErrors };
}

export function jsonReport(results: TargetResult[]): object {
  return {
    kind: 'trackbench-conformance',
    schemaVersion: 1,
    trackbenchVersion: VERSION,
    createdAt: new Date().toISOString(),
    summary: summary(results),
    targets: results.map((r) => ({ ...r, summary: summary([r]) })),
  };
}

export function junitReport(results: TargetResult[]): string {
  const suites = results.map((r) => ({
    name: r.target,
    cases: [...r.errors.map(situationCase(r.target)), ...requirementCases(r)],
  }));
  return junitXml('trackbench conformance', suites);
}

/** A situation that could not run: a JUnit error of its own, beside the requirements it left unjudged. */
const situationCase =
  (target: string) =>
  (e: SituationError): JunitCase => ({
    classname: target,
    name: `situation ${e.scenario}${e.mode ? ` [${e.mode}]` : ''}`,
    outcome: { kind: 'error', message: situationLine(e), type: 'situation' },
  });

function requirementCases(r: TargetResult): JunitCase[] {
  return r.results.map((x): JunitCase => ({
    classname: r.target,
    name: `${resultName(x)} [${x.level}] ${x.statement}`,
    outcome:
      x.finding.status === 'fail' && x.waived
        ? { kind: 'skip', message: `waived (${x.waived}): expected ${x.finding.expected}; found ${x.finding.found}` }
        : x.finding.status === 'fail' && x.finding.error
          ? { kind: 'error', message: `${x.finding.expected}: ${x.finding.found}`, type: x.level }
          : x.finding.status === 'fail'
            ? { kind: 'fail', message: `expected ${x.finding.expected}; found ${x.finding.found}`, type: x.level }
            : x.finding.status === 'skip'
              ? { kind: 'skip', message: x.finding.found }
              : { kind: 'pass' },
  }));
}

export function tapReport(results: TargetResult[]): string {
  const lines = ['TAP version 13'];
  const all: [string, RequirementResult][] = results.flatMap((r) =>
    r.results.map((x): [string, RequirementResult] => [r.target, x]),
  );
  // Each situation that could not run first: a test point of its own, never ok.
  // `#` would start a TAP directive.
  const situations = results.flatMap((r) =>
    r.errors.map((e) => `${r.target} ${situationLine(e).replace(/#/g, '\\#')}`),
  );
  lines.push(`1..${situations.length + all.length}`);
  situations.forEach((line, i) => lines.push(`not ok ${i + 1} - ${line}`));
  all.forEach(([target, x], at) => {
    const i = situations.length + at;
    const ok = x.finding.status !== 'fail' || Boolean(x.waived);
    const directive =
      x.finding.status === 'skip'
        ? ` # SKIP ${x.finding.found}`
        : x.waived && x.finding.status === 'fail'
          ? ` # TODO waived (${x.waived})`
          : '';
    lines.push(`${ok ? 'ok' : 'not ok'} ${i + 1} - ${target} ${resultName(x)} [${x.level}] ${x.statement}${directive}`);
    if (!ok)
      lines.push(
        '  ---',
        `  expected: ${JSON.stringify(x.finding.expected)}`,
        `  found: ${JSON.stringify(x.finding.found)}`,
        '  ...',
      );
  });
  return `${lines.join('\n')}\n`;
}

export function markdownMatrix(results: TargetResult[]): string {
  const mark = (x: RequirementResult | undefined): string =>
    !x
      ? ''
      : x.finding.status === 'pass'
        ? 'pass'
        : x.finding.status === 'skip'
          ? 'n/a'
          : x.waived
            ? `waived (${x.waived})`
            : x.finding.error
              ? '**not judged**'
              : '**FAIL**';
  const head = markdownRow(['Requirement', 'Level', ...results.map((r) => r.target)]);
  const rule = markdownRow(['---', '---', ...results.map(() => ':---:')]);
  const all = resultRows(results);
  const rows = all.map((x) =>
    markdownRow([`${resultName(x)} ${x.statement}`, x.level, ...results.map((r) => mark(resultAt(r, x, all)))]),
  );
  const totals = LEVELS.filter((l) => results.some((r) => tally(r, l).total > 0)).map((l) =>
    markdownRow([
      `**${l} passed**`,
      '',
      ...results.map((r) => {
        const t = tally(r, l);
        return `${t.passed}/${t.total}`;
      }),
    ]),
  );
  const notes = results.flatMap((r) => [
    ...(r.versions
      ? [
          `- ${r.target} measured: ${Object.entries(r.versions)
            .map(([k, v]) => `${k} ${v ?? '-'}`)
            .join(', ')}`,
        ]
      : []),
    ...(r.waivers?.length ? [`- ${r.target} waivers: ${r.waivers.join(', ')}`] : []),
    ...r.errors.map((e) => `- ${r.target} **ERROR** ${situationLine(e)}`),
  ]);
  const tail = notes.length ? `\n${notes.join('\n')}\n` : '';
  return `# trackbench conformance\n\n${head}\n${rule}\n${rows.join('\n')}\n${totals.join('\n')}\n${tail}`;
}

type Row = Pick<RequirementResult, 'id' | 'mode' | 'level' | 'statement'>;

/** One row per requirement and mode, in catalogue order across all targets (a target may lack some). A result
 * checked in no mode shares the first row of a requirement other targets were checked in modes. */
export function resultRows(results: TargetResult[]): Row[] {
  const inModes = new Set(results.flatMap((t) => t.results.filter((r) => r.mode).map((r) => r.id)));
  const seen = new Map<string, Row>();
  const order: string[] = [];
  for (const t of results)
    t.results.forEach((r, i) => {
      const name = resultName(r);
      if (seen.has(name) || (!r.mode && inModes.has(r.id))) return;
      seen.set(name, { id: r.id, mode: r.mode, level: r.level, statement: r.statement });
      // After the rows of the same requirement already seen, else at the end.
      const before = t.results[i - 1];
      const at = before ? order.indexOf(resultName(before)) : -1;
      order.splice(at >= 0 ? at + 1 : order.length, 0, name);
    });
  return order.flatMap((n) => seen.get(n) ?? []);
}

/** A target's result in a row (of `rows`): the one of that name, or its modeless one in the requirement's first row. */
export function resultAt(t: TargetResult, row: Row, rows: Row[]): RequirementResult | undefined {
  const exact = t.results.find((y) => resultName(y) === resultName(row));
  if (exact) return exact;
  return rows.find((r) => r.id === row.id) === row ? t.results.find((y) => y.id === row.id && !y.mode) : undefined;
}
