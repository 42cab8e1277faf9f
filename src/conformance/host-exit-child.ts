// Runs one target's pipeline in a process of its own (spawned by host-exit.ts), then returns from
// main without calling process.exit: if the hook left a timer, socket or server open, the process
// does not exit by itself, and the parent sees it.
import { SCENARIOS } from './scenarios.ts';
import { parseTarget } from './targets.ts';

const [spec, optionsJson, trackingUri, experimentName, workDir] = process.argv.slice(2);
const target = parseTarget(spec!, JSON.parse(optionsJson!) as Record<string, unknown>);
await target.load?.();
await target.run(SCENARIOS.basic, {
  trackingUri: trackingUri!,
  experimentName: experimentName!,
  workDir: workDir!,
  setDown: () => {},
});
process.stdout.write('trackbench: pipeline done\n');
