// Writes the gate's verdict where CI wants it and turns it into the exit code.
import { appendFileSync } from 'node:fs';
import { gateJunit, gateMarkdown } from '../report/gate.ts';
import { writeAtomic } from '../report/write.ts';
import type { GateResult } from '../gate/gate.ts';
import type { Io } from './io.ts';

export function emitGate(
  result: GateResult,
  title: string,
  io: Io,
  opts: { junit?: string; summary?: string },
): number {
  const md = gateMarkdown(result, title);
  io.out(md);
  if (opts.junit) writeAtomic(opts.junit, gateJunit(result, title));
  if (opts.summary) writeAtomic(opts.summary, md);
  if (process.env.GITHUB_STEP_SUMMARY) appendFileSync(process.env.GITHUB_STEP_SUMMARY, md);
  return result.verdict === 'pass' ? 0 : 1;
}
