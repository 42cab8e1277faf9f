// `trackbench replay <file>`: delivers what a hook could not, from its spill file. Runs that were
// never created are created (same experiment, name and tags); values are sent in log-batch requests
// packed to MLflow's limits; a run's recorded end status is applied last.
import { readFileSync } from 'node:fs';
import { InputError } from '../../errors.ts';
import type { MlflowClient } from '../../mlflow/client.ts';
import type { KeyValue, Metric } from '../../mlflow/wire.ts';
import { registerVersion, takeBatch } from './outbox.ts';
import type { SpillRecord } from './spill.ts';

export interface ReplayResult {
  runsCreated: number;
  params: number;
  metrics: number;
  tags: number;
  artifacts: number;
  models: number;
  requests: number;
}

export function readSpillFile(file: string): SpillRecord[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError([
      { file, message: (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : String(err) },
    ]);
  }
  const records: SpillRecord[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    try {
      const r = JSON.parse(line) as SpillRecord;
      if (!r || typeof r !== 'object' || typeof r.type !== 'string' || typeof r.run !== 'string')
        throw new Error('not a spill record');
      records.push(r);
    } catch (err) {
      throw new InputError([
        { file, line: i + 1, col: 1, message: `not a trackbench spill record: ${(err as Error).message}` },
      ]);
    }
  });
  return records;
}

export async function replay(records: SpillRecord[], client: MlflowClient): Promise<ReplayResult> {
  const result: ReplayResult = { runsCreated: 0, params: 0, metrics: 0, tags: 0, artifacts: 0, models: 0, requests: 0 };
  const before = client.stats.requests;
  const runs = new Map<string, { id: string; artifactUri: string }>();
  const pending = new Map<string, { params: KeyValue[]; tags: KeyValue[]; metrics: Metric[] }>();
  const ends: Extract<SpillRecord, { type: 'end' }>[] = [];
  const files: Extract<SpillRecord, { type: 'artifact' | 'model' }>[] = [];

  // Runs first, parents before children (the file lists a run before anything logged to it).
  for (const r of records) {
    if (r.type !== 'run') continue;
    if (r.runId) {
      const run = await client.getRun(r.runId);
      runs.set(r.run, { id: run.info.run_id, artifactUri: run.info.artifact_uri });
      continue;
    }
    const experimentId = await client.getOrCreateExperiment(r.experimentName);
    const parentId = r.parentRun ? runs.get(r.parentRun)?.id : undefined;
    const tags = parentId ? [...r.tags, { key: 'mlflow.parentRunId', value: parentId }] : r.tags;
    const run = await client.createRun({
      experiment_id: experimentId,
      run_name: r.runName,
      start_time: Date.now(),
      tags,
    });
    runs.set(r.run, { id: run.info.run_id, artifactUri: run.info.artifact_uri });
    result.runsCreated++;
  }
  const runOf = (key: string): { id: string; artifactUri: string } => {
    const run = runs.get(key);
    if (!run)
      throw new InputError([
        { file: '<spill file>', message: `values for run "${key}" come before any record of that run` },
      ]);
    return run;
  };
  for (const r of records) {
    if (r.type === 'params' || r.type === 'tags' || r.type === 'metrics') {
      runOf(r.run);
      let p = pending.get(r.run);
      if (!p) pending.set(r.run, (p = { params: [], tags: [], metrics: [] }));
      (p[r.type] as (KeyValue | Metric)[]).push(...r.items);
    } else if (r.type === 'artifact' || r.type === 'model') files.push(r);
    else if (r.type === 'end') ends.push(r);
  }
  for (const [key, p] of pending) {
    const { id } = runOf(key);
    while (p.params.length + p.tags.length + p.metrics.length > 0) {
      const b = takeBatch(p);
      await client.logBatch({ run_id: id, ...b });
      result.params += b.params.length;
      result.tags += b.tags.length;
      result.metrics += b.metrics.length;
    }
  }
  for (const f of files) {
    const run = runOf(f.run);
    await client.uploadArtifact(run.artifactUri, f.path, Buffer.from(f.base64, 'base64'));
    if (f.type === 'model') {
      await registerVersion(client, f.name, `${run.artifactUri}/${f.path}`, run.id);
      result.models++;
    } else result.artifacts++;
  }
  for (const e of ends) await client.updateRun({ run_id: runOf(e.run).id, status: e.status, end_time: e.endTime });
  result.requests = client.stats.requests - before;
  return result;
}
