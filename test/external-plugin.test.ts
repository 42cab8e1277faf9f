// Measuring an external plugin (a `command:` hook): the command runs the described pipeline in its
// own process with tracking on or off and writes its own probes; API calls come from the request
// log as for every trial. Uses the Python fixture plugin (standard library only).
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { parseProbes, saysInjected } from '../src/measure/command-trial.ts';
import { measure, type Measurement } from '../src/measure/measure.ts';
import { buildReport } from '../src/measure/build-report.ts';
import { reportProblems } from '../src/report/write.ts';
import type { Report } from '../src/measure/report-types.ts';
import type { TraceResult } from '../src/measure/trace.ts';
import { scenarioOf } from './helpers/scenario.ts';
import { measured as measuredMetric } from './helpers/measured.ts';

const NODES = 12;
const PLUGIN = 'command:python3 fixtures/conformance/python_target.py';
const quiet = { out: () => {}, err: () => {}, isTTY: false };

describe('an external plugin measured as a command', () => {
  let m: Measurement;
  let report: Report;
  beforeAll(async () => {
    const scenario = scenarioOf(
      { nodes: NODES, paramsPerNode: { count: 4 }, metricsPerNode: 2, metricSteps: 3 },
      { hooks: [{ name: PLUGIN, label: 'python-fixture' }], trials: { repetitions: 2, warmup: 1 } },
    );
    m = await measure(scenario);
    report = buildReport(scenario, m, false);
  }, 120_000);

  it('runs the command for both variants: tracking off sends nothing, tracking on its exact request pattern', () => {
    const calls = measuredMetric(report.results['python-fixture']!.metrics.apiCalls);
    expect(calls.without.samples).toEqual([0, 0]);
    // After the warm-up created the experiment: get-by-name, runs/create, one log-batch per node
    // (4 params + 6 metric values + 1 node tag fit one batch), runs/update.
    expect(calls.with.samples).toEqual([NODES + 3, NODES + 3]);
  });

  it('reads the probes the process wrote about itself, and counts what the pipeline produced', () => {
    for (const t of m.trials) {
      expect(t.probes.wallMs).toBeGreaterThan(0);
      // A Python interpreter's own resident set is several MB; zero would mean a probe not read.
      expect(t.probes.peakRssBytes).toBeGreaterThan(4 * 1024 * 1024);
      expect(t.probes.startupMs).toBeGreaterThan(0); // its set-up, from the helper's mark() to the run
      expect(t.produced).toEqual({
        params: NODES * 4,
        metrics: NODES * 2 * 3,
        artifacts: 0,
        models: 0,
        nodesRun: NODES,
      });
    }
    expect(reportProblems(JSON.parse(JSON.stringify(report)))).toEqual([]);
  });

  it('counts its params delivered by key and value, as the Python process wrote them', () => {
    expect(report.results['python-fixture']!.values).toMatchObject({
      available: true,
      delivered: { params: NODES * 4, metrics: NODES * 2 * 3 },
      lost: { params: 0, metrics: 0 },
    });
  });
});

describe('memory held by a Python plugin', () => {
  it('a retained 25 MiB within 10% on the memory-held figure (pymalloc + malloc in use after gc)', async () => {
    const retain = 25 * 1024 * 1024;
    const scenario = scenarioOf(
      { nodes: 6, paramsPerNode: { count: 2 }, metricsPerNode: 1 },
      {
        hooks: [{ name: PLUGIN, label: 'retain', env: { TRACKBENCH_FIXTURE_RETAIN_BYTES: String(retain) } }],
        trials: { repetitions: 3, warmup: 1 },
      },
    );
    const held = measuredMetric(
      buildReport(scenario, await measure(scenario), false).results.retain!.metrics.retainedBytes,
    );
    // Each trial's own figure is there (a Python interpreter holds megabytes), and the difference is the known cost.
    expect(Math.min(...held.without.samples)).toBeGreaterThan(1024 * 1024);
    expect(held.overhead.absolute).toBeGreaterThan(retain * 0.9);
    expect(held.overhead.absolute).toBeLessThan(retain * 1.1);
  }, 120_000);
});

describe("a Python plugin's set-up", () => {
  it("is its trials' start-up figure (setupMs), outside the run: a known 0.5 s set-up cost shows there", async () => {
    const setupS = 0.5;
    const scenario = scenarioOf(
      { nodes: 4, paramsPerNode: { count: 1 }, metricsPerNode: 1 },
      {
        hooks: [{ name: PLUGIN, label: 'slow-set-up', env: { TRACKBENCH_FIXTURE_SETUP_S: String(setupS) } }],
        trials: { repetitions: 2, warmup: 0 },
      },
    );
    const metrics = buildReport(scenario, await measure(scenario), false).results['slow-set-up']!.metrics;
    const startup = measuredMetric(metrics.startupMs);
    expect(startup.overhead.absolute).toBeGreaterThan(setupS * 1000 * 0.9);
    // The run's wall time is the run's: far less than the set-up's half second was added to it.
    expect(measuredMetric(metrics.wallMs).overhead.absolute).toBeLessThan(setupS * 1000 * 0.8);
  }, 120_000);
});

