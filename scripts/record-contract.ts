// Records the real `mlflow server`'s answers to the contract cases as a fixture, so the mock can be
// checked against them offline. `npx tsx scripts/record-contract.ts` (needs `npm run setup:mlflow`).
import { writeFileSync, renameSync } from 'node:fs';
import { DEFAULT_MLFLOW_VERSION, startLocalServer } from '../src/backends/local-server.ts';
import { CASES } from '../test/contract/cases.ts';
import { runCases } from '../test/contract/runner.ts';

const server = await startLocalServer();
try {
  const results = await runCases(server.trackingUri, CASES);
  const file = `fixtures/mlflow/contract-${DEFAULT_MLFLOW_VERSION}.json`;
  const doc = {
    mlflowVersion: DEFAULT_MLFLOW_VERSION,
    recordedAt: new Date().toISOString(),
    server: 'mlflow server, sqlite store, proxied artifacts',
    cases: results,
  };
  writeFileSync(`${file}.tmp`, `${JSON.stringify(doc, null, 1)}\n`);
  renameSync(`${file}.tmp`, file);
  console.log(
    `recorded ${results.length} cases (${results.reduce((n, c) => n + c.steps.length, 0)} requests) ` +
      `from ${server.describe} into ${file}`,
  );
} finally {
  await server.stop();
}
