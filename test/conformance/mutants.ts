// Deliberately broken hooks, one (at least) per requirement: the suite checks itself by catching
// each. Most are the reference hook talking through a client that corrupts one thing.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { factoryTarget, type Target } from '../../src/conformance/targets.ts';
import { credentialsFromEnv } from '../../src/mlflow/auth.ts';
import { MlflowClient, type ClientOptions } from '../../src/mlflow/client.ts';
import type { KeyValue, Metric, ModelVersion, Run, RunInfo, RunStatus, RunTag } from '../../src/mlflow/wire.ts';
import type { HookFactory, HookFactoryContext, Hooks } from '../../src/pipeline/hooks.ts';
import { BUILTIN_HOOKS } from '../../src/tracking/registry.ts';
import { createReferenceHook } from '../../src/tracking/builtin/reference.ts';
import { loadTrackingConfig } from '../../src/tracking/config/load-config.ts';

type Batch = { run_id: string; metrics?: Metric[]; params?: KeyValue[]; tags?: RunTag[] };

interface Tweaks {
  batch?(b: Batch, client: MutantClient): Batch | Promise<Batch>;
  createRun?(
    req: { experiment_id: string; run_name?: string; start_time?: number; tags?: RunTag[] },
    send: () => Promise<Run>,
    client: MutantClient,
  ): Promise<Run>;
  updateRun?(
    req: { run_id: string; status?: RunStatus; end_time?: number },
    client: MutantClient,
  ): { run_id: string; status?: RunStatus; end_time?: number } | null;
  upload?(path: string, bytes: Buffer): Buffer | null;
  modelVersion?(
    req: { name: string; source: string; run_id?: string },
    n: number,
  ): { name: string; source: string; run_id?: string } | null;
  experimentName?(name: string): string;
}

class MutantClient extends MlflowClient {
  private versions = 0;
  readonly children = new Set<string>();
  constructor(
    options: ClientOptions,
    private readonly tweaks: Tweaks,
  ) {
    super(options);
  }
  override async logBatch(req: Batch): Promise<void> {
    return super.logBatch(this.tweaks.batch ? await this.tweaks.batch(structuredClone(req), this) : req);
  }
  override async createRun(req: {
    experiment_id: string;
    run_name?: string;
    start_time?: number;
    tags?: RunTag[];
  }): Promise<Run> {
    const send = () => super.createRun(req);
    const run = this.tweaks.createRun ? await this.tweaks.createRun(req, send, this) : await send();
    if (req.tags?.some((t) => t.key === 'mlflow.parentRunId')) this.children.add(run.info.run_id);
    return run;
  }
  override async updateRun(req: { run_id: string; status?: RunStatus; end_time?: number }): Promise<RunInfo> {
    const next = this.tweaks.updateRun ? this.tweaks.updateRun(req, this) : req;
    return next ? super.updateRun(next) : ({} as RunInfo);
  }
  override async uploadArtifact(uri: string, path: string, bytes: Buffer): Promise<void> {
    const next = this.tweaks.upload ? this.tweaks.upload(path, bytes) : bytes;
    if (next) await super.uploadArtifact(uri, path, next);
  }
  override async createModelVersion(req: { name: string; source: string; run_id?: string }): Promise<ModelVersion> {
    const next = this.tweaks.modelVersion ? this.tweaks.modelVersion(req, this.versions++) : req;
    return next ? super.createModelVersion(next) : ({} as ModelVersion);
  }
  override async getOrCreateExperiment(name: string): Promise<string> {
    return super.getOrCreateExperiment(this.tweaks.experimentName ? this.tweaks.experimentName(name) : name);
  }
}

function reference(
  tweaks: Tweaks,
  inline: Record<string, unknown> = {},
  client?: (opts: ClientOptions) => MlflowClient,
) {
  return (_options: Record<string, unknown>, ctx: HookFactoryContext): Hooks => {
    const spillDir = mkdtempSync(join(tmpdir(), 'tb-mutant-'));
    const config = loadTrackingConfig({
      inline: {
        ...inline,
        trackbench: {
          spillDir,
          retry: { maxRetries: 1, backoffFactor: 0.001, backoffJitter: 0 },
          ...((inline.trackbench as object) ?? {}),
        },
      },
    });
    const opts: ClientOptions = {
      trackingUri: ctx.trackingUri!,
      credentials: credentialsFromEnv(),
      retry: config.trackbench.retry,
    };
    return createReferenceHook(config, ctx, client ? client(opts) : new MutantClient(opts, tweaks));
  };
}

