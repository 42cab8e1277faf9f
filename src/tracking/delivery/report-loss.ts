// The hook's closing words on what did not reach MLflow: spilled (with the replay command),
// refused as invalid (with reasons), lost outright (the spill file failed), keys renamed.
import type { Counts, DeliveryStats } from './accounting.ts';

const total = (c: Counts): number => Object.values(c).reduce((a, b) => a + b, 0);
const list = (c: Counts): string =>
  Object.entries(c)
    .filter(([, n]) => n > 0)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');

export function lossMessages(s: DeliveryStats, hook: string): string[] {
  const out: string[] = [];
  const spilled = total(s.spilled);
  if (spilled > 0)
    out.push(
      `trackbench ${hook} hook: ${spilled} value(s) were not delivered to MLflow (${list(s.spilled)}` +
        `${s.overflowSpilled ? `; ${s.overflowSpilled} because the queue was full during an outage` : ''}); ` +
        `written to ${s.spillFile}; deliver them later with: trackbench replay ${s.spillFile}`,
    );
  const rejected = total(s.rejected);
  if (rejected > 0) {
    const first = s.rejections
      .slice(0, 3)
      .map((r) => `${r.kind} "${r.key}": ${r.reason}`)
      .join('; ');
    out.push(`trackbench ${hook} hook: ${rejected} value(s) refused as invalid for MLflow, not sent (${first})`);
  }
  const unspillable = total(s.lost) - spilled - rejected;
  if (unspillable > 0)
    out.push(
      `trackbench ${hook} hook: ${unspillable} value(s) were not delivered to MLflow, and they could not be ` +
        `written to a spill file (${s.spillError ?? 'unknown'})`,
    );
  if (s.renamedKeys.length)
    out.push(
      `trackbench ${hook} hook: ${s.renamedKeys.length} key(s) renamed for MLflow (${s.renamedKeys
        .slice(0, 3)
        .map((r) => `${r.original} -> ${r.sent}`)
        .join(', ')})`,
    );
  return out;
}