describe('a command hook in a failAt scenario', () => {
  it('fails at the node asked, tracking on and off, as a measurement (not a failed trial); else it fails', async () => {
    const scenario = scenarioOf(
      { nodes: 6, paramsPerNode: { count: 2 }, metricsPerNode: 1, failAt: 3 },
      { hooks: [{ name: PLUGIN, label: 'fails-as-asked' }], trials: { repetitions: 2, warmup: 0 } },
    );
    const report = buildReport(scenario, await measure(scenario), false);
    expect(report.results['fails-as-asked']!.metrics.apiCalls).toBeDefined();
    // A command that fails for another reason (here: at once, saying nothing of the node) is a failed trial.
    const other = scenarioOf(
      { nodes: 6, paramsPerNode: { count: 2 }, metricsPerNode: 1, failAt: 3 },
      { hooks: [{ name: 'command:sh -c "echo broken >&2; exit 1"', label: 'broken' }], trials: { repetitions: 1 } },
    );
    const failure = await measure(other).then(
      () => '',
      (err: unknown) => String(err),
    );
    expect(failure).toMatch(
      /TrialFailedError: trial 1 \(without \(broken\), warm-up\) failed: command exited with code 1/,
    );
  }, 120_000);
});

describe('the injected failure, as a command says it', () => {
  it('is its last line naming the node whole: not a longer name, not a line before a hook error', () => {
    const node = 'stage_0.module_0.clean_01';
    expect(
      saysInjected(`log\npipeline failed: RuntimeError: injected failure in node ${node} in run() at n.py:31\n`, node),
    ).toBe(true);
    expect(saysInjected(`injected failure in node ${node}\n`, node)).toBe(true);
    expect(saysInjected(`injected failure in node ${node}0\n`, node)).toBe(false);
    const hookAfter = `Node failed with error: injected failure in node ${node}\npipeline failed: KeyError: 'x'`;
    expect(saysInjected(hookAfter, node)).toBe(false);
  });
});

describe("a command hook's temp files", () => {
  it("go to the trial's own temp folder (TMPDIR), removed with it", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-command-tmp-'));
    const seen = join(dir, 'seen.txt');
    const runs = 'python3 fixtures/conformance/python_target.py';
    const command = `sh -c 'echo "$TMPDIR" >> ${seen}; touch "$TMPDIR/left-behind"; ${runs}'`;
    const scenario = scenarioOf(
      { nodes: 3, paramsPerNode: { count: 1 }, metricsPerNode: 1 },
      { hooks: [{ name: `command:${command}`, label: 'writes-temp' }], trials: { repetitions: 1, warmup: 0 } },
    );
    await measure(scenario);
    const folders = readFileSync(seen, 'utf8').trim().split('\n');
    expect(folders).toHaveLength(2); // with and without
    for (const folder of folders) {
      expect(folder).toMatch(/trackbench-trial-[^/]+$/);
      expect(existsSync(folder)).toBe(false);
    }
  }, 60_000);
});

