// sweep --html in chromium: per-node cost against nodes on log-log axes, a line and a fit per hook.
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { SweepReport } from '../src/measure/sweep.ts';
import { IN_CI, MISSING, SKIP, count, embedded, launch, open, screenshot } from './helpers/browser.ts';
import { captureIo, scenarioFile } from './helpers/html-scenario.ts';
import { measured } from './helpers/measured.ts';

describe.skipIf(SKIP)('HTML sweep report in chromium', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tb-html-sweep-'));
  let browser: Browser | undefined;
  beforeAll(async () => {
    if (MISSING) return;
    browser = await launch();
    const io = captureIo();
    const args = [
      'sweep',
      scenarioFile(),
      '--nodes',
      '3,6,12',
      '--quick',
      '--out',
      dir,
      '--html',
      join(dir, 'sweep.html'),
    ];
    expect(await main(args, io), io.stderr).toBe(0);
  }, 300_000);
  afterAll(async () => browser?.close());

  it('has chromium', () => {
    expect(MISSING, IN_CI ? 'CI must install chromium (npm run setup:browser)' : '').toBeNull();
  });

  it('draws one line per hook through a point per size, with the fitted exponent', async () => {
    const { page, errors, requests } = await open(browser!, join(dir, 'sweep.html'));
    expect(errors).toEqual([]);
    expect(requests).toHaveLength(1);
    const sweep = await embedded<SweepReport>(page);
    const saved = readdirSync(dir).find((f) => f.endsWith('.json'))!;
    expect(sweep).toEqual(JSON.parse(readFileSync(join(dir, saved), 'utf8')));
    const hooks = Object.keys(sweep.growth);
    expect(hooks).toHaveLength(2);
    for (const metric of ['wallMs', 'apiCalls'] as const) {
      // A point can be drawn on a log axis only when the per-node cost is above zero.
      const drawable = hooks.map(
        (h) =>
          sweep.points.filter((p) => (measured(p.report.results[h]!.metrics[metric]).overhead.perNode ?? 0) > 0).length,
      );
      const chart = `[data-chart="d0-sweep-${metric}"]`;
      expect(await count(page, `${chart} circle.point`), metric).toBe(drawable.reduce((a, b) => a + b, 0));
      expect(await count(page, `${chart} path.line`), metric).toBe(drawable.filter((n) => n > 1).length);
      expect(await count(page, `${chart} path.fit`), metric).toBe(
        hooks.filter((h, i) => sweep.growth[h]?.[metric] && drawable[i]! > 1).length,
      );
    }
    // Calls are exact: one and two extra requests per node at every size, so both lines are drawn.
    expect(await count(page, '[data-chart="d0-sweep-apiCalls"] path.line')).toBe(2);
    const legend = await page.textContent('[data-chart="d0-sweep-apiCalls"] figcaption');
    expect(legend).toMatch(/exponent 1\.00/);
    await screenshot(page, 'sweep');
  });
});
