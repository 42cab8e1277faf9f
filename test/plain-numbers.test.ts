// Numbers in flags are plain decimals: Number() took "0x10" as 16 nodes, "0b11" and " 7 " too, so a typo ran.
import { describe, expect, it } from 'vitest';
import { plainNumber } from '../src/common/env-number.ts';
import { cli } from './helpers/io.ts';

describe('numbers in flags', () => {
  it('hex, binary, signs, blanks and Infinity are not numbers; decimals and exponents are', () => {
    for (const text of ['0x10', '0b11', '0o7', ' 7', '7 ', '+7', '-7', 'Infinity', '1e', '.5', ''])
      expect(plainNumber(text), JSON.stringify(text)).toBeNaN();
    expect(['16', '0.5', '1e3', '2E-1'].map(plainNumber)).toEqual([16, 0.5, 1000, 0.2]);
  });

  it('sweep --nodes 0x10: exit 2 naming the flag (it ran as 16 nodes)', async () => {
    // --shard 2/2 of one size measures nothing, so without the check the command ends at once with 0.
    const r = await cli([
      'sweep',
      'scenarios/sweep.yaml',
      '--nodes',
      '0x10',
      '--shard',
      '2/2',
      '--out',
      '/nonexistent',
    ]);
    expect(r).toMatchObject({
      code: 2,
      err: '--nodes expected comma-separated node counts 1..100000, e.g. 50,500,5000; got "0x10"\n',
    });
  });
});
