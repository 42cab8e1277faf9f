// Runs one target's pipeline in a process of its own (spawned by host-exit.ts), then returns from
// main without calling process.exit: if the hook left a timer, socket or server open, the process
// does not exit by itself, and the parent sees it.
import { SERVER_LINE } from './types.ts';
import { SCENARIOS } from './scenarios.ts';
import { parseTarget } from './targets.ts';
import type { ScenarioId } from './types.ts';

const [spec, optionsJson, trackingUri, experimentName, workDir, situation] = process.argv.slice(2);
const target = parseTarget(spec!, JSON.parse(optionsJson!) as Record<string, unknown>);
await target.load?.();
// The parent passes one of the suite's own situation ids.
await target.run(SCENARIOS[situation as ScenarioId], {
  trackingUri: trackingUri!,
  experimentName: experimentName!,
  workDir: workDir!,
  // The parent owns the server: it reads these lines.
  setDown: (down) => void process.stdout.write(`${down ? SERVER_LINE.down : SERVER_LINE.up}\n`),
});
process.stdout.write('trackbench: pipeline done\n');
