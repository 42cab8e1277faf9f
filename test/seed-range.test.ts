// A seed is hashed as its decimal text (src/common/random.ts): a number past 2^53 is rounded on reading, so two
// seeds written differently would draw the same streams; such seeds are bad input at file:line:col.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/io.ts';

function scenarioWithSeed(seed: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'tb-seed-')), 's.yaml');
  writeFileSync(file, `name: s\npipeline:\n  nodes: 3\n  seed: ${seed}\nhooks: [noop]\ntrials: {seed: ${seed}}\n`);
  return file;
}

describe('seeds', () => {
  it.each([
    ['1e300', 'must be <= 9007199254740991'],
    ['-1', 'must be >= 0'],
    ['9007199254740993', 'must be <= 9007199254740991'],
  ])('%s is refused in pipeline.seed and trials.seed, located', async (seed, why) => {
    const file = scenarioWithSeed(seed);
    const r = await cli(['generate', file]);
    expect(r.code).toBe(2);
    expect(r.out).toBe('');
    expect(r.err).toContain(`${file}:4:9 pipeline.seed: ${why}`);
    expect(r.err).toContain(`${file}:6:16 trials.seed: ${why}`);
  });

  it('1.5 and an empty name are refused; 0, 2^53-1 and a name are accepted', async () => {
    const half = await cli(['validate', scenarioWithSeed('1.5')]);
    expect([half.code, half.err]).toEqual([
      2,
      expect.stringContaining(':4:9 pipeline.seed: must be integer or string'),
    ]);
    const empty = await cli(['generate', scenarioWithSeed('""')]);
    expect([empty.code, empty.err]).toEqual([2, expect.stringContaining(':4:9 pipeline.seed: must NOT have fewer')]);
    for (const seed of ['0', '9007199254740991']) {
      const r = await cli(['generate', scenarioWithSeed(seed)]);
      expect([r.code, r.out.split('\n')[0]]).toEqual([0, `pipeline "__default__" (seed ${seed})`]);
    }
  });
});
