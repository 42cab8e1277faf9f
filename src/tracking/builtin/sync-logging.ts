// What the synchronous designs (naive, kedro-mlflow-like) share: each request is awaited on the
// node's path, errors propagate to the pipeline (as mlflow's fluent API raises), and every value is
// counted as generated before the request and delivered after it.
import type { MlflowClient } from '../../mlflow/client.ts';
import type { DataCatalog } from '../../pipeline/catalog.ts';
import type { PipelineNode } from '../../pipeline/types.ts';
import { asBytes, registeredModelName } from '../common.ts';
import { Accounting, type ValueKind } from '../delivery/accounting.ts';
import { registerVersion } from '../delivery/outbox.ts';
import { KeyMap } from '../keys.ts';

export class SyncLogger {
  readonly accounting = new Accounting();
  /** One key map per hook: sanitised keys of different nodes never merge. */
  readonly keys = new KeyMap();
  runId?: string;
  artifactUri?: string;
  catalog?: DataCatalog;

  constructor(readonly client: MlflowClient) {
    this.accounting.renamedKeys = this.keys.renames;
  }

  /** Ends the run (if one was started) and releases the connections. */
  async end(status: 'FINISHED' | 'FAILED'): Promise<void> {
    if (this.runId) await this.client.updateRun({ run_id: this.runId, status, end_time: Date.now() });
    this.client.close();
  }

  /** Starts the run and remembers where its artifacts go. */
  async startRun(experimentId: string, runName: string): Promise<string> {
    const run = await this.client.createRun({ experiment_id: experimentId, run_name: runName, start_time: Date.now() });
    this.runId = run.info.run_id;
    this.artifactUri = run.info.artifact_uri;
    return run.info.run_id;
  }

  /** Counts `n` values of `kind` as generated, sends, then counts them delivered. */
  async counted<T>(kind: ValueKind, n: number, send: () => Promise<T>): Promise<T> {
    this.accounting.generated[kind] += n;
    const out = await send();
    this.accounting.delivered[kind] += n;
    return out;
  }

  /** Artifacts and models among a saved dataset, uploaded one request each; models registered. */
  async fileOutput(datasetName: string, data: unknown, node: PipelineNode): Promise<void> {
    const kind = this.catalog?.kindOf(datasetName);
    if (!this.artifactUri || !this.runId) return;
    const uri = this.artifactUri;
    const runId = this.runId;
    if (kind === 'artifact') {
      await this.counted('artifacts', 1, () =>
        this.client.uploadArtifact(uri, `${node.name}/${datasetName.slice(node.name.length + 1)}`, asBytes(data)),
      );
    } else if (kind === 'model') {
      const path = `models/${datasetName}`;
      await this.counted('models', 1, async () => {
        await this.client.uploadArtifact(uri, path, asBytes(data));
        await registerVersion(this.client, registeredModelName(datasetName), `${uri}/${path}`, runId);
      });
    }
  }
}
