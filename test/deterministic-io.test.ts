// Under the instruction-count instrument (TRACKBENCH_DETERMINISTIC=1) file datasets are read and written
// synchronously: no thread-pool completion for the event loop to take, whose batching under load moved a
// 50-node run's count by tens of thousands of instructions. Outside it, node I/O stays asynchronous.
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { pipelineOf } from './helpers/scenario.ts';

async function catalogModule(deterministic: boolean): Promise<typeof import('../src/pipeline/catalog.ts')> {
  vi.resetModules();
  vi.stubEnv('TRACKBENCH_DETERMINISTIC', deterministic ? '1' : '');
  return import('../src/pipeline/catalog.ts');
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

describe('file datasets', () => {
  const pipeline = pipelineOf({ nodes: 2, topology: { kind: 'chain' }, work: { ioBytes: 1024 } });
  const name = pipeline.nodes[0]!.outputs[0]!;

  it('are written before save() returns in a counted trial, and read back the same', async () => {
    const { DataCatalog } = await catalogModule(true);
    const catalog = new DataCatalog(pipeline);
    try {
      const saved = catalog.save(name, Buffer.alloc(1024, 7));
      // Synchronously: no request pending, and the file is whole before the promise is even awaited.
      expect(process.getActiveResourcesInfo().filter((r) => r.startsWith('FS'))).toEqual([]);
      const path = catalog.describe(name).filepath!;
      expect(readFileSync(path)).toEqual(Buffer.alloc(1024, 7));
      await saved;
      expect(await catalog.load(name)).toEqual(Buffer.alloc(1024, 7));
    } finally {
      catalog.dispose();
    }
  });

  it('are written on the thread pool otherwise', async () => {
    const { DataCatalog } = await catalogModule(false);
    const catalog = new DataCatalog(pipeline);
    try {
      const saved = catalog.save(name, Buffer.alloc(1024, 7));
      // The request is pending until the event loop takes its completion, after this synchronous line.
      expect(process.getActiveResourcesInfo()).toContain('FSReqPromise');
      await saved;
      expect(await catalog.load(name)).toEqual(Buffer.alloc(1024, 7));
    } finally {
      catalog.dispose();
    }
  });
});
