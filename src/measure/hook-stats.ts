// What an in-process tracking hook says of its own delivery (its `stats()`), read as the user code it is: a getter
// or a Proxy that throws, a `stats()` that throws or returns something other than delivery counts (null, a number,
// NaN, negative or text counts) is this hook's failure, said with its name, never a crash or a garbled trace.
import { messageOf } from '../common/caught.ts';
import { EnvironmentError } from '../errors.ts';
import type { NamedHooks } from '../pipeline/hooks.ts';

/** The part of a hook's DeliveryStats a trace reports. */
export interface ReportedStats {
  /** Tags the hook generated. */
  tags: number;
  /** Values it wrote to its spill file (or, without that figure, lost). */
  spilled: number;
  spillFile?: string;
}

/** The hook's reported stats; undefined when it has no `stats` method (it says nothing of its delivery). */
export function reportedStats({ name, hooks }: NamedHooks): ReportedStats | undefined {
  let problem: string | undefined;
  try {
    // Looked up inside the try: a getter or a Proxy trap may throw.
    const stats: unknown = (hooks as { stats?: unknown }).stats;
    if (typeof stats !== 'function') return undefined;
    const got: unknown = stats.call(hooks);
    const read = countsIn(got);
    if (typeof read !== 'string') return read;
    problem = read;
  } catch (err) {
    throw new EnvironmentError(`hook "${name}" failed in stats(): ${messageOf(err)}`, { cause: err });
  }
  throw new EnvironmentError(`hook "${name}": stats() returned ${problem}, not its delivery counts`);
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && Number(v) >= 0;

/** The counts in what stats() returned, or what is wrong with it. */
function countsIn(got: unknown): ReportedStats | string {
  if (!isObject(got)) return shown(got);
  const { generated, spilled, lost, spillFile } = got;
  const tags = isObject(generated) ? generated.tags : undefined;
  if (!isCount(tags)) return whose('generated.tags', tags);
  const kind = spilled === undefined ? 'lost' : 'spilled';
  const values = spilled ?? lost;
  if (!isObject(values)) return whose(kind, values);
  let total = 0;
  for (const [key, n] of Object.entries(values)) {
    if (!isCount(n)) return whose(`${kind}.${key}`, n);
    total += n;
  }
  if (spillFile !== undefined && typeof spillFile !== 'string') return whose('spillFile', spillFile);
  return { tags, spilled: total, spillFile };
}

const whose = (field: string, v: unknown): string => `an object whose ${field} is ${shown(v)}`;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A value as an error message shows it: its kind, and a primitive's value. */
function shown(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'string') return `string ${JSON.stringify(v.slice(0, 40))}`;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return `${typeof v} ${v}`;
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
