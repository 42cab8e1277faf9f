import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  completedBeforeFailure,
  doneNodes,
  readNodeWindows,
  readRunFacts,
  readStartedNodes,
  splitPipelineRuns,
} from '../src/conformance/ran-order.ts';
import { SCENARIOS } from '../src/conformance/scenarios.ts';
import { commandTarget } from '../src/conformance/targets.ts';

const pipeline = SCENARIOS['node-failure'].pipeline;
const names = pipeline.nodes.map((n) => n.name);
const failing = pipeline.nodes.findIndex((n) => n.fails);

describe('nodes a command completed before its pipeline failed', () => {
  it('are the nodes it says started before the failing one, in its own order', () => {
    // Kedro's order: the failing node's level sorted by name runs it before a lower-index sibling.
    const started = [...names.slice(0, failing - 1), names[failing]!];
    const run = completedBeforeFailure(pipeline, started);
    expect(run.completedNodes).toEqual(names.slice(0, failing - 1));
    expect(run.completedNodes).not.toContain(names[failing - 1]);
    expect(run.failedNode).toBe(names[failing]);
  });

  it('are the nodes before the failing one in index order when the command says nothing', () => {
    expect(completedBeforeFailure(pipeline).completedNodes).toEqual(names.slice(0, failing));
  });

  it('are all it started when the failing node never started, and only names of the pipeline', () => {
    const run = completedBeforeFailure(pipeline, [names[0]!, 'not-a-node', names[1]!]);
    expect(run.completedNodes).toEqual([names[0], names[1]]);
  });

  it('name no failed node when no node fails', () => {
    expect(completedBeforeFailure(SCENARIOS.basic.pipeline, names)).toEqual({ completedNodes: [] });
  });
});

describe('when a command says its nodes started', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-nodes-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let files = 0;
  const file = (text: string): string => {
    const path = join(dir, `nodes-${++files}.txt`);
    writeFileSync(path, text);
    return path;
  };

  // What an interrupted situation counts as done: where child runs may truthfully say FINISHED.
  it('counts a node done by its end line, even when no later node has started yet (its outputs being saved)', () => {
    const t = 1796500000000;
    const ended = file(`${names[0]}\t${t}\t${t + 5}\n${names[1]}\t${t + 6}\t${t + 9}\n`);
    expect(doneNodes(ended)).toEqual([names[0], names[1]]);
    const running = file(`${names[0]}\t${t}\t${t + 5}\n${names[1]}\t${t + 6}\n`);
    expect(doneNodes(running)).toEqual([names[0]]);
    // Start lines alone: every node started before the last to start (sequential).
    expect(doneNodes(file(`${names[0]}\n${names[1]}\n${names[2]}\n`))).toEqual([names[0], names[1]]);
  });

  it('reads each name with its start time (tab-separated Unix ms), names alone staying readable', () => {
    const path = file(`${names[0]}\t1796500000001\n${names[1]}\t1796500000009\n`);
    expect(readNodeWindows(path)).toEqual([
      { node: names[0], startMs: 1796500000001 },
      { node: names[1], startMs: 1796500000009 },
    ]);
    expect(readStartedNodes(path)).toEqual([names[0], names[1]]);
  });

  it('knows no times when any line has none (or none that is a time), or there is no file', () => {
    expect(readNodeWindows(file(`${names[0]}\t1796500000001\n${names[1]}\n`))).toBeUndefined();
    expect(readNodeWindows(file(`${names[0]}\tsoon\n`))).toBeUndefined();
    expect(readNodeWindows(join(dir, 'absent.txt'))).toBeUndefined();
  });

  it("reads when each node was done (its latest end line), the runner and the pipeline run's window", () => {
    const path = file(
      `#runner\tThreadRunner\n${names[0]}\t1796500000001\n${names[1]}\t1796500000002\n` +
        `${names[0]}\t1796500000001\t1796500000004\n${names[0]}\t1796500000001\t1796500000007\n` +
        `#pipeline\t1796500000000\t1796500000009\n`,
    );
    expect(readNodeWindows(path)).toEqual([
      { node: names[0], startMs: 1796500000001, endMs: 1796500000007 },
      { node: names[1], startMs: 1796500000002 },
    ]);
    expect(readStartedNodes(path)).toEqual([names[0], names[1]]);
    expect(readRunFacts(path)).toEqual({
      runner: 'ThreadRunner',
      window: { startMs: 1796500000000, endMs: 1796500000009 },
    });
  });

  it('reads the values a command found changed, known once it says it compared some', () => {
    const said = (text: string) => readRunFacts(file(`${names[0]}\t1796500000005\n${text}`)).changed;
    expect(said(`#changed\tinput params:a of ${names[0]}\n#digested\t3\n`)).toEqual([`input params:a of ${names[0]}`]);
    expect(said('#digested\t3\n')).toEqual([]);
    // A ParallelRunner's main process runs no node: it compared nothing, so nothing is known.
    expect(said('#digested\t0\n')).toBeUndefined();
    expect(said('')).toBeUndefined();
  });

  it('knows no windows when an end is not a time or comes before its start; no facts when none are said', () => {
    expect(readNodeWindows(file(`${names[0]}\t1796500000005\t1796500000004\n`))).toBeUndefined();
    expect(readNodeWindows(file(`${names[0]}\t1796500000005\tlater\n`))).toBeUndefined();
    expect(readRunFacts(file(`${names[0]}\t1796500000005\n#pipeline\t1796500000009\t1796500000001\n`))).toEqual({});
  });
});

