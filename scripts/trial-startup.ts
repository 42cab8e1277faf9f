// Per-trial start-up cost, for the notes: N `without` trials of a scenario, each timed from the
// moment its process is started to the moment its reply has arrived (and the process has exited),
// with the trial's own peak RSS. Start-up = that time minus the pipeline's own wall time.
// Run: npx tsx scripts/trial-startup.ts scenarios/overhead-table.yaml --trials 20
import { performance } from 'node:perf_hooks';
import { runTrialProcess } from '../src/measure/run-trial.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';

const file = process.argv[2] ?? 'scenarios/overhead-table.yaml';
const at = process.argv.indexOf('--trials');
const trials = at > 0 ? Number(process.argv[at + 1]) : 20;
const { scenario } = loadScenarioFile(file);

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const total: number[] = [];
const startup: number[] = [];
const rss: number[] = [];
for (let i = 0; i < trials; i++) {
  const t0 = performance.now();
  // The without variant talks to no server; the URI is never used.
  const reply = await runTrialProcess(
    { scenario, variant: { kind: 'without' }, trackingUri: 'http://127.0.0.1:9' },
    60_000,
  );
  const ms = performance.now() - t0;
  if (!reply.ok || !reply.probes) throw new Error(`trial ${i} failed: ${reply.error ?? 'no probes'}`);
  total.push(ms);
  startup.push(ms - reply.probes.wallMs);
  rss.push(reply.probes.peakRssBytes);
}
const fmt = (x: number): string => x.toFixed(1);
console.log(`${trials} without trials of ${file}`);
console.log(`process start -> reply, median: ${fmt(median(total))} ms (min ${fmt(Math.min(...total))})`);
console.log(`start-up (that minus the pipeline's wall time), median: ${fmt(median(startup))} ms`);
console.log(`peak RSS of a without trial, median: ${fmt(median(rss) / 1e6)} MB (min ${fmt(Math.min(...rss) / 1e6)})`);
