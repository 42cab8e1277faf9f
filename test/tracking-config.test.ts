import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import { inputErrorLines } from './helpers/errors.ts';
import { createReferenceHook } from '../src/tracking/builtin/reference.ts';
import { trackingClient } from '../src/tracking/common.ts';
import { defaultTrackingConfig, loadTrackingConfig } from '../src/tracking/config/load-config.ts';
import { flattenDict, paramsFromInputs } from '../src/tracking/params.ts';
import { config, context, paramsOf, runTracked, tagsOf } from './helpers/tracking.ts';
import { pipelineOf } from './helpers/scenario.ts';

function confDir(base?: string, local?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'tb-conf-'));
  if (base !== undefined) {
    mkdirSync(join(dir, 'base'));
    writeFileSync(join(dir, 'base', 'mlflow.yml'), base);
  }
  if (local !== undefined) {
    mkdirSync(join(dir, 'local'));
    writeFileSync(join(dir, 'local', 'mlflow.yml'), local);
  }
  return dir;
}

const problems = inputErrorLines;

describe('mlflow.yml loading', () => {
  it("has kedro-mlflow's defaults", () => {
    const c = defaultTrackingConfig();
    expect(c.tracking).toEqual({
      disable_tracking: { disable_autologging: true, pipelines: [] },
      experiment: {
        name: null,
        create_experiment_kwargs: { artifact_location: null, tags: null },
        restore_if_deleted: true,
      },
      run: { id: null, name: null, nested: true },
      params: { dict_params: { flatten: false, recursive: true, sep: '.' }, long_params_strategy: 'fail' },
    });
    expect(c.server.mlflow_tracking_uri).toBeNull();
    expect(c.trackbench).toMatchObject({ batching: true, async: true, childRunPerNode: false });
  });

  it('overrides conf/base with conf/local, key by key', () => {
    const dir = confDir(
      'tracking:\n  experiment: {name: base-exp}\n  run: {name: base-run}\n',
      'tracking:\n  run: {name: local-run}\n',
    );
    const c = loadTrackingConfig({ confDir: dir });
    expect(c.tracking.experiment.name).toBe('base-exp');
    expect(c.tracking.run.name).toBe('local-run');
    expect(c.tracking.run.nested).toBe(true);
  });

  it('reports unknown keys with file:line:col and a suggestion, in either file', () => {
    const dir = confDir(
      'tracking:\n  experiment: {name: x}\n  parms: {}\n',
      'server:\n  mlflow_tracking_url: http://x\n',
    );
    const lines = problems(() => loadTrackingConfig({ confDir: dir }));
    expect(lines[0]).toBe(
      `${join(dir, 'base', 'mlflow.yml')}:3:3 tracking.parms: unknown key (did you mean "params"?); allowed: ` +
        `disable_tracking, experiment, run, params`,
    );
    // The base file's problem stops loading before the local one is read.
    const only = confDir(undefined, 'server:\n  mlflow_tracking_url: http://x\n');
    expect(problems(() => loadTrackingConfig({ confDir: only }))[0]).toContain(
      'local/mlflow.yml:2:3 server.mlflow_tracking_url: unknown key (did you mean "mlflow_tracking_uri"?)',
    );
  });

  it('interpolates ${env:NAME} and names a missing variable', () => {
    const dir = confDir('tracking:\n  experiment: {name: "exp-${env:TB_TEST_TEAM}"}\n');
    expect(loadTrackingConfig({ confDir: dir }, { TB_TEST_TEAM: 'fraud' }).tracking.experiment.name).toBe('exp-fraud');
    expect(problems(() => loadTrackingConfig({ confDir: dir }, {}))).toEqual([
      `${join(dir, 'base', 'mlflow.yml')}:2:22 tracking.experiment.name: environment variable TB_TEST_TEAM is not set`,
    ]);
  });

  it('refuses a literal token or password, saying why, and credentials in a URI', () => {
    const dir = confDir(
      'server:\n  request_header_provider:\n    init_kwargs: {token: abc123secret}\n  mlflow_tracking_uri: ' +
        '"https://bob:hunter2@mlflow.example"\n',
    );
    const lines = problems(() => loadTrackingConfig({ confDir: dir }));
    expect(lines.join('\n')).toContain(
      'server.request_header_provider.init_kwargs.token: a literal credential is refused (the value is not shown)',
    );
    expect(lines.join('\n')).toContain('server.mlflow_tracking_uri: credentials in a URI are refused');
    expect(lines.join('\n')).not.toContain('abc123secret');
    const ok = confDir('server:\n  request_header_provider:\n    init_kwargs: {token: "${env:MY_TOKEN}"}\n');
    expect(loadTrackingConfig({ confDir: ok }, { MY_TOKEN: 't' }).server).toBeDefined();
    expect(problems(() => loadTrackingConfig({ confDir: confDir('server: {credentials: my_creds}\n') }))[0]).toContain(
      'server.credentials: must be null',
    );
  });

  describe('every common form of a literal secret is refused, with its location, never echoed', () => {
    const SECRET = 'Zq8canarySecret7';
    const forms: [string, string, RegExp][] = [
      [
        'an Authorization header',
        `init_kwargs: {headers: {Authorization: "Bearer ${SECRET}"}}`,
        /headers\.Authorization/,
      ],
      ['a Bearer value under any key', `init_kwargs: {h: "Bearer ${SECRET}"}`, /init_kwargs\.h: a literal/],
      ['a key named auth', `init_kwargs: {auth: ${SECRET}}`, /init_kwargs\.auth: a literal/],
      ['a key named pwd', `init_kwargs: {pwd: ${SECRET}}`, /init_kwargs\.pwd: a literal/],
      ['a key named private_key', `init_kwargs: {private_key: ${SECRET}}`, /init_kwargs\.private_key: a literal/],
      ['a numeric value', `init_kwargs: {token: 12345678}`, /init_kwargs\.token: a literal/],
      ['a list value', `init_kwargs: {password: [${SECRET}]}`, /init_kwargs\.password: a literal/],
      [
        'a token as URI userinfo',
        `init_kwargs: {url: "http://${SECRET}@host"}`,
        /init_kwargs\.url: credentials in a URI/,
      ],
      ['?token= in a URI', `init_kwargs: {url: "https://host/x?token=${SECRET}"}`, /credentials in a URI/],
      ['a leading space', `init_kwargs: {" token": " ${SECRET}"}`, /a literal credential/],
    ];
    it.each(forms)('%s', (_name, kwargs, message) => {
      const dir = confDir(`server:\n  request_header_provider:\n    ${kwargs}\n`);
      const text = problems(() => loadTrackingConfig({ confDir: dir })).join('\n');
      expect(text).toMatch(message);
      expect(text).toMatch(/mlflow\.yml:\d+:\d+/);
      expect(text).not.toContain(SECRET);
      expect(text).not.toContain('12345678');
    });

    it.each([
      ['tracking.run.name', 'tracking: {run: {name: "run-${env:MLFLOW_TRACKING_TOKEN}"}}'],
      ['tracking.experiment.name', 'tracking: {experiment: {name: "${env:MLFLOW_TRACKING_PASSWORD}"}}'],
      ['tags', 'tracking: {experiment: {create_experiment_kwargs: {tags: {t: "${env:MY_API_KEY}"}}}}'],
    ])('a credential variable interpolated into %s is refused', (_where, yaml) => {
      const env = { MLFLOW_TRACKING_TOKEN: SECRET, MLFLOW_TRACKING_PASSWORD: SECRET, MY_API_KEY: SECRET };
      const text = problems(() => loadTrackingConfig({ confDir: confDir(yaml) }, env)).join('\n');
      expect(text).toMatch(/is a credential: it would be sent to the server/);
      expect(text).not.toContain(SECRET);
    });

    // The variable's name says nothing: what it gives is held to the rule a literal value is.
    it.each([
      ['a URI with user:password@', `http://alice:${SECRET}@127.0.0.1:5000`],
      ['a URI with ?token=', `https://host/x?token=${SECRET}`],
      ['a bearer token', `Bearer ${SECRET}`],
    ])('a variable of any name that gives %s is refused where it would be sent', (_what, value) => {
      const yaml = 'tracking: {run: {name: "run ${env:MY_URI}"}}';
      const text = problems(() => loadTrackingConfig({ confDir: confDir(yaml) }, { MY_URI: value })).join('\n');
      expect(text).toMatch(/mlflow\.yml:1:\d+ tracking\.run\.name: the environment gave a credential here/);
      expect(text).not.toContain(SECRET);
      // Where credentials belong, it stays.
      const header = 'server:\n  request_header_provider:\n    init_kwargs: {url: "${env:MY_URI}"}\n';
      expect(() => loadTrackingConfig({ confDir: confDir(header) }, { MY_URI: value })).not.toThrow();
    });
  });

  it('locates problems of an inline config in the scenario file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-sc-'));
    const file = join(dir, 's.yaml');
    writeFileSync(
      file,
      'name: s\npipeline: {nodes: 2}\nhooks:\n  - name: reference\n    options:\n      mlflow:\n        tracking: ' +
        '{run: {nme: x}}\n',
    );
    const err: string[] = [];
    expect(await main(['trace', file], { out: () => {}, err: (t) => void err.push(t), isTTY: false })).toBe(2);
    expect(err.join('')).toContain(
      `${file}:7:26 hooks[0].options.mlflow.tracking.run.nme: unknown key (did you mean "name"?)`,
    );
  });

  it('refuses a conf folder with no mlflow.yml', () => {
    expect(problems(() => loadTrackingConfig({ confDir: confDir() }))[0]).toContain(
      'no mlflow.yml found in base/ or local/',
    );
  });

  it("a scenario's conf: with no mlflow.yml is located at its line and column", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-sc-'));
    const file = join(dir, 'missing-conf.yaml');
    writeFileSync(file, 'name: s\npipeline: {nodes: 2}\nhooks:\n  - name: reference\n    options: {conf: ./nowhere}\n');
    const err: string[] = [];
    expect(await main(['validate', file], { out: () => {}, err: (t) => void err.push(t), isTTY: false })).toBe(2);
    expect(err.join('')).toBe(
      `${file}:5:21 hooks[0].options.conf: ${join(dir, 'nowhere')}: no mlflow.yml found in base/ or local/`,
    );
  });
});

