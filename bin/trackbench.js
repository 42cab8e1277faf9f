#!/usr/bin/env node
// Entry point: the compiled CLI in dist/ (built by `npm run build`, and by `npm install` of the
// repository through its prepare script). Plain JavaScript: no TypeScript compiler at run time.
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('trackbench: dist/ is missing; build it with `npm run build` (npm install does it)\n');
  process.exit(3);
}
const { runCli } = await import(main.href);
await runCli(process.argv.slice(2));
