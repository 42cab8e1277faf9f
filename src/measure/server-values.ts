// What reached the tracking server in one trial, read back through the REST API after the trial
// (so it works the same against the mock and a real server): the "delivered" of the values table
// is the server's word, never the hook's. Runs created since the last look are the trial's.
import { errorMessage } from '../errors.ts';
import { MlflowClient, pages } from '../mlflow/client.ts';
import { readWithin, ReadBackTimeoutError, type ReadProgress } from '../mlflow/read-deadline.ts';
import { countStored, readRun, type DeliveredCounts, type RunState } from '../mlflow/readback.ts';
import { resolveParam } from '../pipeline/params.ts';
import type { ParamValue, Pipeline } from '../pipeline/types.ts';
import { fileFill } from '../pipeline/work.ts';
import { loggedValues, paramsDelivered, type ParamSettings } from '../tracking/param-delivery.ts';
import type { HookRef, Scenario } from '../scenario/types.ts';
import { metricKeysKnown, paramSettingsOf } from '../tracking/registry.ts';
import type { Produced } from './produced.ts';
import { VALUE_KINDS, type ServerValues, type ValueCounts } from './trial-types.ts';

/** How the read-back's requests are tried again: twice, after 0.1 s and 0.2 s (and up to 0.05 s of jitter). */
export const READ_BACK_RETRY = { maxRetries: 2, backoffFactor: 0.1, backoffJitter: 0.05 } as const;

/** What runs delivered (`runs`: how many there were), or why it is not known. */
export type Delivery = { available: true; found: DeliveredCounts; runs: number } | { available: false; reason: string };

/**
 * Reads back what trials delivered. Each read-back (a look, or a look and the values it finds) has `timeoutMs`
 * overall (read-deadline.ts): past it, it fails with ReadBackTimeoutError, which no method here turns into a finding.
 */
export class ServerReader {
  private readonly known = new Set<string>();
  /** Why the last look failed, if it did: the runs it missed cannot be told from those of the next trial. */
  private missed: string | undefined;
  private readonly deletedExperiments = new Set<string>();

  constructor(
    private readonly trackingUri: string,
    /** How long each read-back may take, overall (readBackTimeoutMs). */
    readonly timeoutMs: number,
  ) {}

  /** `read` with a client of its own, within the deadline. */
  private within<T>(read: (client: MlflowClient, progress: ReadProgress) => Promise<T>): Promise<T> {
    // Its own reads are tried again twice, briefly: one failed exchange (a reset connection) says nothing of the
    // hook, yet a missed look makes the next trial's values unavailable. A dead server is still a finding, a few
    // tenths of a second later.
    return readWithin({ trackingUri: this.trackingUri, retry: READ_BACK_RETRY, timeoutMs: this.timeoutMs }, read);
  }

  /** The ids of the runs created since the previous call: listings only, no run read. */
  private async newRunIds(client: MlflowClient): Promise<Set<string>> {
    // A set: a server that lists a run twice (on two pages) does not have its values counted twice.
    const ids = new Set<string>();
    // As the server lists them now: an experiment deleted and restored since holds live runs again.
    this.deletedExperiments.clear();
    const page = (page_token: string | undefined) =>
      client.searchExperiments({ max_results: 1000, page_token, view_type: 'ALL' });
    for await (const { experiments } of pages('experiments/search', page, (p) => p.experiments)) {
      for (const e of experiments) if (e.lifecycle_stage === 'deleted') this.deletedExperiments.add(e.experiment_id);
      const experimentIds = experiments.map((e) => e.experiment_id);
      if (experimentIds.length)
        for (const run of await client.searchAllRuns({ experiment_ids: experimentIds, run_view_type: 'ALL' }))
          if (!this.known.has(run.info.run_id)) ids.add(run.info.run_id);
    }
    for (const id of ids) this.known.add(id);
    return ids;
  }

  /**
   * The ids of the runs created since the previous call; a failed look is remembered (`missed`) and rethrown. Only
   * listings: the runs a server held before the first trial (a remote one's whole history) are never read whole.
   */
  private async look(client: MlflowClient): Promise<Set<string>> {
    try {
      const ids = await this.newRunIds(client);
      this.missed = undefined;
      return ids;
    } catch (err) {
      this.missed = errorMessage(err);
      throw err;
    }
  }

  /** Marks what is on the server now as not this run's (call once before the first trial). */
  async prime(): Promise<void> {
    try {
      await this.within((client) => this.look(client));
    } catch (err) {
      if (err instanceof ReadBackTimeoutError) throw err;
      // A server that cannot be read now is reported by the first trial's values.
    }
  }

  /** Runs created since the last look (0 when the server cannot be read: the next with-trial says so). */
  async newRunCount(): Promise<number> {
    try {
      return (await this.within((client) => this.look(client))).size;
    } catch (err) {
      if (err instanceof ReadBackTimeoutError) throw err;
      return 0;
    }
  }