describe('a nodes file of several runs in one process (TRACKBENCH_PIPELINE_RUNS)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-split-runs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const write = (name: string, lines: string[]): string => {
    writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
    return join(dir, name);
  };
  const read = (files: string[]) => files.map((f) => readFileSync(f, 'utf8').trim().split('\n'));
  const run1 = ['#runner\tSequentialRunner', 'a\t1796500000001', '#pipeline\t1796500000000\t1796500000002'];
  const run2 = ['#runner\tSequentialRunner', 'a\t1796500000004', '#pipeline\t1796500000003\t1796500000005'];

  it('cuts it after each #pipeline line, facts written after the last one staying with its run', () => {
    const facts = ['#changed\tinput x of a', '#digested\t2'];
    expect(read(splitPipelineRuns(write('two.txt', [...run1, ...run2, ...facts]), 2))).toEqual([
      run1,
      [...run2, ...facts],
    ]);
  });

  it('keeps the file whole when one run was asked, or it holds one', () => {
    const file = write('one.txt', [...run1, '#changed\tinput x of a', '#digested\t2']);
    expect(splitPipelineRuns(file, 1)).toEqual([file]);
    expect(splitPipelineRuns(file, 2)).toEqual([file]);
  });
});

describe('a command target reads what its command says', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-command-says-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const ctx = { trackingUri: 'http://127.0.0.1:1', experimentName: 'e', workDir: dir, setDown: () => {} };
  // The node's window is the command's own clock reading; the pipeline window is given in ms since the epoch.
  const says = (lines: string) =>
    commandTarget('command:says', `printf '${lines}' >> "$TRACKBENCH_NODES_FILE"`).run(SCENARIOS.basic, ctx);

  it('the runner, each node end, what changed, and a pipeline window only when within its life', async () => {
    const now = Date.now();
    const run = await says(
      `#runner\\tThreadRunner\\n${names[0]}\\t${now}\\n${names[0]}\\t${now}\\t${now + 1}\\n` +
        `#changed\\tinput x of ${names[0]}\\n#digested\\t2\\n#pipeline\\t1000\\t2000\\n`,
    );
    expect(run.runner).toBe('ThreadRunner');
    expect(run.hookChanges).toEqual([`input x of ${names[0]}`]);
    expect(run.timing![0]!.nodes).toEqual([{ node: names[0], startMs: now, endMs: now + 1 }]);
    // 1000..2000 is not within the command's life: its life is the window.
    expect(run.timing![0]!.window.startMs).toBeGreaterThanOrEqual(now);
  });

  it('takes the pipeline window it says when within its life', async () => {
    // One clock reading as both ends, then a pause: the command's life is longer than the window it says.
    const line = 't=$(date +%s%3N); echo "#pipeline\t$t\t$t" >> "$TRACKBENCH_NODES_FILE"; sleep 0.2';
    const before = Date.now();
    const w = (await commandTarget('command:window', line).run(SCENARIOS.basic, ctx)).timing![0]!.window;
    expect(w.startMs).toBeGreaterThanOrEqual(before);
    expect(w.endMs).toBe(w.startMs);
  });

  it('runs `twice` in one process when the command honours TRACKBENCH_PIPELINE_RUNS, else again', async () => {
    // Each run: its node's start, then its #pipeline line; the process counts its starts in a file of its own.
    const oneRun = `echo "${names[0]}\t$(date +%s%3N)" >> "$F"; t=$(date +%s%3N); echo "#pipeline\t$t\t$t" >> "$F"`;
    const honours =
      `F="$TRACKBENCH_NODES_FILE"; echo x >> ${join(dir, 'honours')}; ` +
      `for i in $(seq "$TRACKBENCH_PIPELINE_RUNS"); do ${oneRun}; done`;
    const run = await commandTarget('command:twice', honours).run(SCENARIOS.twice, ctx);
    expect(readFileSync(join(dir, 'honours'), 'utf8')).toBe('x\n');
    expect(run.timing!.map((t) => t.nodes?.map((n) => n.node))).toEqual([[names[0]], [names[0]]]);
    expect(run.timing![0]!.window.endMs).toBeLessThanOrEqual(run.timing![1]!.window.startMs);
    // A command that runs it once, whatever it is asked, is run again for the second.
    const ignores = `F="$TRACKBENCH_NODES_FILE"; echo x >> ${join(dir, 'ignores')}; ${oneRun}`;
    const again = await commandTarget('command:once', ignores).run(SCENARIOS.twice, ctx);
    expect(readFileSync(join(dir, 'ignores'), 'utf8')).toBe('x\nx\n');
    expect(again.timing).toHaveLength(2);
  });

  it('fails a command that took both runs of `twice` on and exited 0 after one, without running it again', async () => {
    const oneRun = `echo "${names[0]}\t$(date +%s%3N)" >> "$F"; t=$(date +%s%3N); echo "#pipeline\t$t\t$t" >> "$F"`;
    const stops = (took: string, starts: string) =>
      `F="$TRACKBENCH_NODES_FILE"; echo x >> ${join(dir, starts)}; echo "#runs\t${took}" >> "$F"; ${oneRun}`;
    const run = await commandTarget('command:stops', stops('$TRACKBENCH_PIPELINE_RUNS', 'stops')).run(
      SCENARIOS.twice,
      ctx,
    );
    expect(readFileSync(join(dir, 'stops'), 'utf8')).toBe('x\n');
    expect(run.pipelineError).toMatch(/exited with code 0 after 1 of the 2 pipeline runs it took on/);
    expect(run.completedNodes).toEqual([]);
    // Taking one run on is not taking both: it is run again for the second, as one that says nothing is.
    const one = await commandTarget('command:one', stops('1', 'one')).run(SCENARIOS.twice, ctx);
    expect(readFileSync(join(dir, 'one'), 'utf8')).toBe('x\nx\n');
    expect(one.pipelineError).toBeUndefined();
    expect(one.timing).toHaveLength(2);
  });

  it('says a process the command started outlived it (RUN-012), found and killed', async () => {
    const line =
      't=$(date +%s%3N); echo "#pipeline\t$t\t$t" >> "$TRACKBENCH_NODES_FILE"; ' +
      'setsid sleep 975 > /dev/null 2>&1 < /dev/null & sleep 0.3';
    const run = await commandTarget('command:daemon', line).run(SCENARIOS['host-exit'], ctx);
    expect(run.exits).toEqual([expect.objectContaining({ exited: true, code: 0, leftProcesses: true })]);
    const alone = await commandTarget('command:alone', line.replace(/setsid.*$/, 'true')).run(
      SCENARIOS['host-exit'],
      ctx,
    );
    expect(alone.exits![0]!.leftProcesses).toBeUndefined();
  });

  it('knows neither runner nor changes when the command says nothing', async () => {
    const run = await says('');
    expect(run.runner).toBeUndefined();
    expect(run.hookChanges).toBeUndefined();
    expect(run.timing![0]!.nodes).toBeUndefined();
  });
});
