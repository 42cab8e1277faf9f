// The proof of the mock's fidelity: every contract case answered by the mock equals, after
// normalisation, what the real `mlflow server` answered (recorded in fixtures/, and live when a
// real server can be started: always in CI, where .ci/run provisions it).
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerRuntimeProblem, startContainer, type ContainerBackend } from '../src/backends/container.ts';
import {
  DEFAULT_MLFLOW_VERSION,
  localServerAvailable,
  startLocalServer,
  type LocalServer,
} from '../src/backends/local-server.ts';
import { startHttpMock } from '../src/backends/mock/http-server.ts';
import { CASES } from './contract/cases.ts';
import { diffCases } from './contract/diff.ts';
import { runCases, type CaseResult } from './contract/runner.ts';

const fixture = JSON.parse(readFileSync(`fixtures/mlflow/contract-${DEFAULT_MLFLOW_VERSION}.json`, 'utf8')) as {
  mlflowVersion: string;
  cases: CaseResult[];
};

async function mockResults(): Promise<CaseResult[]> {
  const mock = await startHttpMock();
  try {
    return await runCases(mock.trackingUri, CASES);
  } finally {
    await mock.stop();
  }
}

describe('mock MLflow contract', () => {
  let mock: CaseResult[];
  beforeAll(async () => {
    mock = await mockResults();
  });

  it('has at least 40 request scenarios, recorded from the real server for every one', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(fixture.cases.map((c) => c.name)).toEqual(CASES.map((c) => c.name));
    expect(fixture.mlflowVersion).toBe(DEFAULT_MLFLOW_VERSION);
  });

  it('answers every case exactly as the recorded real server did', () => {
    expect(diffCases(fixture.cases, mock, ['real (fixture)', 'mock'])).toEqual([]);
  });

  it('covers the error answers, not only happy paths', () => {
    const statuses = fixture.cases.flatMap((c) => c.steps.map((s) => s.status));
    expect(statuses.filter((s) => s === 400).length).toBeGreaterThanOrEqual(20);
    expect(statuses.filter((s) => s === 404).length).toBeGreaterThanOrEqual(6);
  });

  it('would notice a difference (the comparison is not vacuous)', () => {
    const tampered = structuredClone(mock);
    const step = tampered.find((c) => c.name === 'log-batch-101-params')!.steps.at(-1)!;
    (step.body as { message: string }).message = 'A batch logging request can contain at most 101 params.';
    expect(diffCases(fixture.cases, tampered, ['real', 'mock'])).toHaveLength(1);
    const reordered = structuredClone(mock);
    reordered.find((c) => c.name === 'log-metric-history-order')!.steps[6]!.body = { metrics: [] };
    expect(diffCases(fixture.cases, reordered, ['real', 'mock'])).toHaveLength(1);
  });
});

// Live: start the real server with the project's own script's environment. In CI it must be there.
const live = localServerAvailable() || process.env.CI === 'true';
let real: CaseResult[] | undefined;
describe.runIf(live)(`real mlflow server ${DEFAULT_MLFLOW_VERSION} (live)`, () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer();
    real = await runCases(server.trackingUri, CASES);
  }, 180_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('answers every case as the mock does', async () => {
    // `!`: beforeAll above set it (or failed the block).
    expect(diffCases(real!, await mockResults(), ['real (live)', 'mock'])).toEqual([]);
  });

  it('still answers as recorded in the fixture (the fixture is current)', () => {
    expect(diffCases(fixture.cases, real!, ['fixture', 'real (live)'])).toEqual([]); // `!`: set by beforeAll
  });
});

// The same cases against MLflow in a container (the image `npm run setup:container` provides): mock,
// container, local server and fixture must all agree. Skipped outside CI without a runtime; in CI
// (.ci/run provisions it) a missing runtime fails.
const containerProblem = await containerRuntimeProblem();
describe.runIf(containerProblem === undefined || process.env.CI === 'true')(
  `mlflow ${DEFAULT_MLFLOW_VERSION} in a container (live)`,
  () => {
    let container: ContainerBackend | undefined;
    let inContainer: CaseResult[];
    beforeAll(async () => {
      expect(containerProblem).toBeUndefined();
      container = await startContainer();
      inContainer = await runCases(container.trackingUri, CASES);
    }, 300_000);
    afterAll(async () => {
      await container?.stop();
    });

    it('answers every case as the mock does', async () => {
      expect(diffCases(inContainer, await mockResults(), ['container', 'mock'])).toEqual([]);
    });

    it('answers every case as recorded in the fixture', () => {
      expect(diffCases(fixture.cases, inContainer, ['fixture', 'container'])).toEqual([]);
    });

    it.runIf(live)('answers every case as the local server does', () => {
      expect(real).toBeDefined();
      // `!`: the local server's block ran first (vitest runs a file's blocks in order) and set it.
      expect(diffCases(real!, inContainer, ['real (live)', 'container'])).toEqual([]);
    });
  },
);
