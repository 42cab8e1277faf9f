// The instruction-count instrument: dumps are read per mark, a missing Valgrind is "unavailable"
// with the reason (never zero), and a fixed extra computation per node is recovered within 1% of
// the same computation counted alone. The last needs Valgrind (installed by .ci/run) and minutes.
import { execFileSync, fork } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  allocatorInstructions,
  callgrindArgs,
  countedProbes,
  countedTimeoutEnv,
  DETERMINISTIC_V8_FLAGS,
  findValgrind,
  readDumps,
} from '../src/measure/instrument.ts';
import { measure } from '../src/measure/measure.ts';
import { TRIAL_WORKER } from '../src/measure/run-trial.ts';
import { ITERATIONS_PER_MS } from '../src/pipeline/work.ts';
import { buildReport } from '../src/measure/build-report.ts';
import { measured } from './helpers/measured.ts';
import { scenarioOf } from './helpers/scenario.ts';

const dump = (total: number): string => `version: 1\ncmd: node\nevents: Ir\ntotals: ${total}\n`;

describe('callgrind dumps', () => {
  it('reads hook set-up and the run from the dumps between the marks', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-cg-'));
    writeFileSync(join(dir, 'cg.7.1'), dump(500));
    writeFileSync(join(dir, 'cg.7.2'), dump(20));
    writeFileSync(join(dir, 'cg.7.3'), `${dump(3000)}fn=(1) run\n1 2900\ncfn=(2) malloc\ncalls=1 0\n2 100\n`);
    writeFileSync(join(dir, 'cg.7'), dump(9));
    expect(readDumps(dir)).toEqual({ setupInstructions: 20, instructions: 2900, allocatorInstructions: 100 });
  });

  it("counts the run's instructions in the C allocator apart: calls into it from outside, each once", () => {
    // Name compression as callgrind writes it: "(id) name" the first time, "(id)" after.
    const lines = [
      'positions: line',
      'events: Ir',
      'totals: 2000',
      'fn=(1) main',
      '10 100',
      'cfn=(2) malloc',
      'calls=2 5',
      '12 300',
      'cfn=(3) uv_run',
      'calls=1 0',
      '13 900',
      'fn=(2)',
      '5 40',
      'cfn=(4) _int_malloc.constprop.0',
      'calls=2 0',
      '6 260',
      'fn=(3)',
      '0 50',
      "cfn=(5) free'2",
      'calls=1 0',
      '1 60',
      'cfn=(6) node::Environment::allocate_managed_buffer(unsigned long)',
      'calls=1 0',
      '2 700',
      'fn=(6)',
      '0 620',
      'cfn=(2)',
      'calls=1 0',
      '3 80',
    ];
    // 300 (main -> malloc) + 80 (a function named "allocate" -> malloc); _int_malloc's 260 is inside malloc's
    // 300, and free'2 (recursion: an outer free is running) inside that outer call.
    expect(allocatorInstructions(lines.join('\n'))).toBe(380);
    // With instruction addresses as well as lines, the cost is the third field; with two events, Ir's column.
    const withInstr = lines.map((l) =>
      /^\d/.test(l) ? `0x1 ${l} 7` : l.replace('positions: line', 'positions: instr line'),
    );
    expect(allocatorInstructions(withInstr.join('\n').replace('events: Ir', 'events: Ir Dr'))).toBe(380);
    const irSecond = lines.map((l) => (/^\d/.test(l) ? l.replace(' ', ' 7 ') : l));
    expect(allocatorInstructions(irSecond.join('\n').replace('events: Ir', 'events: Dr Ir'))).toBe(380);
    // A name first given on a jump line (--collect-jumps) is known later by its id.
    const jumped = ['events: Ir', 'fn=(1) main', 'jfn=(2) malloc', 'jump=1 0', 'cfn=(2)', 'calls=1 0', '1 90'];
    expect(allocatorInstructions(jumped.join('\n'))).toBe(90);
    // Without an Ir event a call into the allocator cannot be read: null, never 0.
    expect(allocatorInstructions(lines.join('\n').replace('events: Ir', 'events: Dr'))).toBeNull();
  });

  it('says why when the marks do not line up, instead of giving a number', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-cg-'));
    writeFileSync(join(dir, 'cg.7.1'), dump(500));
    const read = readDumps(dir);
    expect('unavailable' in read && read.unavailable).toMatch(/^expected 3 callgrind dumps/);
  });

  it('reads the one process that marks (a shell and a pyenv shim before it do not), and a run marked alone', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-cg-'));
    writeFileSync(join(dir, 'cg.5'), dump(77));
    writeFileSync(join(dir, 'cg.9.1'), dump(500));
    writeFileSync(join(dir, 'cg.9.2'), dump(3000));
    writeFileSync(join(dir, 'cg.9'), dump(9));
    const read = readDumps(dir);
    expect('instructions' in read && [read.setupInstructions, read.instructions]).toEqual([null, 3000]);
    expect('instructions' in read && read.setupUnavailable).toMatch(/marks its run only/);
  });

  it('says why when no process marks, or several do', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-cg-'));
    writeFileSync(join(dir, 'cg.5'), dump(77));
    const none = readDumps(dir);
    expect('unavailable' in none && none.unavailable).toMatch(/^no process of the trial marked its phases/);
    for (const pid of [6, 7]) for (const n of [1, 2, 3]) writeFileSync(join(dir, `cg.${pid}.${n}`), dump(n));
    const two = readDumps(dir);
    expect('unavailable' in two && two.unavailable).toMatch(/^2 processes of the trial called getpriority/);
  });

  it('without Valgrind the instrument is unavailable, and says why', () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const found = findValgrind();
      expect('unavailable' in found && found.unavailable).toMatch(/^valgrind is not installed/);
    } finally {
      process.env.PATH = path;
    }
  });
});