describe('command hooks: bad input and bad probes', () => {
  it('two external hooks share a scenario, each against its own "without" (its process, tracking off)', async () => {
    const scenario = scenarioOf(
      { nodes: 4, paramsPerNode: { count: 2 }, metricsPerNode: 1 },
      {
        hooks: [
          { name: PLUGIN, label: 'first', env: { TRACKBENCH_FIXTURE_TAG: 'a' } },
          { name: PLUGIN, label: 'second' },
          'noop',
        ],
        trials: { repetitions: 2, warmup: 1 },
      },
    );
    const m = await measure(scenario);
    const r = buildReport(scenario, m, false);
    const measured = m.trials.filter((t) => !t.warmup);
    // Three baselines: the shared one (for noop) and one per external hook, every round.
    expect(
      measured
        .filter((t) => t.hook === null)
        .map((t) => t.baselineOf ?? 'shared')
        .sort(),
    ).toEqual(['first', 'first', 'second', 'second', 'shared', 'shared']);
    expect(r.results.first!.ownBaseline).toBe(true);
    expect(r.results.noop!.ownBaseline).toBeUndefined();
    expect(measuredMetric(r.results.first!.metrics.apiCalls).without.samples).toEqual([0, 0]);
    expect(measuredMetric(r.results.second!.metrics.apiCalls).with.samples).toEqual([4 + 3, 4 + 3]);
    expect(reportProblems(JSON.parse(JSON.stringify(r)))).toEqual([]);
  }, 120_000);

  it('trace runs a command hook in its own process, as a trial, and shows what reached the mock', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tb-cmd-')), 'cmd.yaml');
    // The command runs from the scenario's folder: the fixture by its full path.
    const hook = `command:python3 ${resolve('fixtures/conformance/python_target.py')}`;
    writeFileSync(
      file,
      `name: cmd\npipeline: {nodes: 5, paramsPerNode: {count: 3}, metricsPerNode: 2}\nhooks: ['${hook}']\n`,
    );
    let out = '';
    expect(await main(['trace', file, '--format', 'json'], { ...quiet, out: (t) => void (out += t) })).toBe(0);
    const r = JSON.parse(out) as TraceResult;
    // Steady state (the first run made the experiment): get-by-name, runs/create, a log-batch a node, runs/update.
    expect(r).toMatchObject({ external: true, apiCalls: 8, runs: 1, lost: { params: 0, metrics: 0 } });
    expect(r.byEndpoint).toEqual({
      'experiments/get-by-name': 1,
      'runs/create': 1,
      'runs/log-batch': 5,
      'runs/update': 1,
    });
    expect(r.delivered).toMatchObject({ params: 15, metrics: 10 });
    let text = '';
    expect(await main(['trace', file], { ...quiet, out: (t) => void (text += t) })).toBe(0);
    // The tags it meant to log are its own to know: only those that arrived are shown.
    expect(text).toMatch(/tags\s+-\s+\d+\s+-/);
  });

  it('trace of a command hook that exits 1 mid-run fails (exit 3) with its last lines, never clean', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'tb-cmd-')), 'crash.yaml');
    const crash = "command:echo 'node 3 of 5: boom' >&2; exit 1";
    writeFileSync(file, `name: crash\npipeline: {nodes: 5}\nhooks: ["${crash}"]\n`);
    let err = '';
    expect(await main(['trace', file], { ...quiet, err: (t) => void (err += t) })).toBe(3);
    expect(err).toContain('without writing its probes');
    expect(err).toContain('node 3 of 5: boom');
  });

  it(
    'a command that writes no probes fails the run, naming the file it should have written, and writes no ' + 'report',
    async () => {
      const dir = mkdtempSync(join(tmpdir(), 'tb-cmd-'));
      const out = join(dir, 'reports');
      writeFileSync(
        join(dir, 'silent.yaml'),
        `name: silent\npipeline: {nodes: 3}\nhooks: ['command:echo starting; exit 3']\ntrials: {repetitions: 1, ` +
          `warmup: 0}\n`,
      );
      let err = '';
      expect(
        await main(['run', join(dir, 'silent.yaml'), '--out', out], { ...quiet, err: (t) => void (err += t) }),
      ).toBe(3);
      expect(err).toContain('command exited with code 3 without writing its probes to TRACKBENCH_PROBES_FILE');
      expect(err).toContain('starting');
      expect(existsSync(out)).toBe(false); // --out is checked up front, made when a report is written
    },
  );

  it('probes must be a JSON object of numbers >= 0; disk and memory-held figures may be null or left out', () => {
    const ok = parseProbes(
      '{"wallMs": 5, "cpuMs": 4, "peakRssBytes": 1e7, "diskWriteBytes": null, "writeBytes": 10}',
      'x',
    );
    expect(ok).toEqual({
      wallMs: 5,
      cpuMs: 4,
      peakRssBytes: 1e7,
      diskWriteBytes: null,
      writeBytes: 10,
      retainedBytes: null,
      startupMs: null, // no setupMs (an older helper): start-up not measured
    });
    const held = '{"wallMs": 5, "cpuMs": 4, "peakRssBytes": 1e7, "diskWriteBytes": 1, "writeBytes": 1, ';
    expect(parseProbes(`${held}"retainedBytes": 3e6}`, 'x').retainedBytes).toBe(3e6);
    // The set-up the command measured before its run is the trial's start-up figure, as a Node trial's.
    expect(parseProbes(`${held}"setupMs": 850.5}`, 'x').startupMs).toBe(850.5);
    expect(parseProbes(`${held}"setupMs": null}`, 'x').startupMs).toBeNull();
    expect(() => parseProbes(`${held}"setupMs": "1"}`, 'x')).toThrow(/setupMs = "1", not a number >= 0/);
    expect(() => parseProbes(`${held}"retainedBytes": -2}`, 'x')).toThrow(/retainedBytes = -2, not a number >= 0/);
    expect(() => parseProbes('{"wallMs": 5', 'my-plugin')).toThrow(/probes written by `my-plugin` are not JSON/);
    expect(() => parseProbes('[1]', 'x')).toThrow(/not a JSON object/);
    expect(() => parseProbes('{"wallMs": -1, "cpuMs": 4, "peakRssBytes": 1}', 'x')).toThrow(
      /wallMs = -1, not a number >= 0/,
    );
    expect(() => parseProbes('{"wallMs": 1, "cpuMs": 4}', 'x')).toThrow(/peakRssBytes = undefined/);
  });
});
