// What reached the tracking server in one trial, read back through the REST API after the trial
// (so it works the same against the mock and a real server): the "delivered" of the values table
// is the server's word, never the hook's. Runs created since the last look are the trial's.
import { errorMessage } from '../errors.ts';
import { MlflowClient } from '../mlflow/client.ts';
import { countStored, readRun, type DeliveredCounts, type RunState } from '../mlflow/readback.ts';
import { resolveParam } from '../pipeline/params.ts';
import type { ParamValue, Pipeline } from '../pipeline/types.ts';
import { loggedValues, paramsDelivered, type ParamSettings } from '../tracking/param-delivery.ts';
import type { Produced } from './produced.ts';
import { VALUE_KINDS, type ServerValues, type ValueCounts } from './trial-types.ts';

export class ServerReader {
  private readonly known = new Set<string>();
  private readonly client: MlflowClient;

  constructor(trackingUri: string) {
    // No retries: a dead server is a finding, not something to wait out.
    this.client = new MlflowClient({ trackingUri, retry: { maxRetries: 0 } });
  }

  /** Runs created since the previous call. */
  private async newRuns(): Promise<RunState[]> {
    const ids: string[] = [];
    let page_token: string | undefined;
    do {
      const page = await this.client.searchExperiments({ max_results: 1000, page_token, view_type: 'ALL' });
      const experimentIds = page.experiments.map((e) => e.experiment_id);
      if (experimentIds.length)
        for (const run of await this.client.searchAllRuns({ experiment_ids: experimentIds, run_view_type: 'ALL' }))
          if (!this.known.has(run.info.run_id)) ids.push(run.info.run_id);
      page_token = page.next_page_token;
    } while (page_token);
    const states: RunState[] = [];
    for (const id of ids) {
      this.known.add(id);
      states.push(await readRun(this.client, id));
    }
    return states;
  }

  /** Marks what is on the server now as not this run's (call once before the first trial). */
  async prime(): Promise<void> {
    try {
      await this.newRuns();
    } catch {
      // A server that cannot be read now is reported by the first trial's values.
    }
  }

  /** Runs created since the last look (0 when the server cannot be read: the next with-trial says so). */
  async newRunCount(): Promise<number> {
    try {
      return (await this.newRuns()).length;
    } catch {
      return 0;
    }
  }

  /**
   * `expected`: every parameter input the generated pipeline reads (with its value) and every metric value it
   * produces, to match what reached the server; `paramSettings`: the hook's, each param under any one of them.
   */
  async valuesOf(
    produced: Produced,
    expected: ExpectedValues,
    paramSettings: readonly ParamSettings[],
  ): Promise<ServerValues> {
    let states: RunState[];
    try {
      states = await this.newRuns();
    } catch (err) {
      return { available: false, reason: `the tracking server could not be read back: ${errorMessage(err)}` };
    }
    const found = valuesDelivered(states, expected, produced.params, paramSettings);
    const delivered: ValueCounts = {
      params: found.params,
      metrics: found.metrics,
      artifacts: found.artifacts,
      models: found.models,
    };
    const lost = Object.fromEntries(
      VALUE_KINDS.map((k) => [k, Math.max(0, produced[k] - delivered[k])]),
    ) as unknown as ValueCounts; // every key of ValueCounts is set by the line above
    return { available: true, delivered, lost };
  }

  close(): void {
    this.client.close();
  }
}

/** What a generated pipeline reads as parameters (`params:` inputs with their values, in the order a run reads
 * them) and produces as metric values. */
export interface ExpectedValues {
  params: (readonly [string, ParamValue])[];
  metrics: number[];
}

export function expectedValues(p: Pipeline): ExpectedValues {
  return {
    params: p.nodes.flatMap((n) =>
      n.inputs.filter((i) => i.startsWith('params:')).map((i) => [i, resolveParam(p.parameters, i)!] as const),
    ),
    metrics: p.nodes.flatMap((n) => n.metrics.flatMap((series) => series.values)),
  };
}

/**
 * What of a run's values reached the server, as `run` and `trace` count it: of the first `producedParams`
 * expected parameters, those with the expected key and value under the hook's settings; each produced metric
 * value matched once; tags, artifacts and models as stored.
 */
export function valuesDelivered(
  states: readonly RunState[],
  expected: ExpectedValues,
  producedParams: number,
  paramSettings: readonly ParamSettings[],
): DeliveredCounts {
  return {
    params: paramsFound(expected.params.slice(0, producedParams), paramSettings, states),
    metrics: metricValuesFound(expected.metrics, states),
    ...countStored(states),
  };
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
 * How many of the produced metric values reached the server, each matched at most once by its value (a
 * multiset intersection): a value sent twice does not stand in for one never sent, nor a wrong value (a
 * zero, a rounded one) for the right one.
 */
export function metricValuesFound(produced: readonly number[], states: readonly RunState[]): number {
  const wanted = new Map<number, number>();
  for (const v of produced) wanted.set(v, (wanted.get(v) ?? 0) + 1);
  let found = 0;
  for (const s of states)
    for (const history of Object.values(s.metricHistory))
      for (const m of history) {
        const left = wanted.get(m.value) ?? 0;
        if (left === 0) continue;
        wanted.set(m.value, left - 1);
        found++;
      }
  return found;
}
