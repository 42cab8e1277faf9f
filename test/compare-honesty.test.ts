// `compare` between hand-edited copies of one real report: what it refuses (exit 2), what it warns about
// (reports measured or gated differently), and verdicts that say what the data says (an A/A pair unchanged);
// and the reports of a run with failed trials or lost values, which say so first.
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { buildReport } from '../src/measure/build-report.ts';
import { measure } from '../src/measure/measure.ts';
import type { Report } from '../src/measure/report-types.ts';
import { gateMarkdown, type GateDocument } from '../src/report/gate.ts';
import { consoleTables } from '../src/report/console.ts';
import { markdownReport } from '../src/report/markdown.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { cli } from './helpers/io.ts';
import { scenarioOf } from './helpers/scenario.ts';

type Edit = (r: Report) => void;

let run: Report;
beforeAll(async () => {
  const scenario = scenarioOf(
    { nodes: 5, topology: { kind: 'chain' }, work: { cpuMs: 0 } },
    { hooks: ['reference'], trials: { repetitions: 3, warmup: 1, quickRepetitions: 2 } },
  );
  run = buildReport(scenario, await measure(scenario), false);
}, 120_000);

const copy = (edit: Edit = () => {}): Report => {
  const r = structuredClone(run);
  edit(r);
  return r;
};

/** `compare` of two edited copies of the run; its exit code, what it said and the gate it wrote (--gate-json). */
async function compare(baseline: Report, current: Report, ...flags: string[]) {
  const dir = mkdtempSync(join(tmpdir(), 'tb-compare-honesty-'));
  const [b, c, g] = [join(dir, 'baseline.json'), join(dir, 'current.json'), join(dir, 'gate.json')];
  writeFileSync(b, JSON.stringify(baseline));
  writeFileSync(c, JSON.stringify(current));
  const summary = join(dir, 'summary.md');
  const r = await cli(['compare', b, c, '--gate-json', g, '--summary', summary, ...flags]);
  const doc = (): GateDocument => JSON.parse(readFileSync(g, 'utf8')) as GateDocument;
  return { ...r, gate: () => doc().gate, doc, summary: () => readFileSync(summary, 'utf8') };
}

const WARNING = 'warning: the two reports were not measured alike;';

