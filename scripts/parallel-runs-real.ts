// The conformance suite's `parallel` situation (16 nodes, 4 at a time, a child run per node) against one real
// MLflow, again and again, with the reference hook sending at most `--parallel-runs` child runs' requests at once
// (mlflow.yml allows 1 to 8; more is set here past the schema, to show why it stops at 8). Prints, per try, the
// runs left unfinished and the answers that were not 2xx (MLflow's SQL store answers 400 "QueuePool limit ...
// reached" after 30 s when its connection pool is exhausted). Needs `npm run setup:container` or
// `npm run setup:mlflow`.
// `npx tsx scripts/parallel-runs-real.ts [--backend container|local] [--tries 10] [--parallel-runs 8]`
import { parseArgs } from 'node:util';
import { conformanceBackend } from '../src/conformance/backend.ts';
import { observe } from '../src/conformance/observe.ts';
import { SCENARIOS } from '../src/conformance/scenarios.ts';
import { factoryTarget } from '../src/conformance/targets.ts';
import { createReferenceHook } from '../src/tracking/builtin/reference.ts';
import { trackingConfigFor } from '../src/tracking/registry.ts';

const { values } = parseArgs({
  options: {
    backend: { type: 'string', default: 'container' },
    tries: { type: 'string', default: '10' },
    'parallel-runs': { type: 'string', default: '8' },
  },
});
const kind = values.backend === 'local' ? 'local' : 'container';
const parallelRuns = Number(values['parallel-runs']);
const options = { mlflow: { trackbench: { childRunPerNode: true } } };
const target = factoryTarget(
  'reference',
  (opts, ctx) => {
    const config = trackingConfigFor(opts, ctx);
    config.trackbench.parallelRuns = parallelRuns;
    return createReferenceHook(config, ctx);
  },
  options,
  true,
);
const backend = conformanceBackend(kind);
let lost = 0;
try {
  for (let i = 0; i < Number(values.tries); i++) {
    const opened = await backend.open(SCENARIOS.parallel);
    if (!opened) throw new Error(backend.skipReason);
    const started = performance.now();
    const o = await observe(target, SCENARIOS.parallel, opened);
    const unfinished = o.runs.filter((r) => r.run.info.status !== 'FINISHED').length;
    // Lookups of what does not exist yet (the experiment, a registered model) are expected 404s.
    const refused = o.requests.filter((r) => r.status >= 400 && r.status !== 404);
    if (unfinished || refused.length) lost++;
    const why = refused[0]?.error ? `, e.g. ${refused[0].endpoint} ${refused[0].status}: ${refused[0].error}` : '';
    console.log(
      `try ${i + 1}: ${Math.round(performance.now() - started)} ms, ${o.runs.length} runs, ${unfinished} ` +
        `unfinished, ${refused.length} of ${o.requests.length} requests refused${why.slice(0, 160)}`,
    );
  }
} finally {
  await backend.close();
}
console.log(`parallelRuns ${parallelRuns} against ${kind}: ${lost} of ${values.tries} tries lost values`);
