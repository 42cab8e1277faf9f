#!/usr/bin/env node
// Entry point: registers tsx so the TypeScript sources run as they are (no build step to forget),
// installs the signal handlers (SIGINT, SIGTERM, SIGHUP stop every child and remove temp folders),
// then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { installSignalHandlers } = await import('../src/common/cleanup.ts');
installSignalHandlers();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
