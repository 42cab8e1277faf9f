// Deliberately broken hooks, one (at least) per requirement: the suite checks itself by catching
// each. Most are the reference hook talking through a client that corrupts one thing.
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { LEAK_WINDOW } from '../../src/conformance/leak.ts';
import { childRunsOf, commandTarget, factoryTarget, parseTarget, type Target } from '../../src/conformance/targets.ts';
import { credentialsFromEnv } from '../../src/mlflow/auth.ts';
import { MlflowClient, type ClientOptions } from '../../src/mlflow/client.ts';
import { MlflowApiError, MlflowNetworkError } from '../../src/mlflow/errors.ts';
import type { KeyValue, Metric, ModelVersion, Run, RunInfo, RunStatus, RunTag } from '../../src/mlflow/wire.ts';
import type { HookFactory, HookFactoryContext, Hooks } from '../../src/pipeline/hooks.ts';
import { BUILTIN_HOOKS } from '../../src/tracking/registry.ts';
import { createReferenceHook } from '../../src/tracking/builtin/reference.ts';
import { isTransient } from '../../src/tracking/delivery/breaker.ts';
import { loadTrackingConfig, type TrackingConfig } from '../../src/tracking/config/load-config.ts';

type Batch = { run_id: string; metrics?: Metric[]; params?: KeyValue[]; tags?: RunTag[] };
type RunEnd = { run_id: string; status?: RunStatus; end_time?: number };

interface Tweaks {
  batch?(b: Batch, client: MutantClient): Batch | Promise<Batch>;
  createRun?(
    req: { experiment_id: string; run_name?: string; start_time?: number; tags?: RunTag[] },
    send: () => Promise<Run>,
    client: MutantClient,
  ): Promise<Run>;
  updateRun?(req: RunEnd, client: MutantClient): RunEnd | null | Promise<RunEnd | null>;
  upload?(path: string, bytes: Buffer): Buffer | null;
  uploadUri?(uri: string, path: string, client: MutantClient): string;
  /** The path to upload a file to instead of its own. */
  uploadPath?(path: string): string;
  /** A second path to upload the same file to. */
  uploadAgain?(path: string): string | null;
  /** Another file uploaded next to this one (a model's metadata). */
  companion?(path: string): { path: string; bytes: Buffer } | null;
  modelVersion?(
    req: { name: string; source: string; run_id?: string },
    n: number,
  ): { name: string; source: string; run_id?: string } | null;
  experimentName?(name: string): string;
  /** The id used for an experiment the lookup found (one the hook did not have to create). */
  foundExperiment?(id: string): string;
}

const topsByTweaks = new WeakMap<Tweaks, { uri: string; runs: Run[] }>();

class MutantClient extends MlflowClient {
  private versions = 0;
  readonly children = new Set<string>();
  /** Runs a mutant has already done its one extra thing in. */
  readonly invented = new Set<string>();
  /** Each child's parent. */
  readonly parentOf = new Map<string, string>();
  /** The first metric timestamp sent for each run. */
  readonly firstStamp = new Map<string, number>();
  constructor(
    options: ClientOptions,
    private readonly tweaks: Tweaks,
  ) {
    super(options);
  }
  override async logBatch(req: Batch): Promise<void> {
    return super.logBatch(this.tweaks.batch ? await this.tweaks.batch(structuredClone(req), this) : req);
  }
  override async createRun(...[req, attempts]: Parameters<MlflowClient['createRun']>): Promise<Run> {
    // The caller's attempts go on with the request: the breaker's retries know of an answer the client lost.
    const send = () => super.createRun(req, attempts);
    const run = this.tweaks.createRun ? await this.tweaks.createRun(req, send, this) : await send();
    const parent = req.tags?.find((t) => t.key === 'mlflow.parentRunId')?.value;
    if (parent) {
      this.children.add(run.info.run_id);
      this.parentOf.set(run.info.run_id, parent);
    } else this.tops.push(run);
    return run;
  }
  /** Creates the run as a child of `parent` (recorded as a top-level run of the mutant's own). */
  async createRunAsChild(
    req: { experiment_id: string; run_name?: string; start_time?: number; tags?: RunTag[] },
    parent: string,
  ): Promise<Run> {
    const run = await super.createRun({
      ...req,
      tags: [...(req.tags ?? []), { key: 'mlflow.parentRunId', value: parent }],
    });
    this.tops.push(run);
    return run;
  }
  /** Top-level runs this mutant created against this server, in order, across its pipeline runs. */
  get tops(): Run[] {
    const uri = this.trackingUri;
    const seen = topsByTweaks.get(this.tweaks);
    if (seen?.uri === uri) return seen.runs;
    const fresh = { uri, runs: [] as Run[] };
    topsByTweaks.set(this.tweaks, fresh);
    return fresh.runs;
  }
  override async updateRun(req: { run_id: string; status?: RunStatus; end_time?: number }): Promise<RunInfo> {
    const next = this.tweaks.updateRun ? await this.tweaks.updateRun(req, this) : req;
    return next ? super.updateRun(next) : ({} as RunInfo);
  }
  override async uploadArtifact(uri: string, path: string, bytes: Buffer): Promise<void> {
    const next = this.tweaks.upload ? this.tweaks.upload(path, bytes) : bytes;
    const at = this.tweaks.uploadPath ? this.tweaks.uploadPath(path) : path;
    if (next)
      await super.uploadArtifact(this.tweaks.uploadUri ? this.tweaks.uploadUri(uri, path, this) : uri, at, next);
    const again = next && this.tweaks.uploadAgain?.(path);
    if (next && again) await super.uploadArtifact(uri, again, next);
    const extra = next && this.tweaks.companion?.(path);
    if (extra) await super.uploadArtifact(uri, extra.path, extra.bytes);
  }
  override async createModelVersion(req: { name: string; source: string; run_id?: string }): Promise<ModelVersion> {
    const next = this.tweaks.modelVersion ? this.tweaks.modelVersion(req, this.versions++) : req;
    return next ? super.createModelVersion(next) : ({} as ModelVersion);
  }
  override async getOrCreateExperiment(name: string): Promise<string> {
    const as = this.tweaks.experimentName ? this.tweaks.experimentName(name) : name;
    if (this.tweaks.foundExperiment) {
      const existing = await this.getExperimentByName(as).catch(() => undefined);
      if (existing) return this.tweaks.foundExperiment(existing.experiment_id);
    }
    return super.getOrCreateExperiment(as);
  }
}

function reference(
  tweaks: Tweaks,
  inline: Record<string, unknown> = {},
  client?: (opts: ClientOptions) => MlflowClient,
  /** Settings past what mlflow.yml allows. */
  adjust: (config: TrackingConfig) => void = () => {},
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
    adjust(config);
    const opts: ClientOptions = {
      trackingUri: ctx.trackingUri!,
      credentials: credentialsFromEnv(),
      retry: config.trackbench.retry,
    };
    return createReferenceHook(config, ctx, client ? client(opts) : new MutantClient(opts, tweaks));
  };
}

const children = { trackbench: { childRunPerNode: true } };
/** Child-run ends a mutant holds back, by client. */
const heldEnds = new WeakMap<MutantClient, RunEnd[]>();
/** An updateRun tweak that holds child-run ends back until a top-level run's end, then `release`s them around it
 * (what it returns is sent for the top-level run). */
const holdChildEnds =
  (release: (held: RunEnd[], end: RunEnd, c: MutantClient) => Promise<RunEnd | null>) =>
  (r: RunEnd, c: MutantClient): RunEnd | null | Promise<RunEnd | null> => {
    const held = heldEnds.get(c) ?? [];
    heldEnds.set(c, held);
    if (!c.children.has(r.run_id)) return release(held.splice(0), r, c);
    held.push(r);
    return null;
  };
const sendEnd = (c: MutantClient, r: RunEnd): Promise<RunInfo> => MlflowClient.prototype.updateRun.call(c, r);
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
/** A finished, empty twin of the child run `req` makes (a top-level run's request makes none). */
async function twinChild(req: Parameters<NonNullable<Tweaks['createRun']>>[0], c: MutantClient): Promise<void> {
  if (!req.tags?.some((t) => t.key === 'mlflow.parentRunId')) return;
  const dup = await MlflowClient.prototype.createRun.call(c, req);
  await MlflowClient.prototype.updateRun.call(c, { run_id: dup.info.run_id, status: 'FINISHED', end_time: Date.now() });
}
/** Top-level runs each mutant client has made: its sessions. */
const sessions = new WeakMap<MutantClient, number>();
/** Runs that got an error tag, by client. */
const erred = new WeakMap<MutantClient, Set<string>>();
const erredRuns = (c: MutantClient): Set<string> => {
  let runs = erred.get(c);
  if (!runs) erred.set(c, (runs = new Set()));
  return runs;
};

export interface Mutant {
  name: string;
  /** The requirements this mutant breaks (each must catch it). */
  breaks: string[];
  target: Target;
  /** Caught only by requirements of the family of what it breaks: checked against the whole catalogue. */
  alone?: boolean;
  /** What the target it is made from fails already, not its bug (the Python fixture's, test/conformance-cli.test.ts):
   * not counted against `alone`. */
  baseFails?: string[];
}