const children = { trackbench: { childRunPerNode: true } };
const secret = (): string => process.env.MLFLOW_TRACKING_TOKEN ?? '';
const mapParams =
  (f: (p: KeyValue, i: number) => KeyValue | null) =>
  (b: Batch): Batch => ({ ...b, params: (b.params ?? []).map(f).filter((x): x is KeyValue => x !== null) });
const mapMetrics =
  (f: (m: Metric, i: number) => Metric | null) =>
  (b: Batch): Batch => ({ ...b, metrics: (b.metrics ?? []).map(f).filter((x): x is Metric => x !== null) });
const dropTags =
  (f: (t: RunTag) => boolean) =>
  (b: Batch): Batch => ({ ...b, tags: (b.tags ?? []).filter((t) => !f(t)) });
let counter = 0;

export interface Mutant {
  name: string;
  /** The requirements this mutant breaks (each must catch it). */
  breaks: string[];
  target: Target;
}

function mutant(name: string, breaks: string[], factory: HookFactory): Mutant {
  return { name, breaks, target: factoryTarget(`mutant:${name}`, factory) };
}

export const MUTANTS: Mutant[] = [
  mutant(
    'creates-an-extra-run',
    ['RUN-001'],
    reference({
      createRun: async (req, send, c) => {
        const run = await send();
        if (!req.tags?.some((t) => t.key === 'mlflow.parentRunId'))
          await MlflowClient.prototype.createRun
            .call(c, { experiment_id: req.experiment_id, run_name: 'extra' })
            .then((r) =>
              MlflowClient.prototype.updateRun.call(c, {
                run_id: r.info.run_id,
                status: 'FINISHED',
                end_time: Date.now(),
              }),
            );
        return run;
      },
    }),
  ),
  mutant('never-ends-the-run', ['RUN-002', 'RUN-009'], reference({ updateRun: () => null })),
  mutant(
    'ends-without-end-time',
    ['RUN-003'],
    reference({ updateRun: (r) => ({ run_id: r.run_id, status: r.status }) }),
  ),
  mutant(
    'finished-on-failure',
    ['RUN-004'],
    reference({ updateRun: (r) => ({ ...r, status: r.status === 'FAILED' ? 'FINISHED' : r.status }) }),
  ),
  mutant('ignores-pipeline-errors', ['RUN-005'], (o, ctx) => {
    const hooks = reference({})(o, ctx);
    let nodeFailed = false;
    const onNodeError = hooks.onNodeError?.bind(hooks);
    const onPipelineError = hooks.onPipelineError!.bind(hooks);
    return {
      ...hooks,
      afterCatalogCreated: hooks.afterCatalogCreated?.bind(hooks),
      onNodeError: async (...a) => {
        nodeFailed = true;
        await onNodeError?.(...a);
      },
      onPipelineError: async (...a) => {
        if (nodeFailed) await onPipelineError(...a);
      },
    };
  }),
  mutant('no-error-tag', ['RUN-006'], reference({ batch: dropTags((t) => t.key.includes('error')) })),
  mutant('no-failed-node-tag', ['RUN-007'], reference({ batch: dropTags((t) => t.key.includes('failed_node')) })),
  mutant(
    'random-run-name',
    ['RUN-008'],
    reference({ createRun: (req, _s, c) => MlflowClient.prototype.createRun.call(c, { ...req, run_name: undefined }) }),
  ),
  mutant(
    'default-experiment',
    ['EXP-001'],
    reference({ createRun: (req, _s, c) => MlflowClient.prototype.createRun.call(c, { ...req, experiment_id: '0' }) }),
  ),
  mutant('new-experiment-each-run', ['EXP-002'], reference({ experimentName: (n) => `${n}-${++counter}` })),
  mutant('drops-every-tenth-param', ['PAR-001'], reference({ batch: mapParams((p, i) => (i % 10 === 9 ? null : p)) })),
  mutant(
    'strips-namespaces',
    ['PAR-002'],
    reference({ batch: mapParams((p) => ({ ...p, key: p.key.split('.').slice(-2).join('.') })) }),
  ),
  mutant('alters-values', ['PAR-003'], reference({ batch: mapParams((p) => ({ ...p, value: `${p.value}!` })) })),
  mutant(
    'changes-a-logged-param',
    ['PAR-004'],
    reference({
      batch: async (b, c) => {
        const p = b.params?.[0];
        if (p) {
          await MlflowClient.prototype.logBatch.call(c, { run_id: b.run_id, params: [p] });
          await MlflowClient.prototype.logParam
            .call(c, { run_id: b.run_id, key: p.key, value: `${p.value}-changed` })
            .catch(() => {});
        }
        return { ...b, params: b.params?.slice(1) };
      },
    }),
  ),
  mutant(
    'opaque-dicts',
    ['PAR-005'],
    reference({ batch: mapParams((p) => (p.value.startsWith('{') ? { ...p, value: '[object Object]' } : p)) }),
  ),
  mutant(
    'drops-long-params',
    ['PAR-006'],
    reference(
      { batch: mapParams((p) => (p.value.length >= 6000 ? null : p)) },
      { tracking: { params: { long_params_strategy: 'truncate' } } },
    ),
  ),
  mutant(
    'invents-a-param',
    ['PAR-007'],
    reference({
      batch: (b) => ({
        ...b,
        params: b.params?.length ? [...b.params, { key: `invented_${++counter}`, value: 'x' }] : b.params,
      }),
    }),
  ),
  mutant(
    'drops-every-seventh-metric',
    ['MET-001'],
    reference({ batch: mapMetrics((m, i) => (i % 7 === 6 ? null : m)) }),
  ),
  mutant('shifts-steps', ['MET-002'], reference({ batch: mapMetrics((m) => ({ ...m, step: m.step + 1 })) })),
  mutant(
    'latest-value-only',
    ['MET-003'],
    reference({
      batch: (b) => ({
        ...b,
        metrics: (b.metrics ?? []).filter((m) => !(b.metrics ?? []).some((x) => x.key === m.key && x.step > m.step)),
      }),
    }),
  ),
  mutant('renames-metrics', ['MET-004'], reference({ batch: mapMetrics((m) => ({ ...m, key: `metric.${m.key}` })) })),
  mutant(
    'rounds-metrics',
    ['MET-005'],
    reference({ batch: mapMetrics((m) => ({ ...m, value: Math.round(m.value * 100) / 100 })) }),
  ),
  mutant(
    'no-pipeline-tag',
    ['TAG-001'],
    reference({
      createRun: (req, _s, c) =>
        MlflowClient.prototype.createRun.call(c, {
          ...req,
          tags: req.tags?.filter((t) => !t.key.includes('pipeline')),
        }),
    }),
  ),
  mutant(
    'no-command-tag',
    ['TAG-002'],
    reference({
      createRun: (req, _s, c) =>
        MlflowClient.prototype.createRun.call(c, {
          ...req,
          tags: req.tags?.filter((t) => !t.value.startsWith('kedro run')),
        }),
    }),
  ),
  mutant(
    'no-node-tags',
    ['TAG-003', 'TAG-004'],
    reference({ batch: dropTags((t) => t.key.startsWith('kedro.node.')) }),
  ),
  mutant(
    'dangling-parent',
    ['NST-001'],
    reference(
      {
        createRun: (req, _s, c) =>
          MlflowClient.prototype.createRun.call(c, {
            ...req,
            tags: req.tags?.map((t) => (t.key === 'mlflow.parentRunId' ? { ...t, value: 'f'.repeat(32) } : t)),
          }),
      },
      children,
    ),
  ),
  mutant(
    'duplicate-children',
    ['NST-002'],
    reference(
      {
        createRun: async (req, send, c) => {
          if (req.tags?.some((t) => t.key === 'mlflow.parentRunId')) {
            const dup = await MlflowClient.prototype.createRun.call(c, req);
            await MlflowClient.prototype.updateRun.call(c, {
              run_id: dup.info.run_id,
              status: 'FINISHED',
              end_time: Date.now(),
            });
          }
          return send();
        },
      },
      children,
    ),
  ),
  mutant(
    'open-children',
    ['NST-003'],
    reference({ updateRun: (r, c) => (c.children.has(r.run_id) ? null : r) }, children),
  ),
  mutant(
    'skips-artifacts',
    ['ART-001'],
    reference({ upload: (path, bytes) => (!path.startsWith('models/') && ++counter % 2 === 0 ? null : bytes) }),
  ),
  mutant(
    'truncates-artifacts',
    ['ART-002'],
    reference({ upload: (path, bytes) => (path.startsWith('models/') ? bytes : bytes.subarray(0, bytes.length >> 1)) }),
  ),
  mutant('first-model-only', ['MOD-001'], reference({ modelVersion: (req, n) => (n === 0 ? req : null) })),
  mutant(
    'unlinked-model-versions',
    ['MOD-002'],
    reference({ modelVersion: (req) => ({ name: req.name, source: req.source }) }),
  ),
  mutant(
    'empty-model-files',
    ['MOD-003'],
    reference({ upload: (path, bytes) => (path.startsWith('models/') ? Buffer.alloc(0) : bytes) }),
  ),
  mutant('fails-when-server-down (naive)', ['FLT-001'], BUILTIN_HOOKS.naive!.factory),
  mutant('loses-values-silently', ['FLT-002'], (o, ctx) => reference({})(o, { ...ctx, warn: () => {} })),
  mutant('impatient-client', ['FLT-003'], reference({}, { trackbench: { retry: { maxRetries: 0, timeout: 0.005 } } })),
  mutant('deletes-its-spill-file', ['FLT-004'], (o, ctx) => {
    const hooks = reference({})(o, ctx) as Hooks & { stats(): { spillFile?: string } };
    const after = hooks.afterPipelineRun!.bind(hooks);
    return {
      ...hooks,
      afterCatalogCreated: hooks.afterCatalogCreated?.bind(hooks),
      afterPipelineRun: async (...a) => {
        await after(...a);
        const f = hooks.stats().spillFile;
        if (f) rmSync(f, { force: true });
      },
    };
  }),
  mutant(
    'oversized-batch',
    ['LIM-001'],
    reference({
      batch: (b) => ({
        ...b,
        tags: [...(b.tags ?? []), ...Array.from({ length: 101 }, (_, i) => ({ key: `pad_${i}`, value: 'x' }))],
      }),
    }),
  ),
  mutant(
    'stray-invalid-request',
    ['LIM-002'],
    reference({
      batch: async (b, c) => {
        await MlflowClient.prototype.setTag.call(c, { run_id: 'f'.repeat(32), key: 'k', value: 'v' }).catch(() => {});
        return b;
      },
    }),
  ),
  mutant(
    'unsanitised-keys',
    ['LIM-003'],
    reference({ batch: mapParams((p, i) => (i === 0 ? { ...p, key: `${p.key}?!` } : p)) }),
  ),
  mutant(
    'secret-in-param',
    ['SEC-001'],
    reference({
      batch: (b) => ({
        ...b,
        params: b.params?.length ? [...b.params, { key: `auth_${++counter}`, value: secret() }] : b.params,
      }),
    }),
  ),
  mutant(
    'secret-in-error-tag',
    ['SEC-002'],
    reference({
      batch: (b) => ({
        ...b,
        tags: (b.tags ?? []).map((t) =>
          t.key.includes('error') ? { ...t, value: `${t.value} token=${secret()}` } : t,
        ),
      }),
    }),
  ),
  mutant(
    'secret-in-artifact',
    ['SEC-003'],
    reference({
      upload: (path, bytes) =>
        path.startsWith('models/')
          ? bytes
          : Buffer.concat([bytes.subarray(0, bytes.length - secret().length), Buffer.from(secret())]),
    }),
  ),
  mutant('secret-in-output', ['SEC-004'], (o, ctx) =>
    reference({})(o, { ...ctx, warn: (m) => ctx.warn(`${m} (token ${secret()})`) }),
  ),
  mutant(
    'ignores-env-credentials',
    ['SEC-005'],
    reference({}, {}, (opts) => new MlflowClient({ ...opts, credentials: { secrets: [] } })),
  ),
  mutant('per-value-requests (naive)', ['EFF-001'], BUILTIN_HOOKS.naive!.factory),
  mutant('re-enters-run-per-node (kedro-mlflow-like)', ['EFF-002'], BUILTIN_HOOKS['kedro-mlflow-like']!.factory),
  mutant('unbatched', ['EFF-003'], reference({}, { trackbench: { batching: false } })),
];