describe('every configuration key takes effect', () => {
  const p = pipelineOf({
    nodes: 3,
    paramsPerNode: { count: 2, kinds: { dict: 1 }, dictKeys: 2, dictDepth: 2 },
    metricsPerNode: 1,
  });

  it('server.mlflow_tracking_uri is used when the harness names no server; MLFLOW_TRACKING_URI is the fallback', () => {
    const c = loadTrackingConfig({ inline: { server: { mlflow_tracking_uri: 'http://config.example:5000' } } });
    expect(trackingClient(c, { ...context(undefined) }, {}).trackingUri).toBe('http://config.example:5000');
    expect(
      trackingClient(defaultTrackingConfig(), context(undefined), { MLFLOW_TRACKING_URI: 'http://env.example' })
        .trackingUri,
    ).toBe('http://env.example');
    expect(() => trackingClient(defaultTrackingConfig(), context(undefined), {})).toThrow('no tracking URI');
    expect(trackingClient(c, context({ trackingUri: 'http://harness' }), {}).trackingUri).toBe('http://harness');
  });

  it('tracking.experiment.name and tracking.run.name', async () => {
    const { backend, runs } = await runTracked(
      p,
      (b) =>
        createReferenceHook(
          config({ tracking: { experiment: { name: 'my-exp' }, run: { name: 'my-run' } } }),
          context(b),
        ),
      { keepBackend: true },
    );
    expect(runs[0]!.run.info.run_name).toBe('my-run');
    expect(backend.mock.store.getExperimentByName('my-exp').experiment_id).toBe(runs[0]!.run.info.experiment_id);
    await backend.stop();
  });

  it('tracking.run.id logs into an existing run instead of creating one', async () => {
    const { backend, runs } = await runTracked(p, (b) => {
      const exp = b.mock.store.createExperiment('pre');
      const existing = b.mock.store.createRun(exp, 'existing', 1, []);
      return createReferenceHook(config({ tracking: { run: { id: existing.info.run_id } } }), context(b));
    });
    void backend;
    expect(runs).toHaveLength(1);
    expect(runs[0]!.run.info.run_name).toBe('existing');
    expect(runs[0]!.run.data.params).toHaveLength(6);
  });

  it(
    'tracking.run.nested is accepted as in kedro-mlflow (it matters only inside an already active run, which the ' +
      'runner never starts)',
    () => {
      expect(loadTrackingConfig({ inline: { tracking: { run: { nested: false } } } }).tracking.run.nested).toBe(false);
      expect(problems(() => loadTrackingConfig({ inline: { tracking: { run: { nested: 'yes' } } } }))[0]).toContain(
        'tracking.run.nested: must be boolean',
      );
    },
  );

  it('tracking.params.dict_params: flatten, recursive and sep', () => {
    const inputs = { 'params:a.b': { k0: { x: 1 }, k1: 2 }, other: 5 };
    const dp = (flatten: boolean, recursive: boolean, sep: string) => ({
      dict_params: { flatten, recursive, sep },
      long_params_strategy: 'fail' as const,
    });
    expect(paramsFromInputs(inputs, dp(false, true, '.')).params).toEqual([
      { key: 'a.b', value: '{"k0":{"x":1},"k1":2}' },
    ]);
    expect(paramsFromInputs(inputs, dp(true, true, '.')).params.map((x) => x.key)).toEqual(['a.b.k0.x', 'a.b.k1']);
    expect(paramsFromInputs(inputs, dp(true, false, '/')).params).toEqual([
      { key: 'a.b/k0', value: '{"x":1}' },
      { key: 'a.b/k1', value: '2' },
    ]);
    expect(flattenDict({ a: { b: { c: 1 } } }, true, '__')).toEqual({ a__b__c: 1 });
  });

  it("keys are sanitised the way kedro-mlflow does (characters outside MLflow's set become _)", () => {
    const out = paramsFromInputs({ 'params:weird key!(x)': 1 }, defaultTrackingConfig().tracking.params);
    expect(out.params).toEqual([{ key: 'weird key__x_', value: '1' }]);
  });

  for (const [strategy, expectParam, expectTag] of [
    ['truncate', 6000, undefined],
    ['tag', undefined, 7000],
  ] as const) {
    it(`tracking.params.long_params_strategy: ${strategy}`, async () => {
      const long = pipelineOf({ nodes: 1, paramsPerNode: { count: 1, kinds: { string: 1 }, stringLength: 7000 } });
      const { runs, error } = await runTracked(long, (b) =>
        createReferenceHook(config({ tracking: { params: { long_params_strategy: strategy } } }), context(b)),
      );
      expect(error).toBeUndefined();
      expect(paramsOf(runs[0]!)['load_0.learning_rate_0']?.length).toBe(expectParam);
      expect(tagsOf(runs[0]!)['load_0.learning_rate_0']?.length).toBe(expectTag);
    });
  }
  // `fail` is covered in tracking-hooks.test.ts (the run ends FAILED with the message).

  it('tracking.disable_tracking.pipelines: a listed pipeline creates no run', async () => {
    const { runs, apiCalls } = await runTracked(p, (b) =>
      createReferenceHook(config({ tracking: { disable_tracking: { pipelines: ['__default__'] } } }), context(b)),
    );
    expect(runs).toHaveLength(0);
    expect(apiCalls).toBe(0); // the experiment is resolved only when a run is to be created
  });

  it('trackbench.batching: off sends one request per value', async () => {
    const { backend } = await runTracked(
      p,
      (b) => createReferenceHook(config({ trackbench: { batching: false } }), context(b)),
      { keepBackend: true },
    );
    const byEndpoint = backend.requestLog
      .since(0)
      .reduce<Record<string, number>>((m, r) => ({ ...m, [r.endpoint]: (m[r.endpoint] ?? 0) + 1 }), {});
    expect(byEndpoint).toMatchObject({ 'runs/log-parameter': 6, 'runs/log-metric': 3, 'runs/set-tag': 3 });
    expect(byEndpoint['runs/log-batch']).toBeUndefined();
    await backend.stop();
  });

  it('trackbench.async: off delivers before each hook call returns', async () => {
    const hooksSeen: number[] = [];
    const { runs } = await runTracked(p, (b) => {
      const hook = createReferenceHook(config({ trackbench: { async: false, batching: false } }), context(b));
      const before = hook.beforeNodeRun!.bind(hook);
      hook.beforeNodeRun = async (...args) => {
        await before(...args);
        hooksSeen.push(b.requestLog.size);
      };
      return hook;
    });
    // Each node's 2 params and its tag are on the server when beforeNodeRun returns.
    expect(hooksSeen[1]! - hooksSeen[0]!).toBeGreaterThanOrEqual(3);
    expect(runs[0]!.run.data.params).toHaveLength(6);
  });

  it('trackbench.flushIntervalMs sends partial batches on a timer', async () => {
    const slow = pipelineOf({ nodes: 4, paramsPerNode: { count: 1 }, work: { sleepMs: 60 } });
    const { backend } = await runTracked(
      slow,
      (b) => createReferenceHook(config({ trackbench: { flushIntervalMs: 20 } }), context(b)),
      { keepBackend: true },
    );
    // Without the timer, 4 params + 4 tags would go in one final batch.
    expect(backend.requestLog.since(0).filter((r) => r.endpoint === 'runs/log-batch').length).toBeGreaterThan(1);
    await backend.stop();
  });

  it('trackbench.spillDir: the reference hook probes through its breaker and spills where configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-spill-'));
    const { backend, hooks } = await runTracked(
      p,
      (b) => {
        b.setFaults!({ down: true });
        return createReferenceHook(
          loadTrackingConfig({
            inline: {
              trackbench: {
                spillDir: dir,
                retry: { maxRetries: 2, backoffFactor: 0.001, backoffJitter: 0 },
                outage: { drainMs: 0, probeMinMs: 50 },
              },
            },
          }),
          context(b),
        );
      },
      { keepBackend: true },
    );
    // The (asynchronous) reference hook's retries are its circuit breaker's probes, one attempt each
    // (trackbench.retry is for synchronous delivery). With no drain time, the hook stops probing when the pipeline
    // ends and spills the rest.
    expect(backend.requestLog.size).toBeGreaterThanOrEqual(1);
    expect(hooks.stats().spillFile?.startsWith(dir)).toBe(true);
    await backend.stop();
  });

  it('trackbench.childRunPerNode and queueBound are covered in tracking-hooks.test.ts', () => {
    expect(
      loadTrackingConfig({ inline: { trackbench: { childRunPerNode: true, queueBound: 7 } } }).trackbench,
    ).toMatchObject({ childRunPerNode: true, queueBound: 7 });
  });
});