/** `declared`: the options the target says it runs with (what the suite expects), which the mutant may not honour. */
function mutant(name: string, breaks: string[], factory: HookFactory, declared: Record<string, unknown> = {}): Mutant {
  return { name, breaks, target: factoryTarget(`mutant:${name}`, factory, declared) };
}

/**
 * A mutant that honours childRunPerNode as the reference does: the whole catalogue without child runs, and the
 * nested-run requirements with them (with child runs on, the slow-server flush is over FLT-007's bound, a mode
 * FLT-007 is not checked in).
 */
function nesting(name: string, breaks: string[], tweaks: Tweaks): Mutant {
  const target = (options: Record<string, unknown>): Target => ({
    ...factoryTarget(`mutant:${name}`, reference(tweaks, childRunsOf(options) ? children : {}), options),
    modes: () => ['childRunPerNode'],
    options,
    configure: target,
  });
  return { name, breaks, target: target({}) };
}

/** A mutant whose hook with child runs is `nested` (the reference hook without them). */
function nestingFactory(name: string, breaks: string[], nested: HookFactory): Mutant {
  const target = (options: Record<string, unknown>): Target => ({
    ...factoryTarget(`mutant:${name}`, childRunsOf(options) ? nested : reference({}), options),
    modes: () => ['childRunPerNode'],
    options,
    configure: target,
  });
  return { name, breaks, target: target({}) };
}

/** `nesting` for a wrapped reference hook: `over` applies only with child runs on. */
const nestingWrap = (
  name: string,
  breaks: string[],
  over: (h: Hooks, ctx: HookFactoryContext, client: MutantClient) => Partial<Hooks>,
): Mutant => nestingFactory(name, breaks, wrap({}, children, over));

/** Steps by a counter per metric key that a client keeps across pipeline runs (steps-go-on-across-pipeline-runs). */
const stepCounters = new WeakMap<MutantClient, Map<string, { run: string; base: number; top: number }>>();
function stepsGoOn(b: Batch, c: MutantClient): Batch {
  const seen = stepCounters.get(c) ?? new Map<string, { run: string; base: number; top: number }>();
  stepCounters.set(c, seen);
  return mapMetrics((m) => {
    let at = seen.get(m.key) ?? { run: b.run_id, base: 0, top: -1 };
    if (at.run !== b.run_id) at = { run: b.run_id, base: at.top + 1, top: at.top };
    seen.set(m.key, at);
    at.top = Math.max(at.top, at.base + m.step);
    return { ...m, step: at.base + m.step };
  })(b);
}

/** Wraps a reference hook's methods (bound, so `this` still works). */
function wrap(
  tweaks: Tweaks,
  inline: Record<string, unknown>,
  over: (h: Hooks, ctx: HookFactoryContext, client: MutantClient) => Partial<Hooks>,
): HookFactory {
  return (o, ctx) => {
    let client: MutantClient | undefined;
    const hooks = reference(tweaks, inline, (opts) => (client = new MutantClient(opts, tweaks)))(o, ctx);
    const bound: Hooks = {};
    for (const [k, v] of Object.entries(hooks))
      if (typeof v === 'function')
        (bound as Record<string, unknown>)[k] = (v as (...a: unknown[]) => unknown).bind(hooks);
    // Set by `reference` just above.
    return { ...bound, ...over(bound, ctx, client!) };
  };
}

/** The reference hook given only the params inputs `keep` accepts (by the node's count of params, value, index). */
function paramsFilter(keep: (count: number, value: unknown, index: number) => boolean): HookFactory {
  return wrap({}, {}, (h) => ({
    beforeNodeRun: (node, catalog, inputs, ...rest) => {
      const params = Object.keys(inputs).filter((k) => k.startsWith('params:'));
      const kept = Object.entries(inputs).filter(
        ([k, v]) => !k.startsWith('params:') || keep(params.length, v, params.indexOf(k)),
      );
      return h.beforeNodeRun?.(node, catalog, Object.fromEntries(kept), ...rest);
    },
  }));
}

const isTerminal = (r: { status?: RunStatus }): boolean => r.status === 'FINISHED' || r.status === 'FAILED';
const flattenDeclared = { mlflow: { tracking: { params: { dict_params: { flatten: true, recursive: true } } } } };
const truncateDeclared = { mlflow: { tracking: { params: { long_params_strategy: 'truncate' } } } };
const password = (): string => process.env.MLFLOW_TRACKING_PASSWORD ?? '';
/** A debug log whose path was fixed when the mutants were loaded, before any situation set TMPDIR (as a hook that
 * computes os.tmpdir() at import does). */
const SYSTEM_TEMP_LOG = join(tmpdir(), `tb-mutant-debug-${process.pid}.log`);

/** A debug log in /var/tmp (kept across reboots), and a plugin's log folder four levels deep in the user's cache. */
const VAR_TMP_LOG = `/var/tmp/tb-mutant-debug-${process.pid}.log`;
const CACHE_LOG_ROOT = join(homedir(), '.cache', `tb-mutant-${process.pid}`);

/** The reference hook, with `extra()` added to the value of every error tag it sends. */
function inErrorTags(extra: () => string): HookFactory {
  return reference({
    batch: (b) => ({
      ...b,
      tags: (b.tags ?? []).map((t) => (t.key.includes('error') ? { ...t, value: `${t.value} ${extra()}` } : t)),
    }),
  });
}

