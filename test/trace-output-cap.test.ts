// `trace` runs the hook in its own process: what the hook prints is passed on up to 4 MiB over the command (as
// conformance does), said once, and trackbench's own lines still come through after the cut.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/trackbench.js', import.meta.url));
const SCENARIO =
  'name: loud\npipeline: {nodes: 3, paramsPerNode: {count: 1}, metricsPerNode: 1, work: {cpuMs: 0, ioBytes: 0}}\n' +
  'hooks: ["module:./loud.mjs"]\ntrials: {repetitions: 1, warmup: 0, quickRepetitions: 1}\n';
// 3 MiB in each of three ways, at every node: 27 MiB a run, and trace runs the pipeline twice.
const LOUD =
  'const mib3 = "x".repeat(3 << 20);\n' +
  'export default () => ({ beforeNodeRun() { process.stderr.write(mib3); process.stdout.write(mib3); ' +
  'console.log(mib3); } });\n';

it('trace passes on at most 4 MiB of what the hook prints, said once', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-loud-'));
  writeFileSync(join(dir, 'loud.mjs'), LOUD);
  writeFileSync(join(dir, 's.yaml'), SCENARIO);
  const res = spawnSync(process.execPath, [BIN, 'trace', join(dir, 's.yaml')], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  expect(res.stderr.length).toBeLessThan((4 << 20) + 4096);
  expect(res.stderr.match(/hooks' output shown up to 4194304 characters/g)).toHaveLength(1);
  // The hook logs nothing: trace's own verdict comes through after the cut.
  expect(res.stderr).toContain('trace: lost 3 of 3 params');
  expect(res.status).toBe(1);
  expect(res.stdout).toContain('hook module:./loud.mjs:');
}, 60_000);
