// What a situation tells a `command:` target through its environment: Kedro's concurrent runner for the parallel
// situation and the node of the pipeline-error situation's failing hook, never inherited from trackbench's own
// environment or the target's; and a command that does not put the failing hook in makes that situation an
// error, never a pass.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SCENARIOS } from '../src/conformance/scenarios.ts';
import { commandTarget, type RunContext } from '../src/conformance/targets.ts';

const workDir = mkdtempSync(join(tmpdir(), 'tb-command-env-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));
const ctx: RunContext = { trackingUri: 'http://127.0.0.1:9', experimentName: 'e', workDir, setDown: () => {} };
// `env` prints the environment it was given; a target's own env asks for a runner no situation asked for.
const printsEnv = commandTarget('command:env', 'env', 10_000, { TRACKBENCH_RUNNER: 'ThreadRunner:9' });
const lines = (output: string) => output.split('\n').filter((l) => l.startsWith('TRACKBENCH_'));

describe('a command target environment', () => {
  it('names the concurrent runner in the parallel situation only', async () => {
    const parallel = await printsEnv.run(SCENARIOS.parallel, ctx);
    expect(lines(parallel.output)).toContain('TRACKBENCH_RUNNER=ThreadRunner:4');
    const basic = await printsEnv.run(SCENARIOS.basic, ctx);
    expect(lines(basic.output).filter((l) => /RUNNER|HOOK_ERROR/.test(l))).toEqual([]);
  });

  it('names the failing node in the pipeline-error situation; a command that ignores it is an error', async () => {
    const scenario = SCENARIOS['pipeline-error'];
    const node = scenario.pipeline.nodes[scenario.hookErrorAt!]!.name;
    await expect(printsEnv.run(scenario, ctx)).rejects.toThrow(
      `the command did not reach the failing hook at node ${node} (TRACKBENCH_HOOK_ERROR_AT, which ` +
        "trackbench_kedro's runner honours): it exited with code 0",
    );
  });
});
