// Kedro's DataCatalog, reduced to what pipelines here need: memory datasets and file datasets
// (real files in a per-run temp directory, so disk I/O is real), plus `params:` entries.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { registerTempDir } from '../common/cleanup.ts';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deterministic } from './deterministic.ts';
import { resolveParam } from './params.ts';
import type { DatasetKind, DatasetSpec, Pipeline } from './types.ts';
import { safeFileName } from '../common/file-names.ts';

export interface DatasetInfo extends DatasetSpec {
  /** For file datasets: where the bytes are. */
  filepath?: string;
}

interface Dataset {
  load(): Promise<unknown>;
  save(data: unknown): Promise<void>;
}

class MemoryDataset implements Dataset {
  private data: unknown;
  private saved = false;
  constructor(
    private readonly name: string,
    initial?: { value: unknown },
  ) {
    if (initial) {
      this.data = initial.value;
      this.saved = true;
    }
  }
  load(): Promise<unknown> {
    if (!this.saved) return Promise.reject(new Error(`dataset ${this.name} has not been saved yet`));
    return Promise.resolve(this.data);
  }
  save(data: unknown): Promise<void> {
    this.data = data;
    this.saved = true;
    return Promise.resolve();
  }
}

/** Buffers are written raw; anything else as JSON. */
class FileDataset implements Dataset {
  private binary = true;
  constructor(readonly filepath: string) {}
  async load(): Promise<unknown> {
    const bytes = deterministic ? readFileSync(this.filepath) : await readFile(this.filepath);
    return this.binary ? bytes : JSON.parse(bytes.toString('utf8'));
  }
  async save(data: unknown): Promise<void> {
    this.binary = Buffer.isBuffer(data);
    // Buffer.isBuffer(data) above
    const contents = this.binary ? (data as Buffer) : JSON.stringify(data);
    if (deterministic) writeFileSync(this.filepath, contents);
    else await writeFile(this.filepath, contents);
  }
}

export class DataCatalog {
  readonly dir: string;
  private readonly unregister: () => void;
  private readonly datasets = new Map<string, { info: DatasetInfo; dataset: Dataset }>();

  constructor(pipeline: Pipeline, baseDir = tmpdir()) {
    this.dir = mkdtempSync(join(baseDir, 'trackbench-run-'));
    this.unregister = registerTempDir(this.dir);
    for (const node of pipeline.nodes) {
      for (const name of node.inputs) {
        if (name.startsWith('params:')) {
          this.add(
            { name, kind: 'params', storage: 'memory' },
            new MemoryDataset(name, { value: resolveParam(pipeline.parameters, name) }),
          );
        }
      }
    }
    for (const spec of Object.values(pipeline.datasets)) {
      if (spec.storage === 'file') {
        const filepath = join(this.dir, safeFileName(spec.name));
        this.add({ ...spec, filepath }, new FileDataset(filepath));
      } else {
        this.add({ ...spec }, new MemoryDataset(spec.name));
      }
    }
    this.add(
      { name: 'parameters', kind: 'params', storage: 'memory' },
      new MemoryDataset('parameters', { value: pipeline.parameters }),
    );
  }

  private add(info: DatasetInfo, dataset: Dataset): void {
    this.datasets.set(info.name, { info, dataset });
  }

  private entry(name: string): { info: DatasetInfo; dataset: Dataset } {
    const e = this.datasets.get(name);
    if (!e) throw new Error(`dataset "${name}" is not in the catalog`);
    return e;
  }

  describe(name: string): DatasetInfo {
    return this.entry(name).info;
  }

  kindOf(name: string): DatasetKind | undefined {
    return this.datasets.get(name)?.info.kind;
  }

  list(): string[] {
    return [...this.datasets.keys()];
  }

  load(name: string): Promise<unknown> {
    return this.entry(name).dataset.load();
  }

  save(name: string, data: unknown): Promise<void> {
    return this.entry(name).dataset.save(data);
  }

  /** Removes the run's temp directory and every file dataset in it. */
  dispose(): void {
    rmSync(this.dir, { recursive: true, force: true });
    this.unregister();
  }
}
