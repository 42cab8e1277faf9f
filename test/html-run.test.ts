// run --html, run --baseline --html/--summary/--gate-json, compare --html and report --html, opened
// in a real browser: no console errors, nothing fetched, one mark per trial and per hook.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { GateDocument } from '../src/report/gate.ts';
import { renderHtml } from '../src/report/html/index.ts';
import { TRIAL_METRICS } from '../src/report/html/run.ts';
import { metricOf, type Report } from '../src/measure/report-types.ts';
import { IN_CI, MISSING, SKIP, count, embedded, launch, open, screenshot } from './helpers/browser.ts';
import { LONG_A, LONG_B, captureIo, scenarioFile } from './helpers/html-scenario.ts';
import { measured } from './helpers/measured.ts';

const nonNull = (xs: (number | null)[]): number => xs.filter((x) => x !== null).length;

describe.skipIf(SKIP)('HTML reports of runs and gates in chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-html-run-'));
  let browser: Browser | undefined;
  let baseJson = '';
  let curJson = '';
  let gatedCode = -1;

  beforeAll(async () => {
    if (MISSING) return; // the first test reports it (CI only; locally the suite is skipped)
    browser = await launch();
    const io = captureIo();
    expect(
      await main(['run', scenarioFile(), '--quick', '--out', join(dir, 'a'), '--html', join(dir, 'run.html')], io),
    ).toBe(0);
    baseJson = join(
      dir,
      'a',
      readdirSync(join(dir, 'a')).find((f) => f.endsWith('.json'))!,
    );
    // The same labels, one more request per node for the first hook: an exact regression.
    const args = ['run', scenarioFile('html-test', { requestsA: 2 }), '--quick', '--out', join(dir, 'b')];
    gatedCode = await main(
      [
        ...args,
        '--baseline',
        baseJson,
        '--html',
        join(dir, 'gated.html'),
        '--summary',
        join(dir, 'summary.md'),
        '--gate-json',
        join(dir, 'gate.json'),
      ],
      captureIo(),
    );
    curJson = join(
      dir,
      'b',
      readdirSync(join(dir, 'b')).find((f) => f.endsWith('.json'))!,
    );
  }, 300_000);
  afterAll(async () => browser?.close());

  it('has chromium', () => {
    expect(MISSING, IN_CI ? 'CI must install chromium (npm run setup:browser)' : '').toBeNull();
  });

  it('run --html: one file that loads nothing, no console errors, a point per trial and a bar per hook', async () => {
    const { page, errors, requests } = await open(browser!, join(dir, 'run.html'));
    expect(errors).toEqual([]);
    expect(requests).toEqual([`file://${join(dir, 'run.html')}`]);
    const report = await embedded<Report>(page);
    expect(report).toEqual(JSON.parse(readFileSync(baseJson, 'utf8')));
    const hooks = Object.keys(report.results);
    expect(hooks).toEqual([LONG_A, LONG_B]);
    let drawn = 0;
    for (const metric of TRIAL_METRICS) {
      const expected = hooks.reduce(
        (n, h) =>
          n +
          (metricOf(report.results[h]!, metric).available
            ? nonNull(measured(metricOf(report.results[h]!, metric)).without.samples) +
              nonNull(measured(metricOf(report.results[h]!, metric)).with.samples)
            : 0),
        0,
      );
      const found = await count(page, `[data-chart="d0-trials-${metric}"] circle.point`);
      expect(found, metric).toBe(metricOf(report.results[hooks[0]!]!, metric).available ? expected : 0);
      drawn += found;
    }
    expect(drawn).toBeGreaterThanOrEqual(2 * 3 * 2 * 2); // wall and CPU at least: 2 hooks x 3 rounds x 2 variants
    const wall = hooks.map((h) => measured(report.results[h]!.metrics.wallMs).overhead);
    expect(await count(page, '[data-chart="d0-overhead-wallMs"] rect.bar')).toBe(
      wall.filter((o) => o.ratio !== null).length,
    );
    expect(await count(page, '[data-chart="d0-overhead-wallMs"] g.whisker')).toBe(wall.filter((o) => o.ci95).length);
    expect(await count(page, '[data-chart="d0-api-calls"] rect.bar')).toBe(2);
    expect(await page.textContent('table.overhead')).toContain('Pipeline execution time (s)');
    const light = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    await page.emulateMedia({ colorScheme: 'dark' });
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).not.toBe(light);
    await page.emulateMedia({ colorScheme: 'light' });
    await screenshot(page, 'run');
  });

  it('run --baseline: the gate fires (exit 1) on the extra request; HTML, summary and gate JSON agree', async () => {
    expect(gatedCode).toBe(1);
    const doc = JSON.parse(readFileSync(join(dir, 'gate.json'), 'utf8')) as GateDocument;
    expect(doc.gate.verdict).toBe('fail');
    expect(doc.gate.checks.find((c) => c.id === `regression ${LONG_A} apiCalls`)?.status).toBe('fail');
    const summary = readFileSync(join(dir, 'summary.md'), 'utf8');
    expect(summary.split('\n')[0]).toBe('### FAIL: trackbench gate for html-test');
    expect(summary).toContain(`| ${LONG_A} |`);
    expect(summary).toContain('(was 6)'); // API calls per run: 12 now, 6 in the baseline
    expect(summary).toContain(`\`regression ${LONG_A} apiCalls\``);
    expect(summary.match(/FAIL: trackbench gate/g)).toHaveLength(1); // the verdict once, first
    expect(summary).toContain('<details><summary>All ');
    const { page, errors, requests } = await open(browser!, join(dir, 'gated.html'));
    expect(errors).toEqual([]);
    expect(requests).toHaveLength(1);
    expect(await page.textContent('.verdict')).toMatch(/^FAIL/);
  });

  it('compare --html: baseline and current per figure, a bar each per hook, with the verdict', async () => {
    const io = captureIo();
    expect(await main(['compare', baseJson, curJson, '--html', join(dir, 'compare.html')], io)).toBe(1);
    const { page, errors, requests } = await open(browser!, join(dir, 'compare.html'));
    expect(errors).toEqual([]);
    expect(requests).toHaveLength(1);
    const doc = await embedded<GateDocument>(page);
    expect(doc.kind).toBe('trackbench-gate');
    // API calls exact: baseline 6 and 12 per run against 12 and 12 now; two bars per hook.
    expect(await count(page, '[data-chart="d0-g-compare-apiCalls"] rect.bar')).toBe(4);
    const labels = await page.$$eval('[data-chart="d0-g-compare-apiCalls"] text.cat', (els) =>
      els.map((e) => e.textContent),
    );
    expect(labels).toEqual([`${LONG_A} fail`, `${LONG_B} pass`]);
    const checks = await count(page, 'table.checks tbody tr');
    expect(checks).toBe(doc.gate.checks.length);
    await screenshot(page, 'compare');
  });

  it('report renders saved reports of every kind into one file; a bad file is exit 2 and writes nothing', async () => {
    const out = join(dir, 'all.html');
    expect(await main(['report', baseJson, join(dir, 'gate.json'), '--html', out], captureIo())).toBe(0);
    const { page, errors } = await open(browser!, out);
    expect(errors).toEqual([]);
    expect(await count(page, 'section.report')).toBe(3); // the run; the gate and its current run
    const io = captureIo();
    expect(await main(['report', join(dir, 'summary.md'), '--html', join(dir, 'bad.html')], io)).toBe(2);
    expect(io.stderr).toContain('summary.md');
    expect(readdirSync(dir)).not.toContain('bad.html');
  });

  it('tolerates fields a newer report adds: unknown metrics, trial and environment fields are shown', async () => {
    const report = JSON.parse(readFileSync(baseJson, 'utf8')) as Report & { trials: { failed?: number } };
    for (const r of Object.values(report.results))
      Object.assign(r.metrics, { futureMetric: structuredClone(r.metrics.cpuMs) });
    Object.assign(report.environment, { kernelConfig: { perf: true } });
    report.trials.failed = 0;
    const file = join(dir, 'newer.html');
    writeFileSync(file, renderHtml([report]));
    const { page, errors } = await open(browser!, file);
    expect(errors).toEqual([]);
    expect(await page.textContent('table.overhead')).toContain('futureMetric');
    expect(await count(page, '[data-chart="d0-overhead-futureMetric"] rect.bar')).toBe(2);
    const details = (await page.textContent('table.environment')) ?? '';
    expect(details).toContain('trials.failed');
    expect(details).toContain('environment.kernelConfig');
  });
});