/** Removes what mutants leave outside the suite's folders (the test calls it once they have run). */
export function removeMutantFiles(): void {
  rmSync(SYSTEM_TEMP_LOG, { force: true });
  rmSync(VAR_TMP_LOG, { force: true });
  rmSync(CACHE_LOG_ROOT, { recursive: true, force: true });
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
    'long-params-fail-kept-as-tag',
    ['PAR-006'],
    // configured to fail (as the target declares), it tags the long values instead and goes on
    reference({}, { tracking: { params: { long_params_strategy: 'tag' } } }),
    { mlflow: { tracking: { params: { long_params_strategy: 'fail' } } } },
  ),
  nesting('finishes-unfinished-children', ['RUN-010'], {
    // Only the failing node's run gets the error tag: every other child run ended FAILED is ended FINISHED.
    batch: (b, c) => {
      if (b.tags?.some((t) => t.key === 'trackbench.error')) erredRuns(c).add(b.run_id);
      return b;
    },
    updateRun: (r, c) =>
      c.children.has(r.run_id) && r.status === 'FAILED' && !erredRuns(c).has(r.run_id)
        ? { ...r, status: 'FINISHED' }
        : r,
  }),
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
          await twinChild(req, c);
          return send();
        },
      },
      children,
    ),
  ),
  // Caught in twice alone (checked in basic only, NST-002 passed it): the hook's per-session state is reset after the
  // first node's child run was made, and it is made again.
  mutant(
    'duplicate-children-from-second-session',
    ['NST-002'],
    reference(
      {
        createRun: async (req, send, c) => {
          const parent = req.tags?.find((t) => t.key === 'mlflow.parentRunId')?.value;
          const session = (sessions.get(c) ?? 0) + (parent ? 0 : 1);
          sessions.set(c, session);
          if (parent && session > 1 && !c.invented.has(parent)) {
            c.invented.add(parent);
            await twinChild(req, c);
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
  mutant(
    // A chunked uploader that sends only its first piece: files under 64 KiB arrive whole.
    'uploads-first-64-kib-only',
    ['ART-002'],
    reference({ upload: (_path, bytes) => bytes.subarray(0, 64 * 1024) }),
  ),
  mutant('first-model-only', ['MOD-001'], reference({ modelVersion: (req, n) => (n === 0 ? req : null) })),
  mutant(
    'unlinked-model-versions',
    ['MOD-002'],
    reference({ modelVersion: (req) => ({ name: req.name, source: req.source }) }),
  ),
  mutant(
    'model-source-elsewhere',
    ['MOD-002'],
    reference({ modelVersion: (req) => ({ ...req, source: req.source.replace(/\/artifacts\//, '/elsewhere/') }) }),
  ),
  mutant(
    'empty-model-files',
    ['MOD-003'],
    reference({ upload: (path, bytes) => (path.startsWith('models/') ? Buffer.alloc(0) : bytes) }),
  ),
  mutant('fails-when-server-down (naive)', ['FLT-001'], BUILTIN_HOOKS.naive!.factory),
  mutant('loses-values-silently', ['FLT-002'], (o, ctx) => reference({})(o, { ...ctx, warn: () => {} })),
  // A second pipeline run nests its run under a parent that does not exist (a stale parent id): it is
  // no top-level run, and no pipeline run's family.
  mutant(
    'second-run-under-a-stale-parent',
    ['RUN-001'],
    reference({
      createRun: (req, send, c) =>
        c.tops.length === 1 && !req.tags?.some((t) => t.key === 'mlflow.parentRunId')
          ? c.createRunAsChild(req, 'f'.repeat(32))
          : send(),
    }),
  ),
  mutant(
    // runs/create answered too late (or lost) and sent again: the server made both runs; the first is never ended.
    'retries-run-creation',
    ['RUN-001', 'RUN-010'],
    reference({
      createRun: async (req, send) => {
        if (isTop(req)) await send();
        return send();
      },
    }),
  ),
  mutant(
    // Before the first node, a reachability check with a timeout tuned for a local server. The errors it knows
    // for a server that is down (an error answer, a refused or reset connection) switch it to offline; any other
    // is rethrown, and a timeout is another.
    'timeout-is-fatal',
    ['FLT-003'],
    wrap({}, {}, (h, ctx) => ({
      beforeNodeRun: async (...a) => {
        if (a[0].index === 0) {
          const probe = new MlflowClient({
            trackingUri: ctx.trackingUri!,
            credentials: credentialsFromEnv(),
            retry: { maxRetries: 0, timeout: 0.14 },
          });
          try {
            await probe.searchExperiments({ max_results: 1 });
          } catch (err) {
            const down =
              err instanceof MlflowApiError || (err instanceof MlflowNetworkError && /^ECONN/.test(err.code));
            if (!down) throw err;
          } finally {
            probe.close();
          }
        }
        return h.beforeNodeRun?.(...a);
      },
    })),
  ),
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
  // SEC-001 (no secret in a parameter) was folded into SEC-006: a secret parameter is also one the pipeline did
  // not give (PAR-011) or a wrong value (PAR-010), so no bug could fail SEC-001 alone.
  mutant(
    'secret-in-param',
    ['SEC-006', 'PAR-011'],
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
    inErrorTags(() => `token=${secret()}`),
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
  mutant(
    // Each model's metadata (MLmodel-like, next to its file) records the environment it was logged from, token
    // included. Model folders hold such files (MLmodel, conda.yaml): only the secrets checks look inside.
    'token-in-model-metadata',
    ['SEC-003', 'SEC-006'],
    reference({
      companion: (path) =>
        path.startsWith('models/')
          ? {
              path: `${path}.MLmodel`,
              bytes: Buffer.from(`flavor: trackbench\nenv:\n  MLFLOW_TRACKING_TOKEN: ${secret()}\n`),
            }
          : null,
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
  mutant(
    'floods-the-server',
    ['EFF-004'],
    // Every child run's requests at once: against a real MLflow the run creations starve its connection pool.
    reference({}, children, undefined, (config) => void (config.trackbench.parallelRuns = 64)),
    { mlflow: children },
  ),

  // ---- per run, in every situation
  mutant(
    'end-time-in-seconds',
    ['RUN-010'],
    reference({ updateRun: (r) => (r.end_time ? { ...r, end_time: Math.floor(r.end_time / 1000) } : r) }),
  ),
  mutant(
    'second-run-left-open',
    ['RUN-010'],
    reference({ updateRun: (r, c) => (c.tops.length > 1 && r.run_id === c.tops[1]!.info.run_id ? null : r) }),
  ),
  mutant(
    'failed-child-finished',
    ['RUN-010'],
    reference(
      { updateRun: (r, c) => (c.children.has(r.run_id) && r.status === 'FAILED' ? { ...r, status: 'FINISHED' } : r) },
      children,
    ),
    { mlflow: children },
  ),
  mutant(
    'writes-after-end',
    ['RUN-011'],
    reference({
      updateRun: (r, c) => {
        if (isTerminal(r) && !c.children.has(r.run_id))
          setTimeout(
            () =>
              void MlflowClient.prototype.setTag.call(c, { run_id: r.run_id, key: 'late', value: 'x' }).catch(() => {}),
            0,
          );
        return r;
      },
    }),
  ),
  mutant('experiment-name-suffix', ['EXP-003'], reference({ experimentName: (n) => `${n}-runs` })),
  mutant(
    'second-run-params-into-first',
    ['PAR-010'],
    reference({
      batch: (b, c) =>
        b.params?.length && c.tops.length > 1 ? { ...b, run_id: c.tops[0]!.info.run_id, metrics: [], tags: [] } : b,
    }),
  ),
  mutant(
    'params-once-per-hooks-object',
    ['PAR-010'],
    wrap({}, {}, (h) => {
      // Each parameter once per hooks object: a second pipeline run with the same hooks (as Kedro keeps them,
      // made once in settings.py) logs none.
      const sent = new Set<string>();
      return {
        beforeNodeRun: (node, catalog, inputs, ...rest) => {
          const kept = Object.entries(inputs).filter(([k]) => {
            if (!k.startsWith('params:')) return true;
            if (sent.has(k)) return false;
            sent.add(k);
            return true;
          });
          return h.beforeNodeRun?.(node, catalog, Object.fromEntries(kept), ...rest);
        },
      };
    }),
  ),
  mutant(
    'failing-node-params-dropped',
    ['PAR-010'],
    wrap({}, {}, (h) => {
      // Params are logged once the node succeeded: a failing node's never are.
      const held = new Map<string, Parameters<NonNullable<Hooks['beforeNodeRun']>>>();
      return {
        beforeNodeRun: (...a) => void held.set(a[0].name, a),
        afterNodeRun: async (...a) => {
          await h.beforeNodeRun?.(...held.get(a[0].name)!);
          await h.afterNodeRun?.(...a);
        },
      };
    }),
  ),
  mutant(
    'truncates-one-short',
    ['PAR-010'],
    reference(
      { batch: mapParams((p) => (p.value.length >= 6000 ? { ...p, value: p.value.slice(0, 5999) } : p)) },
      truncateDeclared.mlflow,
    ),
    truncateDeclared,
  ),
  // Long values measured and cut in UTF-16 units (a JavaScript string's length), not characters as MLflow counts:
  // 6000 rockets are cut to 3000, and a cut through an emoji leaves half of it, which MLflow stores as ''.
  mutant(
    'cuts-values-in-utf16-units',
    ['PAR-010'],
    reference(
      { batch: mapParams((p) => (p.value.length > 6000 ? { ...p, value: p.value.slice(0, 6000) } : p)) },
      truncateDeclared.mlflow,
    ),
    truncateDeclared,
  ),
  mutant(
    'flattens-one-level-only',
    ['PAR-010', 'PAR-011'],
    reference({}, { tracking: { params: { dict_params: { flatten: true, recursive: false } } } }),
    flattenDeclared,
  ),
  mutant(
    'numbers-rounded',
    ['PAR-010'],
    reference({
      batch: mapParams((p) => (/^-?\d+\.\d{3,}$/.test(p.value) ? { ...p, value: Number(p.value).toFixed(2) } : p)),
    }),
  ),
  mutant(
    'params-beyond-90-a-batch-dropped',
    ['PAR-010'],
    reference({ batch: mapParams((p, i) => (i >= 90 ? null : p)) }),
  ),
  mutant(
    'params-also-on-parent',
    ['PAR-010', 'PAR-011'],
    reference(
      {
        batch: async (b, c) => {
          const parent = c.parentOf.get(b.run_id);
          if (parent && b.params?.length)
            await MlflowClient.prototype.logBatch.call(c, { run_id: parent, params: b.params });
          return b;
        },
      },
      children,
    ),
    { mlflow: children },
  ),
  mutant(
    // Sent again a millisecond later: MLflow (and the mock) keep both. An exact repeat it stores once.
    'metrics-sent-twice',
    ['MET-010'],
    reference({
      batch: (b) => ({
        ...b,
        metrics: [
          ...(b.metrics ?? []),
          ...(b.metrics ?? []).slice(0, 1).map((m) => ({ ...m, timestamp: m.timestamp + 1 })),
        ],
      }),
    }),
  ),
  mutant(
    'second-run-metrics-into-first',
    ['MET-010'],
    reference({
      batch: (b, c) =>
        b.metrics?.length && c.tops.length > 1 ? { ...b, run_id: c.tops[0]!.info.run_id, params: [], tags: [] } : b,
    }),
  ),
  mutant(
    'metrics-beyond-500-a-batch-dropped',
    ['MET-010', 'FLT-005'],
    reference({ batch: mapMetrics((m, i) => (i >= 500 ? null : m)) }),
  ),
  mutant(
    'last-node-metrics-dropped',
    ['MET-010'],
    wrap({}, {}, (h) => ({
      afterNodeRun: async (...a) => {
        if (a[0].index !== 11) await h.afterNodeRun?.(...a);
      },
    })),
  ),
  mutant(
    'metrics-to-parent-not-child',
    ['MET-010'],
    reference(
      {
        batch: (b, c) =>
          b.metrics?.length && c.parentOf.has(b.run_id) ? { ...b, run_id: c.parentOf.get(b.run_id)! } : b,
      },
      children,
    ),
    { mlflow: children },
  ),
  mutant(
    'timestamps-in-seconds',
    ['MET-011'],
    reference({ batch: mapMetrics((m) => ({ ...m, timestamp: Math.floor(m.timestamp / 1000) })) }),
  ),
  mutant(
    'timestamps-an-hour-early',
    ['MET-011'],
    reference({ batch: mapMetrics((m) => ({ ...m, timestamp: m.timestamp - 3_600_000 })) }),
  ),
  mutant(
    'artifacts-into-first-run',
    ['ART-010'],
    reference({
      uploadUri: (uri, path, c) =>
        !path.startsWith('models/') && c.tops.length > 1 ? c.tops[0]!.info.artifact_uri : uri,
    }),
  ),
  mutant(
    'artifact-bytes-replaced',
    ['ART-010'],
    reference({ upload: (path, bytes) => (path.startsWith('models/') ? bytes : Buffer.alloc(bytes.length, 0x2a)) }),
  ),
  mutant(
    'artifact-uploaded-twice',
    ['ART-010'],
    reference({ uploadAgain: (path) => (path.startsWith('models/') ? null : `copies/${path}`) }),
  ),
  mutant(
    'model-source-points-at-another-model',
    ['MOD-010'],
    reference({
      modelVersion: (req) => ({
        ...req,
        source: req.source.replace(/model_(\d)$/, (_, d: string) => `model_${(Number(d) + 1) % 2}`),
      }),
    }),
  ),
  // Each model registered under the next one's name: every name still holds exactly one model's files.
  mutant(
    'model-names-swapped',
    ['MOD-010'],
    reference({
      modelVersion: (req) => ({
        ...req,
        name: req.name.replace(/model_(\d)$/, (_, d: string) => `model_${(Number(d) + 1) % 2}`),
      }),
    }),
  ),
  mutant(
    'one-registered-model-for-all',
    ['MOD-010'],
    reference({ modelVersion: (req) => ({ ...req, name: 'all-models' }) }),
  ),
  mutant('undercounts-loss', ['FLT-005'], (o, ctx) =>
    reference({})(o, {
      ...ctx,
      warn: (m) => ctx.warn(m.replace(/(\d+) metrics/, (_, n: string) => `${Math.max(0, Number(n) - 3)} metrics`)),
    }),
  ),
  mutant(
    'spills-no-metrics',
    ['FLT-006'],
    spillEdited((r) => (r.type === 'metrics' ? null : r)),
  ),
  mutant(
    'spill-drops-steps',
    ['FLT-010'],
    spillEdited((r) => (r.type === 'metrics' ? { ...r, items: r.items?.map(({ step: _, ...m }) => m) } : r)),
  ),
  mutant(
    'spill-params-changed',
    ['FLT-011'],
    spillEdited((r) =>
      r.type === 'params' ? { ...r, items: r.items?.map((x) => ({ ...x, value: `${String(x.value)}x` })) } : r,
    ),
  ),
  mutant(
    'spill-without-end',
    ['FLT-012'],
    spillEdited((r) => (r.type === 'end' ? null : r)),
  ),
  mutant(
    'spill-children-under-pipeline',
    ['FLT-010', 'FLT-011'],
    // a child run's key is its pipeline run's, a slash, and its node's name
    spillEdited(
      (r) => (r.type !== 'run' && r.type !== 'end' ? { ...r, run: r.run?.replace(/\/.*/, '') } : r),
      children,
    ),
    { mlflow: children },
  ),
  // The bug the reference hook had (fixed in 74d77b1): one run key for every pipeline run of the hook object, so
  // replay merges two runs spilled by one process into one. Its records are exact otherwise (FLT-010 to 012 pass).
  mutant(
    'spills-every-pipeline-run-under-one-key',
    ['FLT-015'],
    spillEdited((r) => {
      const fixed = (key?: string): string | undefined => key?.replace(/^pipeline-\d+/, 'pipeline');
      return { ...r, run: fixed(r.run), parentRun: fixed(r.parentRun) };
    }),
  ),
  mutant('breaker-never-recovers', ['FLT-013'], reference({}, {}, neverRecovers)),
  mutant('spill-named-relative', ['FLT-014'], (o, ctx) =>
    reference({})(o, { ...ctx, warn: (m) => ctx.warn(m.replace(/\/\S*\/(trackbench-undelivered)/g, '$1')) }),
  ),
  mutant('sync-delivery', ['FLT-007'], reference({}, { trackbench: { async: false, batching: false } })),
  mutant(
    'waits-on-server-per-node',
    ['FLT-007'],
    wrap({}, {}, (h, ctx) => ({
      beforeNodeRun: async (...a) => {
        // Three requests a node: 20 nodes x 3 x 150 ms = 9 s, far past the bound (about 3 s) on a noisy machine.
        for (let i = 0; i < 3; i++)
          await fetch(`${ctx.trackingUri}/api/2.0/mlflow/experiments/search?max_results=1`).catch(() => {});
        return h.beforeNodeRun?.(...a);
      },
    })),
  ),
  mutant(
    'secret-in-run-name',
    ['SEC-006'],
    reference({
      createRun: (req, _s, c) =>
        MlflowClient.prototype.createRun.call(c, { ...req, run_name: `${req.run_name} ${secret()}` }),
    }),
  ),
  mutant(
    'password-in-param',
    ['SEC-006'],
    reference({
      batch: (b) => ({
        ...b,
        params: b.params?.length ? [...b.params, { key: `pw_${++counter}`, value: password() }] : b.params,
      }),
    }),
  ),
  mutant(
    'secret-in-a-deleted-tag',
    ['SEC-006'],
    reference({
      batch: async (b, c) => {
        await MlflowClient.prototype.setTag
          .call(c, { run_id: b.run_id, key: 'debug', value: secret() })
          .catch(() => {});
        await MlflowClient.prototype.deleteTag.call(c, { run_id: b.run_id, key: 'debug' }).catch(() => {});
        return b;
      },
    }),
  ),
  mutant('secret-in-temp-file', ['SEC-006'], (o, ctx) => {
    writeFileSync(join(mkdtempSync(join(tmpdir(), 'tb-debug-')), 'env.txt'), `token=${secret()}`);
    return reference({})(o, ctx);
  }),
  mutant(
    'secret-in-model-files',
    ['SEC-006'],
    reference({
      upload: (path, bytes) => (path.startsWith('models/') ? Buffer.concat([bytes, Buffer.from(password())]) : bytes),
    }),
  ),
  { name: 'leaves-a-timer-running', breaks: ['RUN-012'], target: parseTarget('module:test/conformance/leaky-hook.ts') },
  {
    name: 'leaves-a-helper-process-running',
    breaks: ['RUN-012'],
    target: parseTarget('module:test/conformance/leaky-process-hook.ts'),
  },
  {
    name: 'leaves-a-heartbeat-on-failure',
    breaks: ['RUN-012'],
    target: parseTarget('module:test/conformance/leaky-on-failure-hook.ts'),
  },
  {
    name: 'redelivers-spill-in-background',
    breaks: ['RUN-012'],
    target: parseTarget('module:test/conformance/leaky-after-spill-hook.ts'),
  },
  {
    // Ctrl-C mid-run ends the run FINISHED, as a `finally: end_run()` does (or MLflow's fluent API at exit): the
    // Python fixture, as no in-process hook can be interrupted.
    name: 'finished-on-interrupt',
    breaks: ['RUN-016'],
    target: commandTarget('mutant:finished-on-interrupt', 'python3 fixtures/conformance/python_target.py', 120_000, {
      TRACKBENCH_FIXTURE_INTERRUPTED_AS: 'FINISHED',
    }),
    baseFails: ['FLT-006', 'FLT-007'],
  },
  // ---- caught by their own family only (see ALONE below)
  mutant('finished-after-pipeline-error', ['RUN-005'], (o, ctx) => {
    // FAILED becomes FINISHED only when the pipeline failed for a reason other than a node.
    const seen = { nodeError: false, pipelineError: false };
    const downgrade = (r: { run_id: string; status?: RunStatus; end_time?: number }) =>
      seen.pipelineError && !seen.nodeError && r.status === 'FAILED' ? { ...r, status: 'FINISHED' as const } : r;
    return wrap({ updateRun: downgrade }, {}, (h) => ({
      onNodeError: async (...a) => {
        seen.nodeError = true;
        await h.onNodeError?.(...a);
      },
      onPipelineError: async (...a) => {
        seen.pipelineError = true;
        await h.onPipelineError?.(...a);
      },
    }))(o, ctx);
  }),
  mutant(
    'invents-one-param',
    ['PAR-007', 'PAR-011'],
    reference({
      batch: (b, c) => {
        // Once a run, in a batch with room for it (so no batch limit is crossed).
        const size = (b.params?.length ?? 0) + (b.metrics?.length ?? 0) + (b.tags?.length ?? 0);
        if (!b.params?.length || b.params.length >= 100 || size >= 1000 || c.invented.has(b.run_id)) return b;
        c.invented.add(b.run_id);
        return { ...b, params: [...b.params, { key: 'invented', value: 'x' }] };
      },
    }),
  ),
  mutant(
    'fails-fast-when-server-down',
    ['FLT-001'],
    wrap({}, {}, (h, _ctx, client) => ({
      beforePipelineRun: async (...a) => {
        // A health probe whose failure stops the pipeline.
        await MlflowClient.prototype.searchExperiments.call(client, { max_results: 1 });
        return h.beforePipelineRun?.(...a);
      },
    })),
  ),
  mutant(
    'sends-an-oversized-batch-too',
    ['LIM-001'],
    reference({
      batch: async (b, c) => {
        if (!c.invented.has(b.run_id)) {
          c.invented.add(b.run_id);
          const tags = Array.from({ length: 101 }, (_, i) => ({ key: `pad_${i}`, value: 'x' }));
          await MlflowClient.prototype.logBatch.call(c, { run_id: b.run_id, tags }).catch(() => {});
        }
        return b;
      },
    }),
  ),
  mutant(
    'sends-an-invalid-key-too',
    ['LIM-003'],
    reference({
      batch: async (b, c) => {
        if (!c.invented.has(b.run_id)) {
          c.invented.add(b.run_id);
          const tags = [{ key: 'node?!', value: 'x' }];
          await MlflowClient.prototype.logBatch.call(c, { run_id: b.run_id, tags }).catch(() => {});
        }
        return b;
      },
    }),
  ),
  mutant(
    'thirty-lookups-at-the-end',
    ['EFF-001'],
    wrap({}, {}, (h, _ctx, client) => {
      const lookups = () =>
        Promise.all(
          Array.from({ length: 30 }, () =>
            MlflowClient.prototype.searchExperiments.call(client, { max_results: 1 }).catch(() => {}),
          ),
        );
      return {
        afterPipelineRun: async (...a) => {
          await h.afterPipelineRun?.(...a);
          await lookups();
        },
      };
    }),
  ),
  mutant(
    'gets-the-run-at-every-node',
    ['EFF-002'],
    wrap({}, {}, (h, _ctx, client) => ({
      beforeNodeRun: async (...a) => {
        await h.beforeNodeRun?.(...a);
        const top = client.tops[client.tops.length - 1];
        // Not awaited: the run is re-read, the pipeline does not wait for it.
        if (top) void MlflowClient.prototype.getRun.call(client, top.info.run_id).catch(() => {});
      },
    })),
  ),
  mutant('a-tag-request-per-node', ['EFF-003'], (o, ctx) => {
    const pending: Promise<unknown>[] = [];
    return wrap({}, {}, (h, _ctx, client) => {
      // Sent as nodes start, all settled before the run ends (no write after its end, no wait per node).
      const settle = async () => void (await Promise.all(pending));
      // Only this pipeline run's run is tagged (the hooks serve a second run too, `twice`).
      let before = 0;
      return {
        beforePipelineRun: async (...a) => {
          before = client.tops.length;
          await h.beforePipelineRun?.(...a);
        },
        beforeNodeRun: async (...a) => {
          await h.beforeNodeRun?.(...a);
          const top = client.tops.length > before ? client.tops[client.tops.length - 1] : undefined;
          for (const k of ['started', 'seen'])
            if (top)
              pending.push(
                MlflowClient.prototype.setTag
                  .call(client, { run_id: top.info.run_id, key: `${k}_${a[0].index}`, value: '1' })
                  .catch(() => {}),
              );
        },
        afterPipelineRun: async (...a) => {
          await settle();
          await h.afterPipelineRun?.(...a);
        },
        onPipelineError: async (...a) => {
          await settle();
          await h.onPipelineError?.(...a);
        },
      };
    })(o, ctx);
  }),
  mutant('ignores-childRunPerNode', ['NST-001', 'NST-002', 'NST-003'], reference({}), { mlflow: children }),
  mutant(
    'node-tags-in-first-run-only',
    ['TAG-003'],
    reference({
      batch: (b, c) =>
        c.tops.length > 1 && b.run_id === c.tops[1]!.info.run_id
          ? { ...b, tags: (b.tags ?? []).filter((t) => !t.key.startsWith('kedro.node.')) }
          : b,
    }),
  ),
  mutant(
    'secret-in-a-query-string',
    ['SEC-006'],
    lookupFirst(() => ({ query: `&token=${secret()}` })),
  ),
  mutant(
    'secret-in-a-header',
    ['SEC-006'],
    lookupFirst(() => ({ headers: { 'x-debug-token': secret() } })),
  ),
  mutant(
    'secret-in-the-user-agent',
    ['SEC-006'],
    lookupFirst(() => ({ headers: { 'user-agent': `kedro-hook/1.0 (token ${secret()})` } })),
  ),
  mutant(
    'deletes-the-run-on-failure',
    ['RUN-013'],
    // "To keep the experiment clean": the failed run, once ended, is deleted.
    afterFailure((c, top) => MlflowClient.prototype.deleteRun.call(c, top.info.run_id)),
  ),
  mutant(
    'deletes-the-previous-run',
    ['RUN-013'],
    reference({
      createRun: async (req, send, c) => {
        // A new pipeline run replaces the last one (ended already): one run per pipeline in the experiment.
        const previous = req.tags?.some((t) => t.key === 'mlflow.parentRunId') ? undefined : c.tops.at(-1);
        if (previous) await MlflowClient.prototype.deleteRun.call(c, previous.info.run_id).catch(() => {});
        return send();
      },
    }),
  ),
  mutant(
    'deletes-its-experiment-on-failure',
    ['RUN-013'],
    afterFailure((c, top) => MlflowClient.prototype.deleteExperiment.call(c, top.info.experiment_id)),
  ),
  mutant(
    'artifacts-renamed',
    ['ART-010'],
    // The right bytes in the right run, under a name that is not the dataset's.
    reference({
      uploadPath: (path) => (path.startsWith('models/') ? path : path.replace(/artifact_(\d+)$/, 'out_$1.bin')),
    }),
  ),
  mutant(
    'waits-on-server-after-warm-up',
    ['FLT-007'],
    wrap({}, {}, (h, _ctx, client) => ({
      beforeNodeRun: async (...a) => {
        // From the 13th node on (the basic pipeline has 12), three lookups a node: 8 x 3 x 150 ms on a slow server.
        if (a[0].index >= 12)
          for (let i = 0; i < 3; i++)
            await MlflowClient.prototype.searchExperiments.call(client, { max_results: 1 }).catch(() => {});
        return h.beforeNodeRun?.(...a);
      },
    })),
  ),
  // ---- values plausible bugs trip on (src/conformance/edge-values.ts)
  mutant(
    'skips-falsy-params',
    ['PAR-001', 'PAR-010'],
    paramsFilter((_n, v) => Boolean(v)),
  ),
  mutant(
    'drops-null-params',
    ['PAR-001', 'PAR-010'],
    paramsFilter((_n, v) => v !== null),
  ),
  mutant(
    'ints-as-floats',
    ['PAR-003', 'PAR-010'],
    reference({ batch: mapParams((p) => (/^-?\d+$/.test(p.value) ? { ...p, value: `${p.value}.0` } : p)) }),
  ),
  mutant(
    'full-last-param-batch-lost',
    ['PAR-010'],
    // Chunks of 100, the rest sent only when under 100: a node with exactly 100 params loses them all.
    paramsFilter((n, _v, i) => n % 100 !== 0 || i < n - 100),
  ),
  mutant(
    'full-last-metric-batch-lost',
    ['MET-010'],
    wrap({}, {}, (h) => ({
      // Chunks of 1000, the rest sent only when under 1000: a node with exactly 1000 values loses them all.
      afterNodeRun: (node, catalog, inputs, outputs, ...rest) => {
        const count = node.metrics.reduce((sum, m) => sum + m.values.length, 0);
        const kept =
          count % 1000 === 0
            ? Object.fromEntries(Object.entries(outputs).filter(([k]) => !k.endsWith('.metrics')))
            : outputs;
        return h.afterNodeRun?.(node, catalog, inputs, kept, ...rest);
      },
    })),
  ),
  mutant('drops-zero-metrics', ['MET-010'], reference({ batch: mapMetrics((m) => (m.value === 0 ? null : m)) })),
  // A diverging model's NaN loss (and infinities) dropped, as a hook that filters them or sends null (refused).
  mutant(
    'drops-non-finite-metrics',
    ['MET-001', 'MET-002', 'MET-005'],
    reference({ batch: mapMetrics((m) => (Number.isFinite(m.value) ? m : null)) }),
  ),
  mutant(
    'zeroes-non-finite-metrics',
    ['MET-002', 'MET-005'],
    reference({ batch: mapMetrics((m) => (Number.isFinite(m.value) ? m : { ...m, value: 0 })) }),
  ),
  mutant(
    // A start time taken from a clock read earlier (the hook's load, a cache): 60 ms before the pipeline run.
    'starts-runs-before-the-pipeline',
    ['RUN-020'],
    reference({
      createRun: (req, _s, c) =>
        MlflowClient.prototype.createRun.call(c, { ...req, start_time: (req.start_time ?? Date.now()) - 60 }),
    }),
  ),
  mutant(
    // Every value of a run stamped with the first value's time: inside the run, outside its own node.
    'metric-times-frozen-per-run',
    ['MET-020'],
    reference({
      batch: (b, c) => {
        const first = c.firstStamp.get(b.run_id) ?? b.metrics?.[0]?.timestamp;
        if (first === undefined) return b;
        c.firstStamp.set(b.run_id, first);
        return mapMetrics((m) => ({ ...m, timestamp: first }))(b);
      },
    }),
  ),
  mutant(
    // Once logged, each text parameter is handed back to its node cut to 3 characters (a "truncated for logging"
    // value returned as an input override): the inputs themselves are untouched, the node computes with another.
    'overrides-params-cut',
    ['HKS-002'],
    wrap({}, {}, (h) => ({
      beforeNodeRun: async (node, catalog, inputs, isAsync, runId) => {
        await h.beforeNodeRun?.(node, catalog, inputs, isAsync, runId);
        const cut = Object.entries(inputs).filter(([k, v]) => k.startsWith('params:') && typeof v === 'string');
        return Object.fromEntries(cut.map(([k, v]) => [k, String(v).slice(0, 3)]));
      },
    })),
  ),
  mutant(
    // Once logged, each parameter input is "normalised" to the text MLflow stores (the node then computes with it).
    'params-made-text-in-place',
    ['HKS-001'],
    wrap({}, {}, (h) => ({
      beforeNodeRun: (node, catalog, inputs, isAsync, runId) => {
        const out = h.beforeNodeRun?.(node, catalog, inputs, isAsync, runId);
        for (const k of Object.keys(inputs))
          if (k.startsWith('params:'))
            inputs[k] = typeof inputs[k] === 'string' ? inputs[k] : JSON.stringify(inputs[k]);
        return out;
      },
    })),
  ),
  mutant(
    'run-tags-on-first-run-only',
    ['TAG-010', 'TAG-011'],
    // A "tagged" flag never reset: the second pipeline run's run starts without its run-level tags.
    reference({ createRun: (req, send, c) => (isTop(req) && c.tops.length ? sendTags(c, req, () => []) : send()) }),
  ),
  mutant(
    'runner-tag-hard-coded',
    ['TAG-012'],
    retagged('kedro.runner', () => 'SequentialRunner'),
  ),
  mutant(
    'node-count-off-by-one',
    ['TAG-012'],
    retagged('trackbench.node_count', (v) => `${Number(v) - 1}`),
  ),
  mutant(
    'command-without-its-pipeline',
    ['TAG-011', 'TAG-012'],
    retagged('kedro_command', () => 'kedro run'),
  ),
  mutant(
    'stray-debug-experiment',
    ['EXP-010'],
    wrap({}, {}, (h, ctx, client) => ({
      beforePipelineRun: async (...a) => {
        await MlflowClient.prototype.getOrCreateExperiment.call(client, `${ctx.scenarioName}-debug`).catch(() => '');
        return h.beforePipelineRun?.(...a);
      },
    })),
  ),
  // ---- secrets leaked in part, encoded, printed by an in-process hook, or written outside the suite's TMPDIR
  mutant(
    'token-prefix-as-a-tag',
    ['SEC-002'],
    // A "masked" fingerprint that keeps the token's first characters.
    reference({
      createRun: (req, _s, c) =>
        MlflowClient.prototype.createRun.call(c, {
          ...req,
          tags: [...(req.tags ?? []), { key: 'auth.fingerprint', value: `${secret().slice(0, LEAK_WINDOW)}...` }],
        }),
    }),
  ),
  mutant(
    'masked-token-printed',
    ['SEC-004', 'SEC-006'],
    // Starred at the end only: all but 6 characters shown, written straight to stdout.
    wrap({}, {}, (h) => ({
      beforePipelineRun: async (...a) => {
        process.stdout.write(`mlflow auth: Bearer ${secret().slice(0, -6)}******\n`);
        return h.beforePipelineRun?.(...a);
      },
    })),
  ),
  mutant(
    'env-printed-on-pipeline-error',
    ['SEC-004', 'SEC-006'],
    wrap({}, {}, (h) => ({
      onPipelineError: async (...a) => {
        const env = Object.entries(process.env).filter(([k]) => k.startsWith('MLFLOW_'));
        console.error('pipeline failed; MLflow environment:', JSON.stringify(Object.fromEntries(env)));
        return h.onPipelineError?.(...a);
      },
    })),
  ),
  mutant('headers-logged-to-system-temp', ['SEC-006'], (o, ctx) => {
    appendFileSync(SYSTEM_TEMP_LOG, `${ctx.scenarioName} authorization: Bearer ${secret()}\n`);
    return reference({})(o, ctx);
  }),
  mutant(
    'encoded-password-in-a-header',
    ['SEC-006'],
    lookupFirst(() => ({ headers: { 'x-session': Buffer.from(`:${password()}`).toString('base64url') } })),
  ),
  // Each child run stamped with its pipeline run's start (a start time read once, in beforePipelineRun).
  nesting('child-runs-start-with-the-pipeline', ['NST-010'], {
    createRun: (req, _s, c) =>
      MlflowClient.prototype.createRun.call(
        c,
        isTop(req) ? req : { ...req, start_time: c.tops.at(-1)?.info.start_time ?? req.start_time },
      ),
  }),
  // Child runs ended only when their parent ends, all stamped then (each keeps its own status).
  nesting('child-runs-end-with-the-pipeline', ['NST-011'], {
    updateRun: holdChildEnds(async (held, r, c) => {
      const now = Date.now();
      for (const x of held) await sendEnd(c, { ...x, end_time: now });
      return r;
    }),
  }),
  // Child runs named by the node's last name segment (namespace dropped); their tags still say which node.
  nesting('child-runs-named-without-namespace', ['NST-012'], {
    createRun: (req, _s, c) =>
      MlflowClient.prototype.createRun.call(
        c,
        isTop(req) ? req : { ...req, run_name: req.run_name?.split('.').at(-1) },
      ),
  }),
  // A child run's kedro.namespace tag holds its node's name.
  nesting('child-namespace-tag-is-the-node', ['NST-012'], {
    createRun: (req, _s, c) =>
      MlflowClient.prototype.createRun.call(c, {
        ...req,
        tags: req.tags?.map((t) => (t.key === 'kedro.namespace' ? { ...t, value: req.run_name ?? '' } : t)),
      }),
  }),
  mutant(
    // Each kedro.node.<name> tag holds the namespace of the node tagged before it (a value kept from the last
    // call): every namespace is still some tag's value (TAG-004 holds), but nodes where one begins are misfiled.
    'node-tag-namespace-of-the-previous-node',
    ['NST-013'],
    (() => {
      let previous = '';
      return reference({
        batch: (b) => ({
          ...b,
          tags: (b.tags ?? []).map((t) => {
            if (!t.key.startsWith('kedro.node.')) return t;
            const value = previous;
            previous = t.value;
            return { ...t, value };
          }),
        }),
      });
    })(),
  ),
  // A "hint" that keeps the token's first and last 5 characters: no 6 in a row, but both ends in one value.
  mutant(
    'token-ends-in-an-error-tag',
    ['SEC-002'],
    inErrorTags(() => `(auth ${secret().slice(0, 5)}•••${secret().slice(-5)})`),
  ),
  mutant(
    'masked-token-in-a-header',
    ['SEC-006'],
    lookupFirst(() => ({ headers: { 'x-auth-hint': `${secret().slice(0, 6)}${'*'.repeat(26)}` } })),
  ),
  mutant('token-printed-upper-case-in-groups', ['SEC-004'], (o, ctx) =>
    reference({})(o, {
      ...ctx,
      warn: (m) =>
        ctx.warn(
          `${m} (key ${(
            secret()
              .toUpperCase()
              .match(/.{1,4}/g) ?? []
          ).join('-')})`,
        ),
    }),
  ),
  mutant('headers-logged-to-var-tmp', ['SEC-006'], (o, ctx) => {
    appendFileSync(VAR_TMP_LOG, `${ctx.scenarioName} authorization: Bearer ${secret()}\n`);
    return reference({})(o, ctx);
  }),
  mutant('escaped-token-logged-deep-in-the-cache', ['SEC-006'], (o, ctx) => {
    // The plugin's request log, a folder a day: ~/.cache/<plugin>/logs/<date>/, JSON with the token \uXXXX-escaped.
    const dir = join(CACHE_LOG_ROOT, 'logs', new Date().toISOString().slice(0, 10));
    mkdirSync(dir, { recursive: true });
    const escaped = [...secret()].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('');
    appendFileSync(join(dir, 'requests.jsonl'), `{"scenario": "${ctx.scenarioName}", "token": "${escaped}"}\n`);
    return reference({})(o, ctx);
  }), // The run name read once per process (a setting popped from the config by the first session): every later
  // pipeline run of the process gets a random name.
  mutant(
    'second-run-unnamed',
    ['RUN-008'],
    reference({
      createRun: (req, send, c) =>
        isTop(req) && c.tops.length > 0
          ? MlflowClient.prototype.createRun.call(c, { ...req, run_name: undefined })
          : send(),
    }),
  ),
  // The error recorded from on_node_error only: a pipeline a hook stopped ends FAILED with no reason on it.
  mutant(
    'error-tag-for-node-failures-only',
    ['RUN-006'],
    reference({
      batch: (b) =>
        b.tags?.some((t) => t.key.includes('failed_node')) ? b : dropTags((t) => t.key.includes('error'))(b),
    }),
  ),
  // The error recorded whole, as a traceback is: past MLflow's 8000-character limit a server refuses it (the failed
  // node's tag in the same batch lost too), or, as the mock and MLflow 3 by default do, cuts it without a word.
  mutant(
    'unbounded-error-tag',
    ['RUN-015'],
    errorTagAs((whole) => whole),
  ),
  // MLflow's key rule ported to JavaScript as it reads (`[^/\w.\- :]`), where `\w` is ASCII: a key in any other
  // letters (`größe`, which MLflow takes) is renamed.
  mutant(
    'ascii-only-key-sanitiser',
    ['PAR-010'],
    reference({ batch: mapParams((p) => ({ ...p, key: p.key.replace(/[^/\w.\- :]/g, '_') })) }),
  ),
  // The end stamped with the run's own start time (a time kept from the run's creation): every run of no duration.
  (() => {
    const starts = new Map<string, number>();
    return nesting('end-time-is-the-start-time', ['RUN-014'], {
      createRun: async (_req, send) => {
        const run = await send();
        starts.set(run.info.run_id, run.info.start_time);
        return run;
      },
      updateRun: (r) => ({ ...r, end_time: starts.get(r.run_id) ?? r.end_time }),
    });
  })(),
  // Child runs created without the experiment (MLflow files such a run under Default, id 0), as a plugin that
  // makes them through a client never given the experiment does; the parent is in the configured one.
  nesting('child-runs-in-the-default-experiment', ['NST-001'], {
    createRun: (req, send, c) =>
      isTop(req) ? send() : MlflowClient.prototype.createRun.call(c, { ...req, experiment_id: '0' }),
  }),
  // "Keeps the experiment clean": a failed node's child run, once ended, is deleted (its parent still says FAILED).
  nesting('deletes-failed-child-runs', ['RUN-013'], {
    updateRun: async (r, c) => {
      if (!c.children.has(r.run_id) || r.status !== 'FAILED') return r;
      await sendEnd(c, r);
      await MlflowClient.prototype.deleteRun.call(c, r.run_id).catch(() => {});
      return null;
    },
  }),
  // With child runs, the first one is created before its node runs, waiting on the server and letting its error
  // through (mlflow.start_run(nested=True) in before_node_run): with the server down the pipeline fails.
  nestingWrap('child-run-creation-fails-the-pipeline', ['FLT-001'], (h, _ctx, client) => {
    let probed = false;
    return {
      beforePipelineRun: (...a) => {
        probed = false;
        return h.beforePipelineRun?.(...a);
      },
      beforeNodeRun: async (...a) => {
        if (!probed) {
          probed = true;
          await MlflowClient.prototype.searchExperiments.call(client, { max_results: 1 });
        }
        return h.beforeNodeRun?.(...a);
      },
    };
  }),
  // An experiment the lookup finds (the second pipeline run's, made by the first) read from the wrong field: the
  // run goes to Default (id 0). Only a configured experiment that already exists shows it.
  mutant('existing-experiment-read-as-default', ['EXP-003'], reference({ foundExperiment: () => '0' })),
  // Long values kept as tags cut at 5000 characters, MLflow's tag limit before 2.x (now 8000).
  mutant(
    'tags-cut-at-the-old-limit',
    ['PAR-010'],
    reference(
      {
        batch: (b) => ({
          ...b,
          tags: (b.tags ?? []).map((t) => ({ ...t, value: [...t.value].slice(0, 5000).join('') })),
        }),
      },
      { tracking: { params: { long_params_strategy: 'tag' } } },
    ),
    { mlflow: { tracking: { params: { long_params_strategy: 'tag' } } } },
  ),
  // A step counter per metric key kept by the hooks object: the second pipeline run's history goes on from the
  // first's last step instead of starting at 0.
  mutant('steps-go-on-across-pipeline-runs', ['MET-010'], reference({ batch: (b, c) => stepsGoOn(b, c) })),
  // Lists written with JavaScript's String(): `[64, 32]` logged as `64,32`.
  mutant(
    'lists-joined-with-commas',
    ['PAR-003', 'PAR-010'],
    reference({
      batch: mapParams((p) =>
        p.value.startsWith('[') ? { ...p, value: String(JSON.parse(p.value) as unknown[]) } : p,
      ),
    }),
  ),
  // Runs started at Unix seconds (Python's time.time() sent without * 1000); ended in ms.
  mutant(
    'start-time-in-seconds',
    ['RUN-010', 'RUN-020'],
    reference({
      createRun: (req, _s, c) =>
        MlflowClient.prototype.createRun.call(c, { ...req, start_time: Math.floor((req.start_time ?? 0) / 1000) }),
    }),
  ),
  // With child runs, each node's metrics go to the child run of the node started last (one "current node" kept
  // for all threads): only a parallel runner shows it.
  nestingWrap('metrics-to-the-node-started-last', ['MET-010'], (h) => {
    let last: Parameters<NonNullable<Hooks['afterNodeRun']>>[0] | undefined;
    return {
      beforeNodeRun: (node, ...rest) => {
        last = node;
        return h.beforeNodeRun?.(node, ...rest);
      },
      afterNodeRun: (node, ...rest) => h.afterNodeRun?.(last ?? node, ...rest),
    };
  }),
  // With child runs, the loss warning counts the parent run's queue only: its children's values (all the params
  // and metrics) are said to be 0 (the spill file still holds them).
  nestingFactory('child-run-loss-not-counted', ['FLT-005'], (o, ctx) =>
    reference({}, children)(o, {
      ...ctx,
      warn: (m) => ctx.warn(m.replace(/\d+ (params|metrics|artifacts|models)\b/g, '0 $1')),
    }),
  ),
  // With child runs, a failed pipeline run's end also ends the child run of every node that never started, by an
  // id it never had (''): the server refuses each request (nothing is lost, so only the refusals show).
  nestingWrap('ends-child-runs-never-started', ['LIM-002'], (h, _ctx, client) => {
    const started = new Set<string>();
    let names: string[] = [];
    return {
      beforePipelineRun: (params, pipeline, ...rest) => {
        started.clear();
        names = pipeline.nodes.map((n) => n.name);
        return h.beforePipelineRun?.(params, pipeline, ...rest);
      },
      beforeNodeRun: (node, ...rest) => {
        started.add(node.name);
        return h.beforeNodeRun?.(node, ...rest);
      },
      onPipelineError: async (...a) => {
        await h.onPipelineError?.(...a);
        const never = names.filter((n) => !started.has(n)).length;
        for (let i = 0; i < never; i++)
          await MlflowClient.prototype.updateRun
            .call(client, { run_id: '', status: 'KILLED', end_time: Date.now() })
            .catch(() => {});
      },
    };
  }),
  // A node's first param sent twice in its batch (same key, same value: the key from its input and again from a
  // copy of the parameters): MLflow refuses the whole batch ("Duplicate parameter keys have been submitted").
  mutant(
    'duplicate-param-key-in-a-batch',
    ['LIM-002', 'PAR-010'],
    reference({ batch: (b) => ({ ...b, params: b.params?.length ? [...b.params, b.params[0]!] : b.params }) }),
  ),
  // With child runs, the hook takes the server for gone for good after its first failure (a breaker that never
  // closes): the child runs of nodes started after an outage get nothing (without them it heals).
  nestingFactory('child-runs-never-recover', ['FLT-013'], reference({}, children, neverRecovers)),
  // Child ends queued behind the parent's: the parent is ended first, then its children (their own end times kept).
  nesting('children-ended-after-their-parent', ['NST-014'], {
    updateRun: holdChildEnds(async (held, r, c) => {
      await sendEnd(c, r);
      for (const x of held) await sendEnd(c, x);
      return null;
    }),
  }),
];

/**
 * Not a bug: the reference hook with a child run per node whose parent run is ended and re-opened at each child's
 * end (a plugin re-entering its run for each node, as kedro-mlflow does), and ended for good after its children.
 */
export const PARENT_REOPENED_PER_CHILD: Target = nesting('parent-reopened-at-each-child-end', [], {
  updateRun: async (r, c) => {
    const parent = c.tops.at(-1);
    if (!c.children.has(r.run_id) || !parent) return r;
    await sendEnd(c, r);
    await sendEnd(c, { run_id: parent.info.run_id, status: 'FINISHED', end_time: Date.now() });
    await sendEnd(c, { run_id: parent.info.run_id, status: 'RUNNING' });
    return null;
  },
}).target;

type RunRequest = { experiment_id: string; run_name?: string; start_time?: number; tags?: RunTag[] };
const isTop = (req: RunRequest): boolean => !req.tags?.some((t) => t.key === 'mlflow.parentRunId');

/** Creates the run with its own tags (MLflow's kept) passed through `f`. */
function sendTags(c: MutantClient, req: RunRequest, f: (tags: RunTag[]) => RunTag[]): Promise<Run> {
  const own = (req.tags ?? []).filter((t) => !t.key.startsWith('mlflow.'));
  const system = (req.tags ?? []).filter((t) => t.key.startsWith('mlflow.'));
  return MlflowClient.prototype.createRun.call(c, { ...req, tags: [...system, ...f(own)] });
}

/** The reference hook with one of its run-level tags' values rewritten. */
function retagged(key: string, value: (v: string) => string): HookFactory {
  return reference({
    createRun: (req, _s, c) =>
      sendTags(c, req, (tags) => tags.map((t) => (t.key === key ? { ...t, value: value(t.value) } : t))),
  });
}

/** Once the hook has handled a failed pipeline (its run ended), one more thing done to its last top-level run. */
function afterFailure(act: (client: MutantClient, top: Run) => Promise<unknown>): HookFactory {
  return wrap({}, {}, (h, _ctx, client) => ({
    onPipelineError: async (...a) => {
      await h.onPipelineError?.(...a);
      const top = client.tops.at(-1);
      if (top) await act(client, top).catch(() => {});
    },
  }));
}

/** A lookup before the pipeline starts (authorised, as every request is), carrying the secret elsewhere too. */
function lookupFirst(extra: () => { query?: string; headers?: Record<string, string> }): HookFactory {
  return wrap({}, {}, (h, ctx) => ({
    beforePipelineRun: async (...a) => {
      const { query = '', headers = {} } = extra();
      const name = encodeURIComponent(ctx.scenarioName);
      const url = `${ctx.trackingUri}/api/2.0/mlflow/experiments/get-by-name?experiment_name=${name}${query}`;
      await fetch(url, { headers: { ...headers, authorization: `Bearer ${secret()}` } }).catch(() => {});
      return h.beforePipelineRun?.(...a);
    },
  }));
}

/** Mutants caught only within the family of what they break (see test/conformance-mutants.test.ts). */
const ALONE = new Set([
  'retries-run-creation',
  'creates-an-extra-run',
  'timeout-is-fatal',
  'token-in-model-metadata',
  'alters-values',
  'artifact-bytes-replaced',
  'changes-a-logged-param',
  'default-experiment',
  'deletes-its-spill-file',
  'drops-every-seventh-metric',
  'drops-every-tenth-param',
  'drops-long-params',
  'empty-model-files',
  'ends-without-end-time',
  'experiment-name-suffix',
  'finished-on-failure',
  'finished-on-interrupt',
  'first-model-only',
  'flattens-one-level-only',
  'ignores-env-credentials',
  'last-node-metrics-dropped',
  'latest-value-only',
  'leaves-a-timer-running',
  'leaves-a-heartbeat-on-failure',
  'redelivers-spill-in-background',
  'overrides-params-cut',
  'loses-values-silently',
  'never-ends-the-run',
  'new-experiment-each-run',
  'no-command-tag',
  'no-error-tag',
  'no-failed-node-tag',
  'no-node-tags',
  'no-pipeline-tag',
  'numbers-rounded',
  'one-registered-model-for-all',
  'model-names-swapped',
  'opaque-dicts',
  'random-run-name',
  'renames-metrics',
  'rounds-metrics',
  'second-run-left-open',
  'secret-in-error-tag',
  'secret-in-output',
  'secret-in-temp-file',
  'shifts-steps',
  'skips-artifacts',
  'spills-no-metrics',
  'stray-invalid-request',
  'strips-namespaces',
  'timestamps-in-seconds',
  'truncates-artifacts',
  'undercounts-loss',
  'unlinked-model-versions',
  'writes-after-end',
  'finished-after-pipeline-error',
  'invents-one-param',
  'fails-fast-when-server-down',
  'sends-an-oversized-batch-too',
  'sends-an-invalid-key-too',
  'thirty-lookups-at-the-end',
  'gets-the-run-at-every-node',
  'a-tag-request-per-node',
  'waits-on-server-after-warm-up',
  'ignores-childRunPerNode',
  'secret-in-a-query-string',
  'node-tags-in-first-run-only',
  'secret-in-a-header',
  'secret-in-the-user-agent',
  'deletes-the-run-on-failure',
  'deletes-the-previous-run',
  'deletes-its-experiment-on-failure',
  'artifacts-renamed',
  'skips-falsy-params',
  'drops-null-params',
  'ints-as-floats',
  'full-last-param-batch-lost',
  'full-last-metric-batch-lost',
  'drops-zero-metrics',
  'drops-non-finite-metrics',
  'zeroes-non-finite-metrics',
  'starts-runs-before-the-pipeline',
  'metric-times-frozen-per-run',
  'params-made-text-in-place',
  'run-tags-on-first-run-only',
  'runner-tag-hard-coded',
  'node-count-off-by-one',
  'command-without-its-pipeline',
  'stray-debug-experiment',
  'token-prefix-as-a-tag',
  'masked-token-printed',
  'env-printed-on-pipeline-error',
  'headers-logged-to-system-temp',
  'encoded-password-in-a-header',
  'child-runs-start-with-the-pipeline',
  'child-runs-end-with-the-pipeline',
  'child-runs-named-without-namespace',
  'child-namespace-tag-is-the-node',
  'node-tag-namespace-of-the-previous-node',
  'spill-drops-steps',
  'spill-params-changed',
  'spill-without-end',
  'spill-children-under-pipeline',
  'spills-every-pipeline-run-under-one-key',
  'breaker-never-recovers',
  'spill-named-relative',
  'token-ends-in-an-error-tag',
  'masked-token-in-a-header',
  'token-printed-upper-case-in-groups',
  'headers-logged-to-var-tmp',
  'escaped-token-logged-deep-in-the-cache',
  'uploads-first-64-kib-only',
  'floods-the-server',
  'leaves-a-helper-process-running',
  'second-run-unnamed',
  'error-tag-for-node-failures-only',
  'unbounded-error-tag',
  'children-ended-after-their-parent',
  'ascii-only-key-sanitiser',
  'end-time-is-the-start-time',
  'duplicate-children-from-second-session',
  'child-runs-in-the-default-experiment',
  'existing-experiment-read-as-default',
  'tags-cut-at-the-old-limit',
  'steps-go-on-across-pipeline-runs',
  'lists-joined-with-commas',
  'start-time-in-seconds',
  'metrics-to-the-node-started-last',
  'deletes-failed-child-runs',
  'child-run-creation-fails-the-pipeline',
  'child-run-loss-not-counted',
  'ends-child-runs-never-started',
  'child-runs-never-recover',
]);
for (const m of MUTANTS) if (ALONE.has(m.name)) m.alone = true;

type SpillLine = { type?: string; run?: string; parentRun?: string; items?: Record<string, unknown>[] };

/** The reference hook with each record of its spill file rewritten by `edit` (null: dropped) when the run is over. */
function spillEdited(edit: (r: SpillLine) => SpillLine | null, inline: Record<string, unknown> = {}): HookFactory {
  return wrap({}, inline, (h) => {
    const rewrite = async (f: () => unknown): Promise<void> => {
      await f();
      for (const file of spillFiles()) {
        const lines = readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          // A line of the spill file the reference hook just wrote.
          .map((l) => edit(JSON.parse(l) as SpillLine))
          .filter((r) => r !== null);
        writeFileSync(file, lines.map((r) => `${JSON.stringify(r)}\n`).join(''));
      }
    };
    return {
      afterPipelineRun: (...a) => rewrite(() => h.afterPipelineRun?.(...a)),
      onPipelineError: (...a) => rewrite(() => h.onPipelineError?.(...a)),
    };
  });
}

/** A client that takes the server for gone for good after its first transient failure: every later request fails
 * at once (a circuit breaker that never closes). */
function neverRecovers(opts: ClientOptions): MlflowClient {
  let dead = false;
  return new Proxy(new MlflowClient(opts), {
    get(client, key) {
      const v: unknown = Reflect.get(client, key);
      if (typeof v !== 'function') return v;
      return (...a: unknown[]): unknown => {
        if (dead && key !== 'close' && key !== 'redact')
          return Promise.reject(new MlflowNetworkError(String(key), 'EDEAD', 1, 'marked unavailable'));
        const out: unknown = (v as (...x: unknown[]) => unknown).apply(client, a);
        if (!(out instanceof Promise)) return out;
        return out.catch((err: unknown) => {
          if (isTransient(err)) dead = true;
          throw err;
        });
      };
    },
  });
}

/** Spill files under the temp folder the suite gives the run (mutants spill into a tb-mutant-* folder there). */
function spillFiles(): string[] {
  const out: string[] = [];
  const walk = (d: string, depth: number): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory() && depth < 2) walk(p, depth + 1);
      else if (e.name.endsWith('.jsonl')) out.push(p);
    }
  };
  walk(tmpdir(), 0);
  return out;
}

/** Not a bug: the reference hook recording a long error's end (a traceback's last lines), marked as cut at its
 * start. RUN-006 and RUN-015 must pass it, as they pass one keeping the start. */
export const ERROR_END_KEPT: Target = factoryTarget(
  'error-end-kept',
  errorTagAs((whole) => (whole.length > 8000 ? `…${whole.slice(-7999)}` : whole)),
);

/** The reference hook, its error tag (`trackbench.error`) made by `record` from the pipeline error's whole text. */
function errorTagAs(record: (whole: string) => string): HookFactory {
  return (o, ctx) => {
    let value: string | undefined;
    const hooks = reference({
      batch: (b) =>
        value === undefined
          ? b
          : { ...b, tags: b.tags?.map((t) => (t.key === 'trackbench.error' ? { ...t, value: value! } : t)) },
    })(o, ctx);
    const onPipelineError = hooks.onPipelineError!.bind(hooks);
    return {
      ...hooks,
      afterCatalogCreated: hooks.afterCatalogCreated?.bind(hooks),
      onPipelineError: async (error, ...rest) => {
        value = record(`${error.name}: ${error.message}`);
        await onPipelineError(error, ...rest);
      },
    };
  };
}
