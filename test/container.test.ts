// The container backend, for real: MLflow in a container through testcontainers (Podman's socket
// here, Docker elsewhere). Outside CI these tests are skipped when no runtime or image exists; in CI
// (.ci/run provisions both) a missing runtime is a failure, never a skip.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it } from 'vitest';
import { SESSION_LABEL } from '../src/backends/container-cleanup.ts';
import { containerRuntimeProblem, startContainer } from '../src/backends/container.ts';
import { SCENARIOS } from '../src/conformance/scenarios.ts';
import { runSuite } from '../src/conformance/suite.ts';
import { parseTarget } from '../src/conformance/targets.ts';
import type { TargetResult } from '../src/conformance/types.ts';
import { main } from '../src/cli/main.ts';
import { EnvironmentError } from '../src/errors.ts';
import { MlflowClient } from '../src/mlflow/client.ts';
import type { Report } from '../src/measure/report-types.ts';
import { measured } from './helpers/measured.ts';

const problem = await containerRuntimeProblem();
const inCI = process.env.CI === 'true';
const cli = (() => {
  const kind = process.env.DOCKER_HOST?.includes('podman') ? 'podman' : undefined;
  if (kind) return kind;
  return spawnSync('podman', ['--version']).status === 0 ? 'podman' : 'docker';
})();
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));
function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'trackbench-container-test-'));
  dirs.push(d);
  return d;
}

/** Containers (any state) carrying trackbench's session label whose value starts with `prefix`. */
function containersOf(prefix: string): string[] {
  const out = execFileSync(cli, ['ps', '-a', '--filter', `label=${SESSION_LABEL}`, '--format', 'json'], {
    encoding: 'utf8',
  });
  const rows = (
    out.trim() ? (JSON.parse(out) as { Id?: string; ID?: string; Labels?: Record<string, string> }[]) : []
  ).filter((r) => r.Labels?.[SESSION_LABEL]?.startsWith(prefix));
  return rows.map((r) => r.Id ?? r.ID ?? '?');
}