describe('compare warns when the reports were not measured or gated alike', () => {
  it('a --quick report against a full one: names what differs, and still gates', async () => {
    const quick = copy((r) => {
      r.trials.quick = true;
      r.trials.repetitions = 2;
      r.trials.warmup = 0;
    });
    const r = await compare(copy(), quick);
    expect(r.code).toBeLessThan(2);
    const at = r.out.indexOf(WARNING);
    expect(at, r.out).toBeGreaterThanOrEqual(0);
    expect(r.out.slice(at).split('\n').slice(1, 4)).toEqual([
      '  --quick: no vs yes',
      '  paired rounds: 3 vs 2',
      '  warm-up rounds: 1 vs 0',
    ]);
    expect(r.out).toMatch(/^(PASS|FAIL): trackbench gate for /m);
    // where the verdict goes (the PR comment, the gate JSON, the step summary's Markdown), the warning goes too
    const warning = r.out.slice(at, r.out.indexOf('\n', r.out.indexOf('warm-up rounds')));
    expect(r.doc().warnings).toEqual([warning]);
    const quoted = warning
      .split('\n')
      .map((l) => `> ${l}`)
      .join('\n');
    expect(r.summary()).toMatch(/^### (PASS|FAIL): trackbench gate for test\n\n.*\n\n> warning: /);
    expect(r.summary()).toContain(`${quoted}\n`);
    expect(gateMarkdown(r.gate(), 'test', r.doc().warnings)).toContain(`\n\n${quoted}\n`);
    // and the HTML of the gate, under its verdict
    const dir = mkdtempSync(join(tmpdir(), 'tb-compare-honesty-'));
    writeFileSync(join(dir, 'gate.json'), JSON.stringify(r.doc()));
    const rendered = await cli(['report', join(dir, 'gate.json'), '--html', join(dir, 'gate.html')]);
    expect(rendered.code, rendered.err).toBe(0);
    const page = readFileSync(join(dir, 'gate.html'), 'utf8');
    const shown = [...page.matchAll(/<p class="warning">([^<]*)<\/p>/g)].map((m) => m[1]);
    expect(shown).toEqual([warning]);
    expect(page.indexOf('class="verdict')).toBeLessThan(page.indexOf('class="warning"'));
  });

  it('other noise band or budgets (the current scenario applies), and hooks in one report only', async () => {
    const other = copy((r) => {
      r.scenario.regression.noise = 0.05;
      r.scenario.budgets = { apiCalls: { max: 1000 } };
      r.results['second'] = structuredClone(r.results['reference']!);
    });
    const r = await compare(copy(), other);
    const lines = r.out.slice(r.out.indexOf(WARNING)).split('\n');
    expect(lines.slice(1, 4)).toEqual([
      "  regression.noise: 0.02 vs 0.05 (the current's applies)",
      "  budgets.apiCalls differs (the current scenario's budgets apply)",
      '  hooks in the current only (budgets only, no baseline): second',
    ]);
    const reverse = await compare(other, copy());
    expect(reverse.out).toContain('  hooks in the baseline only (not gated): second\n');
  });

  it('a figure the baseline measured and the current did not (not gated): named', async () => {
    const unmeasured = copy((r) => {
      r.results['reference']!.metrics.cpuMs = { unit: 'ms', available: false, reason: 'not measured' };
    });
    const r = await compare(copy(), unmeasured);
    expect(r.out).toContain(`${WARNING} `);
    expect(r.out).toContain('\n  measured in the baseline only (not gated): reference cpuMs\n');
    expect(r.gate().checks.map((c) => c.id)).not.toContain('regression reference cpuMs');
  });

  it('says nothing of reports measured alike', async () => {
    const r = await compare(copy(), copy());
    expect(r.out).not.toContain('warning');
    expect(r.doc()).not.toHaveProperty('warnings');
    expect(r.summary()).not.toContain('warning');
  });
});

describe('compare refuses reports that did not measure the same thing (exit 2, nothing written)', () => {
  it.each<[string, Edit, string]>([
    ['another size', (r) => void (r.nodes = r.scenario.pipeline.nodes = 7), 'different pipelines: 5 vs 7 nodes'],
    // the path once: where the place names it, not again in the message
    [
      'another pipeline seed',
      (r) => void (r.scenario.pipeline.seed = 99),
      'pipeline.seed: different pipelines: 1 vs 99 (',
    ],
    [
      'more metrics per node',
      (r) => void (r.scenario.pipeline.metricsPerNode = 9),
      'pipeline.metricsPerNode: different pipelines: 0 vs 9 (',
    ],
    ['another scenario', (r) => void (r.scenario.name = 'other'), 'different scenarios: "test" vs "other"'],
    // a report's scenario is checked against the scenario schema: a null pipeline is refused at its place
    [
      'a pipeline that is not a mapping',
      (r) => void ((r.scenario as { pipeline: unknown }).pipeline = null),
      'current.json:1:148 scenario.pipeline: must be object; got null',
    ],
  ])('%s', async (_, edit, says) => {
    const r = await compare(copy(), copy(edit));
    expect(r.code).toBe(2);
    expect(r.err).toContain(says);
    expect(r.out).toBe('');
    expect(() => r.gate()).toThrow(/ENOENT/);
  });
});

describe('compare locates what differs in the current report', () => {
  it('each difference at its place in the current file, the baseline named', async () => {
    // It said "baseline.json vs current.json different pipelines: ...", with no line.
    const r = await compare(
      copy(),
      copy((c) => void ((c.scenario.pipeline.seed = 99), (c.scenario.name = 'other'))),
    );
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toEqual([
      expect.stringMatching(/current\.json:1:\d+ scenario\.name: different scenarios: "test" vs "other" \(baseline /),
      // the path once, where the place names it
      expect.stringMatching(/current\.json:1:\d+ scenario\.pipeline\.seed: different pipelines: 1 vs 99 \(/),
    ]);
  });
});

describe('compare refuses figures a run cannot have measured (exit 2 at the field)', () => {
  const wall = (r: Report): { with: { samples: number[] }; without: { samples: number[] } } => {
    const m = r.results['reference']!.metrics.wallMs;
    if (!m.available) throw new Error('wallMs not measured');
    return m;
  };
  it.each<[string, Edit, RegExp]>([
    [
      'no sample (a figure of nothing)',
      (r) => void (wall(r).with.samples = []),
      /:\d+:\d+ results\.reference\.metrics\.wallMs\.with\.samples: .*(at least 1|fewer than 1)/,
    ],
    [
      'more rounds with the hook than without',
      (r) => void wall(r).with.samples.push(1),
      /:\d+:\d+ results\.reference\.metrics\.wallMs\.with\.samples: 4 samples with the hook, 3 without: /,
    ],
    // Past 10^15 sums over the samples overflowed: Infinity and NaN reached the console, the HTML and the gate JSON.
    [
      'a sample of 1e308',
      (r) => void (wall(r).with.samples[0] = 1e308),
      /:\d+:\d+ results\.reference\.metrics\.wallMs\.with\.samples\[0\]: must be <= 1000000000000000; got 1e\+308/,
    ],
    [
      'a negative byte count',
      (r) => void ((r.results['reference']!.metrics.writeBytes as { with: { median: number } }).with.median = -1),
      /:\d+:\d+ results\.reference\.metrics\.writeBytes\.with\.median: must be >= 0; got -1/,
    ],
    ['1e12 nodes', (r) => void (r.nodes = 1e12), /:\d+:\d+ nodes: must be <= 100000; got 1000000000000/],
    [
      '1e12 rounds',
      (r) => void (r.trials.repetitions = 1e12),
      /:\d+:\d+ trials\.repetitions: must be <= 10000; got 1000000000000/,
    ],
    // The report schema left the scenario open: these were drawn ("NaN nodes") or named as differences, unlocated.
    [
      'a node count of "NaN" in the scenario',
      (r) => void ((r.scenario.pipeline as { nodes: unknown }).nodes = 'NaN'),
      /:\d+:\d+ scenario\.pipeline\.nodes: must be integer; got "NaN"/,
    ],
    [
      'a negative parameter count in the scenario',
      (r) => void (r.scenario.pipeline.paramsPerNode.count = -1),
      /:\d+:\d+ scenario\.pipeline\.paramsPerNode\.count: must be >= 0; got -1/,
    ],
  ])('%s', async (_, edit, says) => {
    const r = await compare(copy(), copy(edit));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(says);
    expect(r.out).toBe('');
  });
});

describe('$GITHUB_STEP_SUMMARY', () => {
  afterEach(() => void vi.unstubAllEnvs());

  it('a path that cannot be appended to: exit 2 naming the variable, no other output written', async () => {
    // It was "unexpected error: ENOENT" (exit 3), after --gate-json and --summary had been written.
    vi.stubEnv('GITHUB_STEP_SUMMARY', '/nonexistent-tb/step-summary.md');
    const r = await compare(copy(), copy());
    expect(r.code).toBe(2);
    expect(r.err).toBe(
      'GITHUB_STEP_SUMMARY (environment) "/nonexistent-tb/step-summary.md" cannot be appended to (ENOENT)\n',
    );
    expect(() => r.gate()).toThrow(/ENOENT/);
    expect(() => r.summary()).toThrow(/ENOENT/);
  });

  it('a FIFO is refused, exit 2: a FIFO with no reader blocked past SIGTERM; a device is written to', async () => {
    const fifo = join(mkdtempSync(join(tmpdir(), 'tb-step-summary-')), 'fifo');
    execFileSync('mkfifo', [fifo]);
    // A reader held open, so that this test fails (append succeeds) rather than blocks when the check is missing.
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK);
    try {
      vi.stubEnv('GITHUB_STEP_SUMMARY', fifo);
      const r = await compare(copy(), copy());
      expect(r.code).toBe(2);
      expect(r.err).toBe(
        `GITHUB_STEP_SUMMARY (environment) "${fifo}" cannot be appended to (a pipe or socket, not a file)\n`,
      );
      expect(() => r.gate()).toThrow(/ENOENT/);
      // /dev/null, to throw the summary away when trying the gate locally: the gate as without it
      vi.stubEnv('GITHUB_STEP_SUMMARY', '/dev/null');
      const quiet = await compare(copy(), copy());
      expect(quiet.code, quiet.err).toBe(0);
      expect(quiet.err).toBe('');
    } finally {
      closeSync(reader);
    }
  });
});

describe('verdicts say what the data says', () => {
  it('a report against itself (A/A): every regression check unchanged, even with --fail-inconclusive', async () => {
    const r = await compare(copy(), copy(), '--fail-inconclusive');
    expect(r.code, r.out).toBe(0);
    expect(r.out.split('\n')[0]).toMatch(/^PASS: trackbench gate for /);
    const regressions = r.gate().checks.filter((c) => c.kind === 'regression' && !/exact/.test(c.limit));
    expect(regressions.length).toBeGreaterThan(3);
    expect(regressions.filter((c) => !c.found.endsWith(': unchanged')).map((c) => `${c.id}: ${c.found}`)).toEqual([]);
  });
});

describe('reports of any hook read back', () => {
  it('a kind: kedro hook, written resolved (its name and provisioning), is compared, not refused', async () => {
    // A scenario's hooks as a report holds them: resolved by the loader, not as the scenario file gives them.
    const hooks = loadScenarioFile('scenarios/kedro-mlflow-versions.yaml').scenario.hooks;
    expect(hooks.some((h) => typeof h.kedro === 'object')).toBe(true);
    const r = await compare(
      copy((c) => void (c.scenario.hooks = hooks)),
      copy((c) => void (c.scenario.hooks = hooks)),
    );
    expect(r.code, r.err).toBe(0);
  });
});

describe('reports of a faulty run say so first (console, Markdown, HTML)', () => {
  const faulty = (): Report =>
    copy((r) => {
      r.trials.allowFailures = true;
      r.failures = [{ hook: 'reference', round: 1, warmup: false, error: 'hook raised: boom\nstack' }];
      const v = r.results['reference']!.values;
      if (!v.available) throw new Error('values not read back');
      v.lost.metrics = 3;
    });
  const FAILED = `FAILED TRIALS: 1 of ${'{total}'}; their rounds are left out of every figure and the gate fails`;
  const lost = (r: Report): string =>
    `VALUES NOT DELIVERED: reference: lost 3 of ${r.results['reference']!.values.produced.metrics} metrics; ` +
    'the gate fails';

  it('console and Markdown: the failed trial and the loss before the tables', () => {
    const r = faulty();
    const failed = FAILED.replace('{total}', String(r.trials.total));
    expect(consoleTables(r, false).split('\n').slice(0, 3)).toEqual([
      failed,
      '  reference, round 2: hook raised: boom',
      lost(r),
    ]);
    expect(markdownReport(r).split('\n').slice(2, 5)).toEqual([
      `> **${failed}**`,
      '> **reference, round 2: hook raised: boom**',
      `> **${lost(r)}**`,
    ]);
    expect(consoleTables(copy(), false)).not.toMatch(/FAILED|NOT DELIVERED/);
  });

  it('`report --html`: both above the figures, marked as faults', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-compare-honesty-'));
    const r = faulty();
    writeFileSync(join(dir, 'run.json'), JSON.stringify(r));
    const res = await cli(['report', join(dir, 'run.json'), '--html', join(dir, 'run.html')]);
    expect(res.code, res.err).toBe(0);
    const html = readFileSync(join(dir, 'run.html'), 'utf8');
    const faults = [...html.matchAll(/<p class="fault">([^<]*)<\/p>/g)].map((m) => m[1]);
    expect(faults).toEqual([
      FAILED.replace('{total}', String(r.trials.total)),
      'reference, round 2: hook raised: boom',
      lost(r),
    ]);
    expect(html.indexOf('class="fault"')).toBeLessThan(html.indexOf('class="meta"'));
  });
});
