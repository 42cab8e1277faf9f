// Where undelivered values go: never the current folder. The reference hook's default is a folder
// under the OS temp dir, and the warning names the file.
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { startInProcessMock } from '../src/backends/mock/in-process.ts';
import { runSession } from '../src/pipeline/session.ts';
import { createReferenceHook } from '../src/tracking/builtin/reference.ts';
import { loadTrackingConfig } from '../src/tracking/config/load-config.ts';
import { DEFAULT_SPILL_DIR } from '../src/tracking/delivery/spill.ts';
import { context } from './helpers/tracking.ts';
import { pipelineOf } from './helpers/scenario.ts';

describe('spill files', () => {
  it('go to trackbench-spill under the OS temp folder by default, named in the warning', async () => {
    expect(DEFAULT_SPILL_DIR).toBe(join(tmpdir(), 'trackbench-spill'));
    const backend = await startInProcessMock({ down: true });
    onTestFinished(() => backend.stop());
    const warnings: string[] = [];
    // No spillDir: the default applies.
    const config = loadTrackingConfig({ inline: { trackbench: { retry: { maxRetries: 0 } } } });
    const hook = createReferenceHook(config, context(backend, warnings));
    await runSession(pipelineOf({ nodes: 2, paramsPerNode: { count: 1 } }), { hooks: [{ name: 'h', hooks: hook }] });
    const file = hook.stats().spillFile;
    onTestFinished(() => rmSync(file ?? '', { force: true }));
    expect(file?.startsWith(DEFAULT_SPILL_DIR + sep)).toBe(true);
    expect(hook.stats().lost.params).toBe(2);
    expect(warnings.join('\n')).toContain(`trackbench replay ${file}`);
  });
});
