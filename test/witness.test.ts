// The harness's own view of an in-process pipeline run: node windows and values a hook changed.
import { describe, expect, it } from 'vitest';
import { resolveParam } from '../src/pipeline/params.ts';
import { contentDigest, witness } from '../src/conformance/witness.ts';
import { SCENARIOS } from '../src/conformance/scenarios.ts';
import type { Hooks } from '../src/pipeline/hooks.ts';
import { runSession } from '../src/pipeline/session.ts';
import { inputsChecksum } from '../src/pipeline/work.ts';

async function watched(middle: Hooks) {
  const pipeline = structuredClone(SCENARIOS.basic.pipeline);
  const seen = witness(pipeline.parameters);
  const outputs: unknown[] = [];
  const keep: Hooks = { afterNodeRun: (_n, _c, _i, out) => void outputs.push(structuredClone(out)) };
  await runSession(pipeline, {
    hooks: [
      { name: 'first', hooks: seen.first },
      { name: 'middle', hooks: middle },
      { name: 'keep', hooks: keep },
      { name: 'last', hooks: seen.last },
    ],
  });
  return { ...seen.finish(), outputs, pipeline };
}

describe('witness', () => {
  it('finds nothing changed when hooks only read, and times every node inside the run', async () => {
    const { changed, window, nodes, pipeline } = await watched({
      beforeNodeRun: (_n, _c, inputs) => void { ...inputs },
    });
    expect(changed).toEqual([]);
    expect(nodes.map((n) => n.node)).toEqual(pipeline.nodes.map((n) => n.name));
    for (const n of nodes) {
      expect(n.startMs).toBeGreaterThanOrEqual(window.startMs);
      expect(n.endMs).toBeGreaterThanOrEqual(n.startMs);
      expect(n.endMs).toBeLessThanOrEqual(window.endMs);
    }
  });

  it('names an input a hook replaced in place, and the node computes with what it was given', async () => {
    const plain = await watched({});
    const { changed, outputs } = await watched({
      beforeNodeRun: (node, _c, inputs) => {
        if (node.index === 0) for (const k of Object.keys(inputs)) inputs[k] = String(inputs[k]);
      },
    });
    const first = SCENARIOS.basic.pipeline.nodes[0]!;
    // String() leaves a string as it is: only the other values change.
    const { parameters } = SCENARIOS.basic.pipeline;
    expect(changed).toEqual(
      first.inputs
        .filter((i) => i.startsWith('params:') && typeof resolveParam(parameters, i) !== 'string')
        .map((i) => `input ${i} of ${first.name}`),
    );
    // The node's data output carries the checksum of its inputs: strings instead of numbers change it.
    expect(outputs[0]).not.toEqual(plain.outputs[0]);
  });

  it('names parameters and outputs changed deep inside', async () => {
    const { changed } = await watched({
      afterNodeRun: (node, _c, _i, outputs) => {
        if (node.index !== 1) return;
        const metrics = Object.values(outputs).find((v) => v && typeof v === 'object' && !Buffer.isBuffer(v));
        if (metrics) (metrics as Record<string, unknown>).extra = 1;
      },
      afterPipelineRun: (_p, _r, pipeline) => void Object.assign(pipeline.parameters, { injected: 1 }),
    });
    const second = SCENARIOS.basic.pipeline.nodes[1]!.name;
    expect(changed).toContain('the parameters');
    expect(changed.filter((c) => c.startsWith('output ') && c.endsWith(second)).length).toBeGreaterThan(0);
  });

  it('names each input a hook overrode with other content, not one handed back equal', async () => {
    const first = SCENARIOS.basic.pipeline.nodes[0]!;
    const params = first.inputs.filter((i) => i.startsWith('params:'));
    const { overridden, changed } = await watched({
      beforeNodeRun: (node, _c, inputs) => {
        if (node.index === 1) return { ...inputs, extra: 1 };
        if (node.index !== 0) return structuredClone(inputs);
        return { [params[0]!]: 'cut', [params[1]!]: structuredClone(inputs[params[1]!]) };
      },
    });
    const second = SCENARIOS.basic.pipeline.nodes[1]!.name;
    // The second parameter comes back as an equal copy: no change to what the node computes.
    expect(overridden).toEqual([`input ${params[0]} of ${first.name}`, `input extra of ${second} (added)`]);
    // Nothing was changed in place.
    expect(changed).toEqual([]);
  });

  it('finds no override when hooks return nothing', async () => {
    const { overridden } = await watched({ beforeNodeRun: () => undefined });
    expect(overridden).toEqual([]);
  });

  it('digests by content: equal data equal, a byte or a type apart differs', () => {
    expect(contentDigest({ a: [1, 'x'], b: Buffer.from('ab') })).toBe(
      contentDigest({ b: Buffer.from('ab'), a: [1, 'x'] }),
    );
    expect(contentDigest({ b: Buffer.from('ab') })).not.toBe(contentDigest({ b: Buffer.from('ac') }));
    expect(contentDigest({ a: 1 })).not.toBe(contentDigest({ a: '1' }));
    expect(inputsChecksum({ p: 1 })).not.toBe(inputsChecksum({ p: '1' }));
  });
});
