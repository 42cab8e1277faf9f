import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { describe, expect, it } from 'vitest';
import { localServerAvailable, startLocalServer } from '../src/backends/local-server.ts';
import { startHttpMock } from '../src/backends/mock/http-server.ts';
import { startInProcessMock } from '../src/backends/mock/in-process.ts';
import { summarizeRequests } from '../src/backends/mock/request-log.ts';
import { withRequestLog } from '../src/backends/recording-proxy.ts';
import { main } from '../src/cli/main.ts';
import { EnvironmentError } from '../src/errors.ts';
import { MlflowClient } from '../src/mlflow/client.ts';

const quiet = { out: () => {}, err: () => {}, isTTY: false };

describe('mock transports share one store, one request log, one fault policy', () => {
  it('records method, endpoint, status and bytes of every request, including unknown paths', async () => {
    const mock = await startHttpMock();
    const body = JSON.stringify({ name: 'log-exp' });
    const res = await fetch(`${mock.trackingUri}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    const text = await res.text();
    await fetch(`${mock.trackingUri}/api/2.0/mlflow/nope`);
    const [create, unknown] = mock.requestLog.since(0);
    expect(create).toMatchObject({
      method: 'POST',
      endpoint: 'experiments/create',
      status: 200,
      requestBytes: body.length,
      responseBytes: Buffer.byteLength(text),
    });
    expect(unknown).toMatchObject({ method: 'GET', status: 404 });
    expect(summarizeRequests(mock.requestLog.since(0))).toMatchObject({
      apiCalls: 2,
      errors: 1,
      byEndpoint: { 'experiments/create': 1, nope: 1 },
    });
    await mock.stop();
  });

  it('injects latency, outages and an error rate before any handler runs', async () => {
    const mock = await startInProcessMock();
    const client = new MlflowClient({ trackingUri: mock.trackingUri, retry: { maxRetries: 0 } });
    mock.setFaults!({ latencyMs: 30 });
    const t0 = performance.now();
    await client.getOrCreateExperiment('faults');
    // Two requests (get-by-name 404, create), each delayed; a wide lower bound only.
    expect(performance.now() - t0).toBeGreaterThanOrEqual(50);
    mock.setFaults!({ down: true });
    await expect(client.getExperiment('0')).rejects.toMatchObject({
      status: 503,
      errorCode: 'TEMPORARILY_UNAVAILABLE',
    });
    mock.setFaults!({ errorRate: 0.5 });
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, () =>
        client.getExperiment('0').then(
          () => 'ok',
          () => 'fail',
        ),
      ),
    );
    const failed = outcomes.filter((o) => o === 'fail').length;
    // Binomial(200, 0.5): 60..140 holds with overwhelming probability for any seed.
    expect(failed).toBeGreaterThan(60);
    expect(failed).toBeLessThan(140);
    mock.setFaults!({});
    expect((await client.getExperiment('0')).name).toBe('Default');
    client.close();
    await mock.stop();
  });

  it('keeps every header but Authorization, repeats joined, on the mock and through the proxy', async () => {
    const mock = await startHttpMock({ keepBodies: true });
    // The proxy records only a backend without a log of its own.
    const proxied = await withRequestLog({ ...mock, requestLog: undefined }, { keepBodies: true });
    for (const uri of [mock.trackingUri, proxied.trackingUri]) {
      const url = new URL(`${uri}/api/2.0/mlflow/experiments/get?experiment_id=0`);
      // Raw pairs (Host is then ours to send): User-Agent twice, which Node's parsed headers keep once.
      const headers = ['host', url.host, 'authorization', 'Bearer s3cret', 'user-agent', 'ua-1', 'user-agent', 'ua-2'];
      headers.push('X-Debug', 'd');
      await new Promise<void>((resolve, reject) =>
        http.get(url, { headers }, (r) => r.resume().on('end', resolve)).on('error', reject),
      );
    }
    const [direct, viaProxy] = [mock.requestLog.since(0).at(-2)!, proxied.requestLog!.since(0).at(-1)!];
    for (const r of [direct, viaProxy]) {
      expect(r.headers).toMatchObject({ 'user-agent': 'ua-1, ua-2', 'x-debug': 'd' });
      expect(r.headers).not.toHaveProperty('authorization');
      expect(r.authSha256).toBeDefined();
    }
    await proxied.stop();
  });

  it('deletes an experiment with its runs, shows it to a search of view type ALL only, and restores both', async () => {
    const mock = await startInProcessMock();
    const client = new MlflowClient({ trackingUri: mock.trackingUri, retry: { maxRetries: 0 } });
    const id = await client.createExperiment({ name: 'to-delete' });
    const run = await client.createRun({ experiment_id: id });
    await client.deleteExperiment(id);
    const names = async (view?: 'ALL') =>
      (await client.searchExperiments({ view_type: view })).experiments.map((e) => `${e.name}:${e.lifecycle_stage}`);
    expect(await names()).toEqual(['Default:active']);
    expect(await names('ALL')).toContain('to-delete:deleted');
    expect((await client.getRun(run.info.run_id)).info.lifecycle_stage).toBe('deleted');
    await expect(client.createRun({ experiment_id: id })).rejects.toMatchObject({
      errorCode: 'INVALID_PARAMETER_VALUE',
    });
    await expect(client.deleteExperiment(id)).rejects.toMatchObject({ errorCode: 'RESOURCE_DOES_NOT_EXIST' });
    await fetch(`${mock.trackingUri}/api/2.0/mlflow/experiments/restore`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ experiment_id: id }),
    });
    expect((await client.getRun(run.info.run_id)).info.lifecycle_stage).toBe('active');
    client.close();
    await mock.stop();
  });

  it('answers /health like the real server', async () => {
    const mock = await startHttpMock();
    const res = await fetch(`${mock.trackingUri}/health`);
    expect([res.status, await res.text()]).toEqual([200, 'OK']);
    await mock.stop();
  });

  it('builds no Error for a request that arrives whole (only one cut short needs one)', async () => {
    const mock = await startHttpMock();
    const Original = globalThis.Error;
    let built = 0;
    // Counts the errors the mock's code builds while the requests are served; node's internals use their own.
    globalThis.Error = class Counted extends Original {
      constructor(...args: ConstructorParameters<ErrorConstructor>) {
        super(...args);
        built++;
      }
    } as ErrorConstructor;
    try {
      for (let i = 0; i < 5; i++) {
        const res = await fetch(`${mock.trackingUri}/health`, { headers: { connection: 'close' } });
        expect(await res.text()).toBe('OK');
      }
      // 'close' comes after the answer: let it fire before counting
      await new Promise((resolve) => setTimeout(resolve, 50));
    } finally {
      globalThis.Error = Original;
    }
    expect(built).toBe(0);
    await mock.stop();
  });

  it('answers nothing to a request cut short, and logs none', async () => {
    const mock = await startHttpMock();
    const req = http.request(`${mock.trackingUri}/api/2.0/mlflow/experiments/create`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': '100' },
    });
    req.on('error', () => {});
    req.write('{"name": "cut');
    await new Promise((resolve) => setTimeout(resolve, 50));
    req.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(mock.requestLog.size).toBe(0);
    expect((await fetch(`${mock.trackingUri}/health`)).status).toBe(200);
    expect(mock.requestLog.size).toBe(1);
    await mock.stop();
  });

  it('mock-mlflow rejects a bad --port with exit 2 and a message naming the flag', async () => {
    const err: string[] = [];
    expect(await main(['mock-mlflow', '--port', 'abc'], { ...quiet, err: (t) => void err.push(t) })).toBe(2);
    expect(err.join('')).toContain('--port must be an integer 0..65535; got "abc"');
  });

  it('says clearly when the port is taken (exit 3)', async () => {
    const busy = await startHttpMock();
    const err: string[] = [];
    expect(await main(['mock-mlflow', '--port', String(busy.port)], { ...quiet, err: (t) => void err.push(t) })).toBe(
      3,
    );
    expect(err.join('')).toContain(`port ${busy.port} on 127.0.0.1 is already in use`);
    await busy.stop();
  });
});

describe.runIf(localServerAvailable() || process.env.CI === 'true')('local mlflow server backend', () => {
  it('starts on a free loopback port, answers /health, and stops leaving no process behind', async () => {
    const server = await startLocalServer();
    expect(server.trackingUri).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const client = new MlflowClient({ trackingUri: server.trackingUri });
    expect(await client.health()).toBe(true);
    expect(await client.getOrCreateExperiment('local-backend')).toBe('1');
    client.close();
    await server.stop();
    // Every process of the server's group (uvicorn workers included) is gone.
    const left = execFileSync('ps', ['-eo', 'pid=,pgid='], { encoding: 'utf8' })
      .split('\n')
      .map((l) => l.trim().split(/\s+/))
      .filter(([, pgid]) => pgid === String(server.pid));
    expect(left).toEqual([]);
    expect(existsSync(server.dir)).toBe(false);
  }, 120_000);
});

describe('local server backend without mlflow installed', () => {
  it('fails with one clear line naming the setup command', async () => {
    const before = process.env.TRACKBENCH_MLFLOW;
    process.env.TRACKBENCH_MLFLOW = '/nonexistent/mlflow';
    try {
      const err = await startLocalServer().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EnvironmentError);
      expect((err as Error).message).toContain('npm run setup:mlflow');
    } finally {
      if (before === undefined) delete process.env.TRACKBENCH_MLFLOW;
      else process.env.TRACKBENCH_MLFLOW = before;
    }
  });
});