  /**
   * `expected`: every parameter input the generated pipeline reads (with its value) and every metric value it
   * produces, to match what reached the server as `rules` (the hook's) say.
   */
  async valuesOf(produced: Produced, expected: ExpectedValues, rules: MatchRules): Promise<ServerValues> {
    const d = await this.deliveredSince(produced, expected, rules);
    if (!d.available) return d;
    const delivered: ValueCounts = {
      params: d.found.params,
      metrics: d.found.metrics,
      artifacts: d.found.artifacts,
      models: d.found.models,
    };
    const lost = Object.fromEntries(
      VALUE_KINDS.map((k) => [k, Math.max(0, produced[k] - delivered[k])]),
    ) as unknown as ValueCounts; // every key of ValueCounts is set by the line above
    return { available: true, delivered, lost };
  }

  /**
   * What the runs created since the last look delivered (tags too), as `run` (valuesOf) and `trace` count it, and
   * how many runs there are (deleted ones too); or why it cannot be known. A read-back past its deadline is no
   * reason of that kind: it throws ReadBackTimeoutError.
   */
  async deliveredSince(produced: Produced, expected: ExpectedValues, rules: MatchRules): Promise<Delivery> {
    const missed = this.missed;
    return this.within(async (client, progress): Promise<Delivery> => {
      const states: RunState[] = [];
      try {
        for (const id of await this.look(client)) {
          states.push(await readRun(client, id));
          progress.runs++;
        }
      } catch (err) {
        if (err instanceof ReadBackTimeoutError) throw err;
        return { available: false, reason: `the tracking server could not be read back: ${errorMessage(err)}` };
      }
      // What this look found may be an earlier trial's (or there before the run): not this trial's to count.
      if (missed !== undefined)
        return {
          available: false,
          reason:
            `the tracking server could not be read back before this trial (${missed}): ` +
            'its runs are not told apart',
        };
      // A run in a deleted experiment is on its way out of the server: its values are not delivered.
      const kept = states.filter((s) => !this.deletedExperiments.has(s.run.info.experiment_id));
      try {
        const found = await valuesDelivered(client, kept, expected, produced.params, rules);
        return { available: true, found, runs: states.length };
      } catch (err) {
        if (err instanceof ReadBackTimeoutError) throw err;
        return { available: false, reason: `the tracking server's artifacts could not be read: ${errorMessage(err)}` };
      }
    });
  }
}

/** Bytes of files a read-back downloads per unit of work: 100 KB (at READ_BACK_MS_PER_VALUE, 2 MB a second). */
const BYTES_PER_UNIT = 100 * 1024;
/** Units a node may cost, values or not: a child run of its own is a get, a file listing, a models search. */
const UNITS_PER_NODE = 5;

/**
 * How much a read-back of one trial of `p` may have to read, in units of about one request (readBackTimeoutMs
 * scales with it): each value expected, each node's run of its own, each file's bytes (downloaded whole).
 */
export function readBackWork(p: Pipeline, expected: ExpectedValues): number {
  const bytes = expected.artifacts.reduce((sum, a) => sum + a.bytes, 0);
  const values = expected.params.length + expected.metrics.length + expected.artifacts.length;
  return values + UNITS_PER_NODE * p.nodes.length + Math.ceil(bytes / BYTES_PER_UNIT);
}

/** What a generated pipeline reads as parameters (`params:` inputs with their values, in the order a run reads
 * them) and produces as metric values. */
export interface ExpectedValues {
  params: (readonly [string, ParamValue])[];
  metrics: ExpectedMetric[];
  /** Each artifact file the pipeline writes: its size and the byte it is filled with (work.ts). */
  artifacts: ArtifactContent[];
}

/** One metric value as a correct hook logs it: the generated key (`<node>.<metric>`), its step and value. */
export interface ExpectedMetric {
  key: string;
  step: number;
  value: number;
}

/**
 * How a hook's values are matched on the server: each param under any one of `params`; metric values by key,
 * step and value when `metricKeys` (the hook's keys are known), else by value alone (matchRulesOf).
 */
export interface MatchRules {
  params: readonly ParamSettings[];
  metricKeys: boolean;
}

/** The rules for `ref`: its param settings (paramSettingsOf) and whether its metric keys are known. */
export function matchRulesOf(ref: HookRef, scenario: Pick<Scenario, 'name' | 'source'>): MatchRules {
  return { params: paramSettingsOf(ref, scenario), metricKeys: metricKeysKnown(ref) };
}

export interface ArtifactContent {
  bytes: number;
  fill: number;
}

export function expectedValues(p: Pipeline): ExpectedValues {
  return {
    params: p.nodes.flatMap((n) =>
      n.inputs.filter((i) => i.startsWith('params:')).map((i) => [i, resolveParam(p.parameters, i)!] as const),
    ),
    metrics: p.nodes.flatMap((n) =>
      n.metrics.flatMap((series) => series.values.map((value, step) => ({ key: series.key, step, value }))),
    ),
    artifacts: p.nodes.flatMap((n) =>
      n.outputs
        .filter((o) => p.datasets[o]?.kind === 'artifact')
        .map((o) => ({ bytes: n.artifactBytes, fill: fileFill(o) })),
    ),
  };
}