const trackbench = join(process.cwd(), 'bin', 'trackbench.js');
function runCli(args: string[], env: NodeJS.ProcessEnv): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [trackbench, ...args], { encoding: 'utf8', env, timeout: 240_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function tinyScenario(dir: string, extra = ''): string {
  const file = join(dir, 'tiny.yaml');
  writeFileSync(
    file,
    `name: container-tiny
pipeline: {nodes: 6, paramsPerNode: {count: 2}, metricsPerNode: 2, work: {cpuMs: 1, ioBytes: 0, allocBytes: 0}}
hooks: [reference]
backend: {kind: container${extra}}
trials: {repetitions: 40, warmup: 0, quickRepetitions: 40}
`,
  );
  return file;
}

describe('container backend without a runtime', () => {
  it('fails with exit 3 and one line naming npm run setup:container', () => {
    const dir = tempDir();
    // No PATH (no podman, no docker client) and no DOCKER_HOST: no runtime can be found.
    const env = { HOME: process.env.HOME, PATH: '/nonexistent-bin', CI: '' };
    const r = runCli(['run', tinyScenario(dir), '--quick', '--out', join(dir, 'reports')], env);
    expect(r.status).toBe(3);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(
      /^environment: container backend unavailable: no container runtime .*npm run setup:container/,
    );
    expect(existsSync(join(dir, 'reports')) ? readdirSync(join(dir, 'reports')) : []).toEqual([]);
  });
});

describe.runIf(problem === undefined || inCI)('container backend', () => {
  it('has a container runtime and the MLflow image (CI must provision them)', () => {
    expect(problem).toBeUndefined();
  });

  it('starts MLflow on a loopback port, answers the REST API, and stops leaving no container', async () => {
    const c = await startContainer();
    try {
      expect(c.trackingUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(c.startupMs).toBeGreaterThan(0);
      const bound = execFileSync(cli, ['port', c.containerId], { encoding: 'utf8' });
      expect(bound.trim()).toMatch(/^5000\/tcp -> 127\.0\.0\.1:\d+$/);
      const client = new MlflowClient({ trackingUri: c.trackingUri });
      expect(await client.health()).toBe(true);
      const experimentId = await client.getOrCreateExperiment('container-backend');
      expect(await client.getOrCreateExperiment('container-backend')).toBe(experimentId);
      client.close();
      expect(containersOf(c.session)).toHaveLength(1);
    } finally {
      await c.stop();
    }
    expect(containersOf(c.session)).toEqual([]);
  }, 300_000);

  it('a container that does not become healthy in time is an environment error and is removed', async () => {
    const err = await startContainer({ startupTimeoutMs: 1 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EnvironmentError);
    expect((err as Error).message).toMatch(/^MLflow container \(.+\) did not become healthy: /);
    expect(containersOf(`${process.pid}-`)).toEqual([]);
  }, 120_000);

  it('says which image is missing and how to get it (exit 3)', () => {
    const dir = tempDir();
    const r = runCli(['run', tinyScenario(dir, ', mlflowVersion: "0.0.1"'), '--quick', '--out', join(dir, 'r')], {
      ...process.env,
      CI: '',
    });
    expect(r.status).toBe(3);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('no MLflow 0.0.1 image');
    expect(r.stderr).toContain('npm run setup:container');
  }, 120_000);

  it('a run reports the container start-up time (JSON field and a line in the tables)', () => {
    const dir = tempDir();
    const file = tinyScenario(dir).replace('tiny.yaml', 'short.yaml');
    writeFileSync(
      file,
      readFileSync(join(dir, 'tiny.yaml'), 'utf8').replace('quickRepetitions: 40', 'quickRepetitions: 1'),
    );
    const r = runCli(['run', file, '--quick', '--out', join(dir, 'reports')], { ...process.env, CI: '' });
    // Nothing on stderr but progress lines (a plain one appears if the run outlasts its interval under load).
    expect(r.stderr.split('\n').filter((l) => l && !/^trial \d+\/\d+ /.test(l))).toEqual([]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/note: backend started in \d+\.\d s \(until it answered \/health\)/);
    const json = readdirSync(join(dir, 'reports')).find((f) => f.endsWith('.json'))!;
    const report = JSON.parse(readFileSync(join(dir, 'reports', json), 'utf8')) as Report;
    expect(report.backend).toMatch(/\(container, (podman|docker), http:\/\/127\.0\.0\.1:\d+, sqlite\)/);
    expect(report.backendStartupMs).toBeGreaterThan(0);
    expect(measured(report.results.reference!.metrics.apiCalls).with.median).toBeGreaterThan(0);
  }, 300_000);

  it('Ctrl-C (SIGINT) in the middle of a run leaves no container and no API service running', async () => {
    const dir = tempDir();
    const child = spawn(process.execPath, [trackbench, 'run', tinyScenario(dir), '--quick', '--out', join(dir, 'r')], {
      env: { ...process.env, CI: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString('utf8')));
    const exited = new Promise<number | null>((resolve) =>
      child.once('exit', (code, signal) => resolve(code ?? (signal ? 128 : null))),
    );
    const session = `${child.pid}-`;
    // Mid-run: the container is up and trials are going (its port answers /health), then Ctrl-C.
    const deadline = Date.now() + 180_000;
    let healthy = false;
    while (!healthy && Date.now() < deadline && child.exitCode === null) {
      const [id] = containersOf(session);
      if (id) {
        const port = spawnSync(cli, ['port', id, '5000'], { encoding: 'utf8' }).stdout.trim().split(':').at(-1);
        healthy =
          Boolean(port) &&
          (await fetch(`http://127.0.0.1:${port}/health`).then(
            (r) => r.ok,
            () => false,
          ));
      }
      if (!healthy) await sleep(250);
    }
    expect(healthy, `container never became healthy; stderr: ${stderr}`).toBe(true);
    await sleep(1500);
    expect(child.exitCode).toBeNull(); // still running: 40 rounds take far longer than this
    child.kill('SIGINT');
    // Removal retries for up to 90 s on a loaded machine (container-cleanup.ts): wait longer than that.
    const code = await Promise.race([exited, sleep(150_000).then(() => 'still running')]);
    if (code === 'still running') child.kill('SIGKILL');
    expect(code).toBe(130);
    expect(containersOf(session)).toEqual([]);
    const ours = `trackbench-podman-${child.pid}-`;
    expect(readdirSync(tmpdir()).filter((f) => f.startsWith(ours))).toEqual([]);
    const services = execFileSync('ps', ['-eo', 'args='], { encoding: 'utf8' })
      .split('\n')
      .filter((a) => a.includes(ours));
    expect(services).toEqual([]);
    expect(existsSync(join(dir, 'r')) ? readdirSync(join(dir, 'r')) : []).toEqual([]);
  }, 420_000);

  // One container per suite run, so two runs: a failing target through the suite, the reference hook
  // through the command line (exit 0, reports written). Both must find exactly what the mock finds.
  it('conformance --backend container finds what the mock finds (apart from fault situations)', async () => {
    // A requirement checked in several config modes has one result per mode: key by both.
    const key = (x: TargetResult['results'][number]): string => `${x.id}${x.mode ? ` [${x.mode}]` : ''}`;
    const statuses = (r: TargetResult): Record<string, string> =>
      Object.fromEntries(r.results.map((x) => [key(x), x.finding.status]));
    const out = tempDir();
    const printed: string[] = [];
    const io = { out: (t: string) => void printed.push(t), err: (t: string) => void printed.push(t), isTTY: false };
    const args = ['conformance', '--target', 'builtin:reference', '--backend', 'container', '--out', out];
    // On failure, what the suite printed names the requirement, its situation and what was found.
    expect(await main(args, io), printed.join('\n')).toBe(0);
    expect(printed.join('\n')).toMatch(/Total: \d+\/\d+ MUST/);
    const json = readdirSync(out).filter((f) => f.endsWith('.json'));
    expect(json).toHaveLength(1);
    const container = (JSON.parse(readFileSync(join(out, json[0]!), 'utf8')) as { targets: TargetResult[] })
      .targets[0]!;
    // The reference hook passes everything on the mock, so a requirement that reads differently on
    // the container is a difference between the two servers. (A hook that fails only under faults
    // would pass here: the fault situations need the mock and a requirement spanning several
    // situations is judged on those that ran.)
    const onMock = statuses(await runSuite(parseTarget('builtin:reference')));
    expect(container.errors).toEqual([]);
    const skipped = container.results.filter((x) => x.finding.status === 'skip' && onMock[key(x)] !== 'skip');
    expect(skipped.length).toBeGreaterThan(0);
    // Only the situations with injected faults (server down, slow server, an outage mid-run) need the mock.
    const faulty = Object.values(SCENARIOS).filter((s) => s.faults || s.outage);
    expect(faulty.map((s) => s.id)).toEqual(expect.arrayContaining(['server-down', 'slow-server', 'outage']));
    for (const x of skipped) {
      expect(faulty.map((s) => s.id)).toContain(x.scenario);
      expect(x.finding.found).toContain("needs the mock's fault injection");
    }
    const compared = container.results.filter((x) => !skipped.includes(x));
    expect(compared.length).toBeGreaterThan(30);
    expect(Object.fromEntries(compared.map((x) => [key(x), x.finding.status]))).toEqual(
      Object.fromEntries(compared.map((x) => [key(x), onMock[key(x)]])),
    );
  }, 600_000);
});
