// Provisions the Python environment of every `kind: kedro` hook in the given scenarios (what `run`
// would do on its first trial), and prints each hook's python and installed versions; the last line
// is the python of the last hook (the first with TRACKBENCH_FIRST_ONLY=1). Used by
// `npm run setup:kedro-mlflow` and CI.
import { loadScenarioFile } from '../src/scenario/load.ts';
import { provisionKedro } from '../src/tracking/kedro/environment.ts';
import { scenarioDir } from '../src/tracking/registry.ts';

const files = process.argv.slice(2);
if (!files.length) {
  process.stderr.write('usage: tsx scripts/provision-kedro.ts <scenario.yaml>...\n');
  process.exit(2);
}
let last = '';
for (const file of files) {
  const { scenario } = loadScenarioFile(file);
  for (const hook of scenario.hooks) {
    if (!hook.kedro) continue;
    const env = await provisionKedro(hook.kedro, scenarioDir(scenario.source), hook.label);
    process.stderr.write(`${hook.label}: ${env.venv} ${JSON.stringify(env.versions)}\n`);
    last = env.python;
    // The first kedro hook's python only (CI's pytest run on Kedro 0.19).
    if (process.env.TRACKBENCH_FIRST_ONLY) break;
  }
}
process.stdout.write(`${last}\n`);
