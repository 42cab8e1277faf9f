// What a hook holds at the end of a pipeline run, object kind by object kind. Runs the scenario's
// pipeline in this process with one hook (or none: --without), the mock MLflow in a child process;
// at the point a trial samples its retained memory (after the run, before the hook's afterPipelineRun,
// after four full collections) it writes a heap snapshot. `--diff` compares two snapshots: the self
// size of each kind of object (code, strings, arrays, V8 maps...), with minus without.
//   npx tsx --expose-gc scripts/hook-heap.ts scenarios/scale-5000.yaml --without --snapshot /tmp/a.heapsnapshot
//   npx tsx --expose-gc scripts/hook-heap.ts scenarios/scale-5000.yaml --snapshot /tmp/b.heapsnapshot
//   node --max-old-space-size=4000 --import tsx scripts/hook-heap.ts --diff /tmp/a.heapsnapshot /tmp/b.heapsnapshot
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { generatePipeline } from '../src/pipeline/generate.ts';
import type { NamedHooks } from '../src/pipeline/hooks.ts';
import { runSession } from '../src/pipeline/session.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { resolveHook } from '../src/tracking/registry.ts';
import { startMockProcess } from './mock-process.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    hook: { type: 'string', default: 'reference' },
    without: { type: 'boolean', default: false },
    snapshot: { type: 'string' },
    diff: { type: 'boolean', default: false },
  },
});

interface Snapshot {
  snapshot: { meta: { node_fields: string[]; node_types: [string[]] } };
  nodes: number[];
  strings: string[];
}

/** Self size and count by kind: V8's node type, with the constructor or code name (strings by type only). */
function bySize(file: string): Map<string, [number, number]> {
  // a V8 heap snapshot, as node:v8 writes it
  const s = JSON.parse(readFileSync(file, 'utf8')) as Snapshot;
  const fields = s.snapshot.meta.node_fields;
  const types = s.snapshot.meta.node_types[0];
  const [type, name, size] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f)) as [number, number, number];
  const out = new Map<string, [number, number]>();
  for (let i = 0; i < s.nodes.length; i += fields.length) {
    const t = types[s.nodes[i + type]!]!;
    const label = t.includes('string') ? t : `${t}: ${s.strings[s.nodes[i + name]!]!.slice(0, 50)}`;
    const e = out.get(label) ?? [0, 0];
    e[0] += s.nodes[i + size]!;
    e[1]++;
    out.set(label, e);
  }
  return out;
}

if (values.diff) {
  const [a, b] = positionals.map(bySize);
  if (!a || !b) throw new Error('--diff takes two snapshot files: without, with');
  const rows = [...new Set([...a.keys(), ...b.keys()])].map((k): [string, number, number] => [
    k,
    (b.get(k)?.[0] ?? 0) - (a.get(k)?.[0] ?? 0),
    (b.get(k)?.[1] ?? 0) - (a.get(k)?.[1] ?? 0),
  ]);
  rows.sort((x, y) => y[1] - x[1]);
  console.log(`total ${(rows.reduce((n, r) => n + r[1], 0) / 1e6).toFixed(2)} MB (with - without)`);
  for (const [k, bytes, count] of rows.slice(0, 15))
    console.log(`${(bytes / 1e3).toFixed(0).padStart(8)} KB ${String(count).padStart(7)} x  ${k}`);
} else {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('run with --expose-gc (npx tsx --expose-gc scripts/hook-heap.ts ...)');
  const { scenario } = loadScenarioFile(positionals[0] ?? 'scenarios/overhead-table.yaml');
  const mock = await startMockProcess();
  try {
    const uri = mock.uri;
    const pipeline = generatePipeline(scenario.pipeline);
    let held = 0;
    const sample = (): void => {
      for (let i = 0; i < 4; i++) gc();
      const m = process.memoryUsage();
      held = m.heapUsed + m.arrayBuffers;
      if (values.snapshot) writeHeapSnapshot(values.snapshot);
    };
    const hooks: NamedHooks[] = [{ name: 'memory', hooks: { afterPipelineRun: sample } }];
    const ref = scenario.hooks.find((h) => h.label === values.hook) ?? {
      name: values.hook,
      label: values.hook,
      options: {},
    };
    if (!values.without) hooks.push(await resolveHook(ref, scenario, { trackingUri: uri, warn: () => {} }));
    await runSession(pipeline, { hooks, runner: scenario.runner });
    console.log(`${values.without ? 'without' : values.hook}: held ${(held / 1e6).toFixed(2)} MB`);
  } finally {
    mock.stop();
  }
}
