// One HTML file from any trackbench JSON documents: run, sweep, conformance and gate reports (and
// merged run sets), each drawn by its own module into the shared page.
import type { SweepReport } from '../../measure/sweep.ts';
import type { GateDocument } from '../gate.ts';
import type { HistoryEntry } from '../history.ts';
import type { Report } from '../../measure/report-types.ts';
import { writeAtomic } from '../write.ts';
import { conformanceSection, type ConformanceDoc } from './conformance.ts';
import { gateSection } from './gate.ts';
import { historySections } from './history.ts';
import { page, type Section } from './page.ts';
import { runSection } from './run.ts';
import { sweepSection } from './sweep.ts';

export type HtmlDocument =
  Report | SweepReport | ConformanceDoc | GateDocument | { kind: 'trackbench-run-set'; reports: Report[] };

export const HTML_KINDS = [
  'trackbench-run',
  'trackbench-run-set',
  'trackbench-sweep',
  'trackbench-conformance',
  'trackbench-gate',
];

function sections(doc: HtmlDocument, prefix: string): Section[] {
  switch (doc.kind) {
    case 'trackbench-run':
      return [runSection(doc, prefix)];
    case 'trackbench-run-set':
      return doc.reports.map((r, i) => runSection(r, `${prefix}${i}-`));
    case 'trackbench-sweep':
      return [sweepSection(doc, prefix)];
    case 'trackbench-conformance':
      return [conformanceSection(doc, prefix)];
    case 'trackbench-gate':
      // A gated run shows the run itself too; the gate comes first because it carries the verdict.
      return [gateSection(doc, `${prefix}g-`), runSection(doc.current, `${prefix}c-`)];
  }
}

export function titleOf(doc: HtmlDocument): string {
  switch (doc.kind) {
    case 'trackbench-run':
      return `trackbench run: ${doc.scenario.name}`;
    case 'trackbench-run-set':
      return `trackbench runs: ${doc.reports.map((r) => r.scenario.name).join(', ')}`;
    case 'trackbench-sweep':
      return `trackbench sweep: ${doc.scenario}`;
    case 'trackbench-conformance':
      return 'trackbench conformance';
    case 'trackbench-gate':
      return `trackbench gate: ${doc.title} (${doc.gate.verdict.toUpperCase()})`;
  }
}

export function renderHtml(docs: HtmlDocument[], title?: string): string {
  return page(
    title ?? (docs.length === 1 ? titleOf(docs[0]!) : 'trackbench reports'),
    docs.flatMap((d, i) => sections(d, `d${i}-`)),
  );
}

export function renderHistoryHtml(entries: HistoryEntry[], title = 'trackbench history'): string {
  return page(title, historySections(entries));
}

/** Written whole or not at all: a temp file beside the target, then a rename. */
export function writeHtml(file: string, html: string): void {
  writeAtomic(file, html);
}
