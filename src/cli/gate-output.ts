// Writes the gate's verdict where CI wants it and turns it into the exit code: the console gets a
// table that fits; --summary a short PR comment; $GITHUB_STEP_SUMMARY the full Markdown verdict;
// --junit JUnit XML; --gate-json the gate document (both reports and the verdict, for HTML and history).
import { appendFileSync, statSync } from 'node:fs';
import { codeOf, messageOf } from '../common/caught.ts';
import { quotedInput } from '../common/terminal-text.ts';
import { InputError } from '../errors.ts';
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
  // First of the files: the flags' paths were checked before any work, this one was not.
  appendStepSummary(md);
  if (opts.junit) writeAtomic(opts.junit, gateJunit(doc.gate, doc.title));
  if (opts.summary) writeAtomic(opts.summary, summaryMarkdown(doc, md));
  if (opts.gateJson) writeAtomic(opts.gateJson, `${JSON.stringify(doc, null, 2)}\n`);
  return doc.gate.verdict === 'pass' ? 0 : 1;
}

/**
 * Appends to $GITHUB_STEP_SUMMARY when set. A path that cannot be appended to (a missing folder, a full disk) is bad
 * input naming the variable: it was "unexpected error: ENOENT" (exit 3) after the other outputs were written.
 */
function appendStepSummary(md: string): void {
  const path = process.env.GITHUB_STEP_SUMMARY;
  if (!path) return;
  try {
    // Opening a FIFO for writing waits for a reader, past SIGTERM (a blocked open). A device (/dev/null) is taken.
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat?.isFIFO() || stat?.isSocket()) throw new Error('a pipe or socket, not a file');
    appendFileSync(path, md);
  } catch (err) {
    const why = codeOf(err) ?? messageOf(err);
    throw new InputError([
      { file: 'GITHUB_STEP_SUMMARY', message: `(environment) ${quotedInput(path)} cannot be appended to (${why})` },
    ]);
  }
}
