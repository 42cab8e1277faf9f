// Too many edges: the message names the field that sets them for the topology given (a layered pipeline has no
// edgeProbability to lower; it was told to lower it).
import { describe, expect, it } from 'vitest';
import { InputError } from '../src/errors.ts';
import { parseScenario } from '../src/scenario/load.ts';

function problems(topology: string): string[] {
  try {
    parseScenario(`name: e\npipeline: {nodes: 100000, topology: ${topology}}\n`, 'e.yaml');
    return [];
  } catch (err) {
    if (!(err instanceof InputError)) throw err;
    return err.diagnostics.map((d) => d.message);
  }
}

describe('edge budget', () => {
  it('names fanIn or width for layered, edgeProbability for random', () => {
    expect(problems('{kind: layered, width: 2000, fanIn: 2000}')).toEqual([
      'about 200,000,000 edges expected (layered topology over 100000 nodes); the limit is 2,000,000: ' +
        'lower fanIn or width or the node count',
    ]);
    expect(problems('{kind: random, edgeProbability: 1}')[0]).toMatch(/: lower edgeProbability or the node count$/);
  });
});
