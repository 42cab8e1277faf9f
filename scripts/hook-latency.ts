// How long each hook method call holds the pipeline, as the runner sees it: the scenario's pipeline
// run in this process with one hook, every call timed from the runner's call to the hook's return
// (or to the settling of the promise it returned), the mock MLflow in a child process as in a trial.
// Prints median, p99 and max per method: for the first run (a fresh process: code compiled on first
// use) and for the later runs together (warm). Timing only: this machine's load shows in the figures.
// `npx tsx scripts/hook-latency.ts [scenario] [--hook reference] [--runs 6]`
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { generatePipeline } from '../src/pipeline/generate.ts';
import type { HookMethod, Hooks } from '../src/pipeline/hooks.ts';
import { runSession } from '../src/pipeline/session.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { resolveHook } from '../src/tracking/registry.ts';
import { startMockProcess } from './mock-process.ts';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { runs: { type: 'string', default: '6' }, hook: { type: 'string', default: 'reference' } },
});
const { scenario } = loadScenarioFile(positionals[0] ?? 'scenarios/overhead-table.yaml');
const ref = scenario.hooks.find((h) => h.label === values.hook) ?? {
  name: values.hook,
  label: values.hook,
  options: {},
};
const runs = Number(values.runs);

const mock = await startMockProcess();
const uri = mock.uri;

/** The same hooks, each method call's duration (µs) added to `samples` under its method name. */
function timed(hooks: Hooks, samples: Map<string, number[]>): Hooks {
  const out: Record<string, unknown> = {};
  for (const [name, fn] of Object.entries(hooks)) {
    if (typeof fn !== 'function') {
      out[name] = fn;
      continue;
    }
    const list = samples.get(name) ?? [];
    samples.set(name, list);
    out[name] = (...args: unknown[]): unknown => {
      const t0 = performance.now();
      // a hook method as registered: called with the runner's arguments
      const result: unknown = (fn as (...a: unknown[]) => unknown).apply(hooks, args);
      if (!(result instanceof Promise)) {
        list.push((performance.now() - t0) * 1000);
        return result;
      }
      return result.finally(() => list.push((performance.now() - t0) * 1000));
    };
  }
  // every method of `hooks`, wrapped (any other field copied as it is)
  return out;
}

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] ?? NaN;
};

const cold = new Map<string, number[]>();
const warm = new Map<string, number[]>();
try {
  for (let i = 0; i < runs; i++) {
    const pipeline = generatePipeline(scenario.pipeline);
    const { name, hooks } = await resolveHook(ref, scenario, { trackingUri: uri, warn: () => {} });
    await runSession(pipeline, {
      hooks: [{ name, hooks: timed(hooks, i === 0 ? cold : warm) }],
      runner: scenario.runner,
    });
  }
} finally {
  mock.stop();
}
const methods: HookMethod[] = ['beforeNodeRun', 'afterNodeRun', 'afterDatasetSaved'];
for (const [label, samples] of [
  ['first run', cold],
  [`runs 2-${runs}`, warm],
] as const) {
  for (const m of methods) {
    const xs = samples.get(m);
    if (!xs?.length) continue;
    const f = (x: number): string => x.toFixed(1);
    console.log(
      `${label.padEnd(10)} ${m.padEnd(18)} calls ${String(xs.length).padStart(6)}  median ${f(quantile(xs, 0.5))} µs` +
        `  p99 ${f(quantile(xs, 0.99))} µs  max ${f(quantile(xs, 1))} µs`,
    );
  }
}
