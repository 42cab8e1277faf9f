// Writes the gate's verdict where CI wants it and turns it into the exit code: the console gets a
// table that fits; --summary a short PR comment; $GITHUB_STEP_SUMMARY the full Markdown verdict;
// --junit JUnit XML; --gate-json the gate document (both reports and the verdict, for HTML and history).
import { appendFileSync } from 'node:fs';
import { gateConsole, gateJunit, gateMarkdown, type GateDocument } from '../report/gate.ts';
import { summaryMarkdown } from '../report/summary.ts';
import { writeAtomic } from '../report/write.ts';
import { widthOf, type Io } from './io.ts';

export interface GateOutputs {
  junit?: string;
  summary?: string;
  gateJson?: string;
}

export function emitGate(doc: GateDocument, io: Io, opts: GateOutputs): number {
  const md = gateMarkdown(doc.gate, doc.title, doc.warnings);
  io.out(gateConsole(doc.gate, doc.title, io.isTTY, widthOf(io)));
  if (opts.junit) writeAtomic(opts.junit, gateJunit(doc.gate, doc.title));
  if (opts.summary) writeAtomic(opts.summary, summaryMarkdown(doc, md));
  if (opts.gateJson) writeAtomic(opts.gateJson, `${JSON.stringify(doc, null, 2)}\n`);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md);
  return doc.gate.verdict === 'pass' ? 0 : 1;
}
