// A PNG of part of an HTML report, as in the README:
//   npx tsx scripts/screenshot.ts in.html out.png [height] [css selector to start at]
// Uses the chromium that `npm run setup:browser` installs (or TRACKBENCH_CHROMIUM).
import { resolve } from 'node:path';
import { chromium } from 'playwright-core';

const [input, output, height = '1100', from] = process.argv.slice(2);
if (!input || !output) {
  console.error('usage: tsx scripts/screenshot.ts <report.html> <out.png> [height]');
  process.exit(2);
}
const browser = await chromium.launch({
  executablePath: process.env.TRACKBENCH_CHROMIUM ?? '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1000, height: Number(height) } });
  await page.goto(`file://${resolve(input)}`);
  const top = from ? ((await page.locator(from).first().boundingBox())?.y ?? 0) : 0;
  await page.screenshot({ path: output, fullPage: true, clip: { x: 0, y: top, width: 1000, height: Number(height) } });
  console.log(output);
} finally {
  await browser.close();
}