describe('a trial process', () => {
  // Each tick of a timer runs JavaScript wherever it falls: under Valgrind as many ticks as a phase
  // lasted seconds were counted, more on a loaded machine (and allocations that moved collections).
  it('starts no timer, and stops as on SIGHUP (129) when its parent goes (its IPC channel closes)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-trial-timers-'));
    const preload = join(dir, 'count-timers.mjs');
    const counted = join(dir, 'timers');
    // Counts the timers the worker creates; says "ready" once the worker watches its channel.
    writeFileSync(
      preload,
      `import { createHook } from 'node:async_hooks';
import { writeFileSync } from 'node:fs';
let timers = 0;
createHook({ init: (_id, type) => { if (type === 'Timeout') timers++; } }).enable();
process.on('newListener', (event) => { if (event === 'disconnect') setImmediate(() => process.send('ready')); });
process.on('exit', () => writeFileSync(${JSON.stringify(counted)}, String(timers)));
`,
    );
    const child = fork(TRIAL_WORKER, [], {
      execArgv: ['--import', pathToFileURL(preload).href],
      stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    });
    const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.once('message', () => child.disconnect());
    expect(await exit).toBe(129);
    expect(readFileSync(counted, 'utf8')).toBe('0');
  }, 60_000);
});

describe("a counted trial's Node flags", () => {
  // A flag Node does not accept would fail every counted trial before its first mark.
  it('are all accepted by this Node, and leave no forced-collection figure to be counted', () => {
    const out = execFileSync(process.execPath, [...DETERMINISTIC_V8_FLAGS, '-e', 'process.stdout.write("ok")'], {
      encoding: 'utf8',
    });
    expect(out).toBe('ok');
    expect(countedProbes({ instructions: 7, setupInstructions: 3 })).toMatchObject({
      instructions: 7,
      setupInstructions: 3,
      retainedBytes: null,
    });
  });
});

describe("a counted trial's time limits", () => {
  it("are the trial's own, so no request or hook-call timer fires while it is counted", () => {
    expect(countedTimeoutEnv(36_000_000, {})).toEqual({
      MLFLOW_HTTP_REQUEST_TIMEOUT: '36000',
      TRACKBENCH_HOOK_TIMEOUT_MS: '36000000',
    });
  });

  it('stay within what a Node timer takes, and keep limits set explicitly', () => {
    expect(countedTimeoutEnv(1e12, {}).TRACKBENCH_HOOK_TIMEOUT_MS).toBe(String(2 ** 31 - 1));
    const set = { MLFLOW_HTTP_REQUEST_TIMEOUT: '5', TRACKBENCH_HOOK_TIMEOUT_MS: '7000' };
    expect(countedTimeoutEnv(36_000_000, set)).toEqual(set);
  });
});

const valgrind = findValgrind();
// 400,000 loop iterations a node (ITERATIONS_PER_MS 4,000).
const PER_NODE_MS = 100;
const NODES = 3;

describe.skipIf(!('path' in valgrind))('instruction counts under Valgrind', () => {
  it('recovers a fixed extra computation per node within 1% of the same computation counted alone', async () => {
    const scenario = scenarioOf(
      {
        nodes: NODES,
        topology: { kind: 'chain' },
        paramsPerNode: { count: 1 },
        metricsPerNode: 1,
        work: { cpuMs: 1, ioBytes: 0, allocBytes: 0 },
      },
      {
        hooks: [
          { name: 'calibration', label: 'base', options: {} },
          { name: 'calibration', label: 'spin', options: { cpuMsPerNode: PER_NODE_MS } },
        ],
        trials: { repetitions: 1, warmup: 0, quickRepetitions: 1, timeoutMs: 60_000 },
      },
    );
    const report = buildReport(scenario, await measure(scenario, { instrument: 'cpu-sim' }), false);
    // The same hook with and without the extra computation: the difference is the computation alone
    // (hook dispatch and the hook's own code cancel out).
    const hook =
      measured(report.results.spin!.metrics.instructions).with.median -
      measured(report.results.base!.metrics.instructions).with.median;
    // The allocator's share was read from the real dumps (the names matched): more than nothing, a few % at most.
    const allocator = measured(report.results.base!.metrics.allocatorInstructions).with.median;
    const run = measured(report.results.base!.metrics.instructions).with.median;
    expect(allocator).toBeGreaterThan(0);
    expect(allocator / run).toBeLessThan(0.1);
    // The same loop, called as often with the same count, between the same marks, counted alone.
    const dir = mkdtempSync(join(tmpdir(), 'tb-cg-alone-'));
    const script = join(dir, 'alone.mjs');
    writeFileSync(
      script,
      `import { getPriority } from 'node:os';
function spin(n) {
  let acc = 0;
  for (let i = 0; i < n; i++) acc = (acc * 1103515245 + 12345 + i) % 2147483647;
  return acc;
}
getPriority(); getPriority(); let x = 0;
for (let k = 0; k < ${NODES}; k++) x += spin(${PER_NODE_MS * ITERATIONS_PER_MS});
getPriority(); if (x === 0.5) console.log(x);
`,
    );
    const valgrindPath = 'path' in valgrind ? valgrind.path : '';
    execFileSync(valgrindPath, [...callgrindArgs(dir), process.execPath, ...DETERMINISTIC_V8_FLAGS, script], {
      stdio: 'ignore',
    });
    const alone = readDumps(dir);
    if ('unavailable' in alone) throw new Error(alone.unavailable);
    expect(Math.abs(hook - alone.instructions) / alone.instructions).toBeLessThan(0.01);
  }, 1_800_000);
});
