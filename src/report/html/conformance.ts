// A conformance report as HTML: the requirement x target matrix (pass / fail / not judged / n/a / waived), each
// cell showing what was expected and what was found on hover, focus or click; under it, each situation that could
// not run, with its own error and the requirements it left unjudged.
import type { RequirementResult, TargetResult } from '../../conformance/types.ts';
import { resultName } from '../../conformance/modes.ts';
import { situationLine } from '../../conformance/situation-error.ts';
import { resultAt, resultRows } from '../conformance.ts';
import { el } from './el.ts';
import { esc } from './escape.ts';
import type { Section } from './page.ts';

export interface ConformanceDoc {
  kind: 'trackbench-conformance';
  createdAt?: string;
  targets: TargetResult[];
}

export type CellClass = 'pass' | 'fail' | 'error' | 'na' | 'waived';

/** Status words, including ones newer catalogues may use (waivers, explicit n/a). */
export function cellClass(r: RequirementResult): CellClass {
  const status = String(r.finding.status).toLowerCase();
  const extra = r as RequirementResult & { waived?: unknown; waiver?: unknown };
  if (status.startsWith('waive') || extra.waived || extra.waiver) return 'waived';
  if (status === 'pass') return 'pass';
  if (status === 'skip' || status === 'na' || status === 'n/a' || status === 'not-applicable') return 'na';
  // Its situation could not run: not judged, not the hook failing it.
  return r.finding.error ? 'error' : 'fail';
}

const LABEL: Record<CellClass, string> = {
  pass: 'pass',
  fail: 'FAIL',
  error: 'not judged',
  na: 'n/a',
  waived: 'waived',
};

/** Requirements (one row per mode they were checked in) in catalogue order across all targets. */
export function requirementIds(targets: TargetResult[]): { id: string; level: string; statement: string }[] {
  return resultRows(targets).map((r) => ({ id: resultName(r), level: r.level, statement: r.statement }));
}

function cell(target: string, r: RequirementResult | undefined): string {
  if (!r) return '<td class="cell na missing" title="not checked for this target">-</td>';
  const c = cellClass(r);
  const extra = r as RequirementResult & { waiver?: unknown };
  const waiver = typeof extra.waiver === 'string' ? `<b>waiver</b>${esc(extra.waiver)}` : '';
  const pop = [
    `<b>${esc(resultName(r))} on ${esc(target)}</b>${esc(r.statement)}`,
    `<b>expected</b><code>${esc(r.finding.expected)}</code>`,
    `<b>found</b><code>${esc(r.finding.found)}</code>`,
    waiver,
    `<b>scenario</b>${esc(r.scenario)}`,
  ].join('');
  const attrs = { class: `cell ${c}`, tabindex: 0, 'data-requirement': resultName(r), 'data-target': target };
  return el('td', attrs, LABEL[c] + el('div', { class: 'pop', role: 'tooltip' }, pop));
}

export function conformanceSection(doc: ConformanceDoc, prefix: string): Section {
  const rows = resultRows(doc.targets);
  const targetHeads = doc.targets.map((t) => el('th', {}, esc(t.target))).join('');
  const head = `<tr><th>Requirement</th><th>Level</th>${targetHeads}</tr>`;
  const body = rows.map((x) => {
    const label = el('td', { title: x.statement }, `<b>${esc(resultName(x))}</b> ${esc(x.statement)}`);
    const cells = doc.targets.map((t) => cell(t.target, resultAt(t, x, rows))).join('');
    return `<tr>${label}<td>${esc(x.level)}</td>${cells}</tr>`;
  });
  const totals = (['MUST', 'SHOULD', 'MAY'] as const)
    .map((level) => {
      const counts = doc.targets.map((t) => {
        const of = t.results.filter((r) => r.level === level);
        const applicable = of.filter((r) => ['pass', 'fail', 'error'].includes(cellClass(r)));
        return `${applicable.filter((r) => cellClass(r) === 'pass').length}/${applicable.length}`;
      });
      return doc.targets.some((t) => t.results.some((r) => r.level === level))
        ? `<tr class="total"><th>${level} passed</th><th></th>${counts.map((c) => `<th>${c}</th>`).join('')}</tr>`
        : '';
    })
    .join('');
  const errors = doc.targets.flatMap((t) => t.errors.map((e) => `<li>${esc(t.target)}: ${esc(situationLine(e))}</li>`));
  const mustFails = doc.targets.some((t) =>
    t.results.some((r) => r.level === 'MUST' && ['fail', 'error'].includes(cellClass(r))),
  );
  const failing = mustFails || errors.length > 0;
  const verdict = mustFails
    ? 'FAIL: a MUST requirement fails or could not be judged'
    : errors.length
      ? 'FAIL: a situation could not run'
      : 'PASS: every MUST requirement holds';
  const when = doc.createdAt ? `, ${doc.createdAt}` : '';
  const meta =
    `${new Set(rows.map((r) => r.id)).size} requirements (${rows.length} with their modes) x ` +
    `${doc.targets.length} target(s)${when}. ` +
    'Hover, focus or click a cell for what was expected and what was found.';
  const matrix = `<thead>${head}</thead><tbody>${body.join('')}</tbody><tfoot>${totals}</tfoot>`;
  const html = [
    '<h2>Conformance</h2>',
    el('div', { class: `verdict ${failing ? 'fail' : 'pass'}` }, verdict),
    el('p', { class: 'meta' }, esc(meta)),
    el('table', { class: 'matrix', id: `${prefix}matrix` }, matrix),
    errors.length ? `<h3>Scenarios that could not run</h3><ul>${errors.join('')}</ul>` : '',
  ].join('\n');
  return { html, data: doc };
}
