// conformance --html in chromium: one cell per requirement and target, expected vs found on click.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { resultName } from '../src/conformance/modes.ts';
import type { TargetResult } from '../src/conformance/types.ts';
import { cellClass, requirementIds } from '../src/report/html/conformance.ts';
import { IN_CI, MISSING, SKIP, count, launch, open, screenshot } from './helpers/browser.ts';
import { captureIo } from './helpers/html-scenario.ts';

describe.skipIf(SKIP)('HTML conformance matrix in chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-html-conf-'));
  let browser: Browser | undefined;
  let targets: TargetResult[] = [];
  beforeAll(async () => {
    if (MISSING) return;
    browser = await launch();
    const io = captureIo();
    const args = ['conformance', '--target', 'builtin:reference', '--target', 'builtin:naive', '--out', dir];
    // naive breaks MUST requirements: exit 1, and the matrix shows where.
    expect(await main([...args, '--html', join(dir, 'conformance.html')], io), io.stderr).toBe(1);
    const json = readdirSync(dir).find((f) => f.endsWith('.json'))!;
    targets = (JSON.parse(readFileSync(join(dir, json), 'utf8')) as { targets: TargetResult[] }).targets;
  }, 300_000);
  afterAll(async () => browser?.close());

  it('has chromium', () => {
    expect(MISSING, IN_CI ? 'CI must install chromium (npm run setup:browser)' : '').toBeNull();
  });

  it('has one cell per requirement and target, classed by status, and shows expected vs found on click', async () => {
    const { page, errors, requests } = await open(browser!, join(dir, 'conformance.html'));
    expect(errors).toEqual([]);
    expect(requests).toHaveLength(1);
    const ids = requirementIds(targets);
    expect(ids.length).toBeGreaterThan(40);
    expect(await count(page, 'table.matrix tbody tr')).toBe(ids.length);
    expect(await count(page, 'table.matrix td.cell')).toBe(ids.length * targets.length);
    // A mode one target is not checked in (naive makes no child runs) is an n/a cell for it.
    const missing = ids.length * targets.length - targets.reduce((n, t) => n + t.results.length, 0);
    expect(missing).toBeGreaterThan(0);
    for (const cls of ['pass', 'fail', 'na'] as const) {
      const expected = targets.reduce((n, t) => n + t.results.filter((r) => cellClass(r) === cls).length, 0);
      expect(await count(page, `table.matrix td.cell.${cls}`), cls).toBe(expected + (cls === 'na' ? missing : 0));
    }
    expect(await count(page, 'table.matrix td.cell.fail')).toBeGreaterThan(0);
    const failure = targets[1]!.results.find((r) => cellClass(r) === 'fail')!;
    const cell = page.locator(`td.cell[data-requirement="${resultName(failure)}"][data-target="builtin:naive"]`);
    const pop = cell.locator('.pop');
    expect(await pop.isVisible()).toBe(false);
    await cell.click();
    expect(await pop.isVisible()).toBe(true);
    const text = (await pop.textContent()) ?? '';
    expect(text).toContain(failure.finding.expected);
    expect(text).toContain(failure.finding.found);
    await page.mouse.move(0, 0);
    await page.locator('h1').click();
    await screenshot(page, 'conformance');
  });

  it('draws a waived requirement as waived', async () => {
    const { conformanceSection } = await import('../src/report/html/conformance.ts');
    const waived = structuredClone(targets[1]!);
    const r = waived.results[0]!;
    Object.assign(r, { waiver: 'the plugin documents it does not do this' });
    const html = conformanceSection({ kind: 'trackbench-conformance', targets: [waived] }, 'w-').html;
    expect(html).toContain(`class="cell waived" tabindex="0" data-requirement="${resultName(r)}"`);
    expect(html).toContain('the plugin documents it does not do this');
  });
});