/**
 * What of a run's values reached the server, as `run` and `trace` count it: of the first `producedParams`
 * expected parameters, those with the expected key and value under the hook's settings; each produced metric
 * value and artifact file matched once (the files read through `client`); tags and models as stored.
 */
export async function valuesDelivered(
  client: MlflowClient,
  states: readonly RunState[],
  expected: ExpectedValues,
  producedParams: number,
  rules: MatchRules,
): Promise<DeliveredCounts> {
  // A deleted run is on its way out of the server: its values are not delivered.
  const live = states.filter((s) => s.run.info.lifecycle_stage !== 'deleted');
  // Files are matched to what was produced by content, not counted as stored.
  const { tags, models } = countStored(live);
  return {
    params: paramsFound(expected.params.slice(0, producedParams), rules.params, live),
    metrics: metricValuesFound(expected.metrics, live, rules.metricKeys),
    tags,
    artifacts: await artifactsFound(client, expected.artifacts, live),
    models,
  };
}

/**
 * How many of the produced artifact files reached the server, each matched at most once by its content (its
 * size and fill byte), wherever the hook put it: a file uploaded twice does not stand in for one never sent, nor
 * a file the pipeline did not make (a hook's own config file), unless the two have the same content (the same
 * size and, one time in 256, the same fill byte). Files under `models/` are models. Only files of a produced size
 * are downloaded, through the server's artifact proxy: files in a store the server does not proxy (an `s3://` or
 * `file://` artifact root the hook wrote to directly) cannot be read through it, and are matched by size alone.
 */
export async function artifactsFound(
  client: MlflowClient,
  produced: readonly ArtifactContent[],
  states: readonly RunState[],
): Promise<number> {
  const contentKey = (bytes: number, fill: number | undefined): string => (bytes ? `${bytes}:${fill}` : '0');
  const wanted = new Map<string, number>();
  for (const a of produced) {
    const key = contentKey(a.bytes, a.fill);
    wanted.set(key, (wanted.get(key) ?? 0) + 1);
  }
  const sizes = new Set(produced.map((a) => a.bytes));
  /** Takes one wanted file whose content key `matches`; whether there was one. */
  const take = (matches: (key: string) => boolean): boolean => {
    for (const [key, left] of wanted)
      if (left > 0 && matches(key)) {
        wanted.set(key, left - 1);
        return true;
      }
    return false;
  };
  let found = 0;
  for (const s of states)
    for (const f of s.artifacts) {
      if (f.path.startsWith('models/') || (f.file_size !== undefined && !sizes.has(f.file_size))) continue;
      if (!s.run.info.artifact_uri.startsWith('mlflow-artifacts:')) {
        const size = f.file_size;
        if (size !== undefined && take((key) => key === contentKey(size, undefined) || key.startsWith(`${size}:`)))
          found++;
        continue;
      }
      const data = await client.downloadArtifact(s.run.info.artifact_uri, f.path);
      if (data.some((b) => b !== data[0])) continue;
      const key = contentKey(data.length, data[0]);
      if (take((k) => k === key)) found++;
    }
  return found;
}

/**
 * How many of the parameters reached the server as a correct hook under `settings` sends them: the expected
 * key with the expected value (paramsDelivered), not merely a key that starts like it.
 */
export function paramsFound(
  params: readonly (readonly [string, ParamValue])[],
  settings: readonly ParamSettings[],
  states: readonly RunState[],
): number {
  return paramsDelivered(params, settings, loggedValues(states.map((s) => s.run.data)));
}

/**
 * How many of the produced metric values reached the server, each matched at most once (a multiset intersection):
 * a value sent twice does not stand in for one never sent, nor a wrong value (a zero, a rounded one) for the right
 * one. `byKey`: matched by key, step and value, so values logged under another node's key, or all under one key, are
 * lost; else by value alone, for a hook whose keys are not known (a plugin may name its metrics its own way).
 */
export function metricValuesFound(
  produced: readonly ExpectedMetric[],
  states: readonly RunState[],
  byKey: boolean,
): number {
  // Numbers as text: the same value reads the same (a number's shortest round-trip form).
  const id = byKey ? (key: string, step: number, value: number) => `${key}\n${step}\n${value}` : metricValueId;
  const wanted = new Map<string, number>();
  for (const m of produced) wanted.set(id(m.key, m.step, m.value), (wanted.get(id(m.key, m.step, m.value)) ?? 0) + 1);
  let found = 0;
  for (const s of states)
    for (const [key, history] of Object.entries(s.metricHistory))
      for (const m of history) {
        // A server may leave out a step of 0 (protobuf's default) or write the int64 as text.
        const stored = id(key, Number(m.step ?? 0), m.value);
        const left = wanted.get(stored) ?? 0;
        if (left === 0) continue;
        wanted.set(stored, left - 1);
        found++;
      }
  return found;
}

/** A metric value's identity when its key and step are not known to match: its value alone. */
const metricValueId = (_key: string, _step: number, value: number): string => String(value);
