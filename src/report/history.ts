// The history store: one line per measured run, keyed by commit and time, kept in git. A file
// (JSONL, lines sorted by time, so `merge=union` merges concurrent appends) or a folder (one small
// file per run, so branches never touch the same file). Keys are written in a fixed order.
import { existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BUILTIN_OBJECT_KEYS } from '../common/object-keys.ts';
import { InputError } from '../errors.ts';
import { MAX_JSON_INPUT_BYTES, readInput } from '../common/read-input.ts';
import { parseJsonAt } from '../common/read-json.ts';
import { safeFileName } from '../common/file-names.ts';
import type { GateDocument } from './gate.ts';
import type { Report } from '../measure/report-types.ts';
import { writeAtomic } from './write.ts';

export interface HookFigures {
  wallMsPerNode: number | null;
  wallOverhead: number | null;
  wallOverheadCi95: [number, number] | null;
  apiCalls: number | null;
  apiCallsPerNode: number | null;
  requestBytes: number | null;
}

export interface HistoryEntry {
  commit: string;
  time: string;
  ref: string | null;
  scenario: string;
  nodes: number;
  /** The gate's verdict for this run, when it was gated. */
  gate: 'pass' | 'fail' | null;
  hooks: Record<string, HookFigures>;
}

export function entryOf(
  source: Report | GateDocument,
  key: { commit: string; time?: string; ref: string | null; gate?: 'pass' | 'fail' },
): HistoryEntry {
  const report = source.kind === 'trackbench-gate' ? source.current : source;
  const gate = key.gate ?? (source.kind === 'trackbench-gate' ? source.gate.verdict : null);
  const hooks: Record<string, HookFigures> = {};
  for (const hook of Object.keys(report.results).sort()) {
    const m = report.results[hook]!.metrics;
    hooks[hook] = {
      wallMsPerNode: m.wallMs.available ? m.wallMs.overhead.perNode : null,
      wallOverhead: m.wallMs.available ? m.wallMs.overhead.ratio : null,
      wallOverheadCi95: m.wallMs.available ? m.wallMs.overhead.ci95 : null,
      apiCalls: m.apiCalls.available ? m.apiCalls.with.median : null,
      apiCallsPerNode: m.apiCalls.available ? m.apiCalls.overhead.perNode : null,
      requestBytes: m.requestBytes.available ? m.requestBytes.with.median : null,
    };
  }
  return {
    commit: key.commit,
    time: key.time ?? report.createdAt,
    ref: key.ref,
    scenario: report.scenario.name,
    nodes: report.nodes,
    gate,
    hooks,
  };
}

/** Fixed key order, one line: the same entry always serialises to the same bytes. */
export function entryLine(e: HistoryEntry): string {
  return JSON.stringify({
    commit: e.commit,
    time: e.time,
    ref: e.ref,
    scenario: e.scenario,
    nodes: e.nodes,
    gate: e.gate,
    hooks: Object.fromEntries(
      Object.keys(e.hooks)
        .sort()
        .map((h) => {
          const f = e.hooks[h]!;
          return [
            h,
            {
              wallMsPerNode: f.wallMsPerNode,
              wallOverhead: f.wallOverhead,
              wallOverheadCi95: f.wallOverheadCi95,
              apiCalls: f.apiCalls,
              apiCallsPerNode: f.apiCallsPerNode,
              requestBytes: f.requestBytes,
            },
          ];
        }),
    ),
  });
}

const order = (a: HistoryEntry, b: HistoryEntry): number =>
  a.time.localeCompare(b.time) || a.commit.localeCompare(b.commit) || a.scenario.localeCompare(b.scenario);

const sameRun = (a: HistoryEntry, b: HistoryEntry): boolean =>
  a.commit === b.commit && a.time === b.time && a.scenario === b.scenario;

/** A folder unless the path names a .jsonl/.json file or an existing file. */
export function isFileStore(store: string): boolean {
  return existsSync(store) ? statSync(store).isFile() : /\.jsonl?$/i.test(store);
}

function parseEntry(text: string, file: string, line: number): HistoryEntry {
  const data = parseJsonAt(text, { file, line }, 'not a JSON history entry'); // a folder's file may span lines
  const e = (data ?? {}) as Partial<HistoryEntry>; // a line `null` has no fields (reading one failed: exit 3)
  const ok =
    typeof e.commit === 'string' &&
    typeof e.time === 'string' &&
    typeof e.scenario === 'string' &&
    typeof e.nodes === 'number' &&
    (e.gate === null || e.gate === 'pass' || e.gate === 'fail') &&
    typeof e.hooks === 'object' &&
    e.hooks !== null;
  if (!ok)
    throw new InputError([
      { file, line, col: 1, message: 'not a history entry (needs commit, time, scenario, nodes, gate, hooks)' },
    ]);
  const problem = entryProblem(e as HistoryEntry); // the fields checked above
  if (problem) throw new InputError([{ file, line, col: 1, message: `not a history entry: ${problem}` }]);
  return e as HistoryEntry; // every required field checked above
}

const FIGURES = ['wallMsPerNode', 'wallOverhead', 'apiCalls', 'apiCallsPerNode', 'requestBytes'] as const;
const isFigure = (v: unknown): boolean =>
  v === null || v === undefined || (typeof v === 'number' && Number.isFinite(v));

/** What is wrong with an entry's values (a hand-edited line): drawn as they are, they must be what they say. */
function entryProblem(e: HistoryEntry): string | undefined {
  if (!Number.isInteger(e.nodes) || e.nodes < 1) return `nodes must be a whole number above 0; got ${e.nodes}`;
  if (Number.isNaN(Date.parse(e.time)) || !/^\d{4}-\d\d-\d\dT/.test(e.time)) return 'time must be an ISO date and time';
  if (e.ref !== undefined && e.ref !== null && typeof e.ref !== 'string') return 'ref must be text or null';
  for (const [hook, f] of Object.entries(e.hooks)) {
    if (BUILTIN_OBJECT_KEYS.has(hook)) return `the hook "${hook}" is the name of a built-in object property`;
    if (typeof f !== 'object' || f === null || Array.isArray(f)) return `hooks.${hook} must be an object of figures`;
    const bad = FIGURES.find((k) => !isFigure((f as unknown as Record<string, unknown>)[k]));
    if (bad) return `hooks.${hook}.${bad} must be a number or null`;
    const ci = f.wallOverheadCi95;
    if (ci !== null && ci !== undefined && !(Array.isArray(ci) && ci.length === 2 && ci.every(isFigure)))
      return `hooks.${hook}.wallOverheadCi95 must be two numbers or null`;
  }
  return undefined;
}

export function readStore(store: string): HistoryEntry[] {
  if (!existsSync(store)) return [];
  if (isFileStore(store))
    return readInput(store, MAX_JSON_INPUT_BYTES)
      .split('\n')
      .map((text, i) => ({ text, line: i + 1 }))
      .filter((l) => l.text.trim())
      .map((l) => parseEntry(l.text, store, l.line))
      .sort(order);
  return readdirSync(store)
    .filter((f) => f.endsWith('.json'))
    .map((f) => parseEntry(readInput(join(store, f), MAX_JSON_INPUT_BYTES), join(store, f), 1))
    .sort(order);
}

const safe = (s: string): string => s.replace(/[^A-Za-z0-9._-]+/g, '-');

/** Adds the entry unless the store has it already; returns whether it was added. */
export function addToStore(store: string, entry: HistoryEntry): { added: boolean; where: string } {
  const entries = readStore(store);
  if (entries.some((e) => sameRun(e, entry))) return { added: false, where: store };
  if (isFileStore(store)) {
    mkdirSync(dirname(store), { recursive: true });
    const lines = [...entries, entry].sort(order).map(entryLine);
    writeAtomic(store, `${lines.join('\n')}\n`);
    return { added: true, where: store };
  }
  mkdirSync(store, { recursive: true });
  // shortened as report names are: a 300-character scenario name failed at write time (ENAMETOOLONG, exit 3)
  const name = safeFileName(safe(entry.scenario));
  const file = join(store, `${safe(entry.time)}_${safe(entry.commit.slice(0, 12))}_${name}.json`);
  writeAtomic(file, `${entryLine(entry)}\n`);
  return { added: true, where: file };
}

export function scenarioNames(entries: HistoryEntry[]): string[] {
  return [...new Set(entries.map((e) => e.scenario))].sort();
}
