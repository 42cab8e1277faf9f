// What the harness itself sees of one in-process pipeline run: when the run and each node ran (wall
// clock, the clock hooks stamp MLflow times with) and whether any hook changed the data it was given.
// One hook goes first (before the target sees anything) and one last (after every hook is done).
import { createHash } from 'node:crypto';
import type { Hooks, Inputs } from '../pipeline/hooks.ts';
import type { ParamTree, PipelineNode } from '../pipeline/types.ts';
import type { NodeWindow, RunWindow } from './types.ts';

/** A digest of a value's content (keys in order, buffers by their bytes): equal digests, equal data. */
export function contentDigest(value: unknown): string {
  const h = createHash('sha256');
  const walk = (v: unknown): void => {
    if (v instanceof Uint8Array) {
      h.update(`b${v.length}:`);
      h.update(v);
    } else if (Array.isArray(v)) {
      h.update(`a${v.length}[`);
      for (const x of v) walk(x);
      h.update(']');
    } else if (v !== null && typeof v === 'object') {
      const keys = Object.keys(v).sort();
      h.update(`o${keys.length}{`);
      // a plain object's own keys, read as such
      for (const k of keys) {
        h.update(`${JSON.stringify(k)}:`);
        walk((v as Record<string, unknown>)[k]);
      }
      h.update('}');
    } else h.update(`${typeof v}:${String(v)};`);
  };
  walk(value);
  return h.digest('hex');
}

interface Held {
  node: string;
  what: string;
  ref: () => unknown;
  digest: string;
}

export interface Witness {
  /** Goes first in the hook list, so it sees each value before any other hook. */
  first: Hooks;
  /** Goes last, so a node's window ends after every hook's work on it. */
  last: Hooks;
  /** After the run: its window, each node's window, every value found changed since it was handed over, and every
   * input a node received other than the one loaded for it (a hook's override of other content). */
  finish(): { window: RunWindow; nodes: NodeWindow[]; changed: string[]; overridden: string[] };
}

/** Starts watching one pipeline run now; `parameters` are the ones the run is given. */
export function witness(parameters: ParamTree): Witness {
  const startMs = Date.now();
  const held: Held[] = [{ node: '', what: 'the parameters', ref: () => parameters, digest: contentDigest(parameters) }];
  const windows = new Map<string, NodeWindow>();
  const began = (node: PipelineNode): void => {
    if (!windows.has(node.name)) windows.set(node.name, { node: node.name, startMs: Date.now() });
  };
  const ended = (node: PipelineNode): void => {
    const w = windows.get(node.name);
    if (w) w.endMs = Date.now();
  };
  const hold = (node: PipelineNode, what: string, ref: () => unknown): void =>
    void held.push({ node: node.name, what, ref, digest: contentDigest(ref()) });
  // The objects handed to the hooks, whose keys a hook could reassign.
  const names = (node: PipelineNode, what: string, obj: Inputs): void =>
    hold(node, `${what} (its names)`, () => Object.keys(obj).sort());
  // Each node's inputs as handed to the hooks, and what it was called with instead.
  const handed = new Map<string, Inputs>();
  const overridden = new Set<string>();
  const received = (node: PipelineNode, inputs: Inputs): void => {
    const given = handed.get(node.name);
    if (!given) return;
    for (const k of new Set([...Object.keys(given), ...Object.keys(inputs)])) {
      const [a, b] = [given[k], inputs[k]];
      // The same object changed in place is HKS-001's; another object of equal content is no change.
      if (!(k in given) || !(k in inputs))
        overridden.add(`input ${k} of ${node.name} (${k in given ? 'dropped' : 'added'})`);
      else if (a !== b && contentDigest(a) !== contentDigest(b)) overridden.add(`input ${k} of ${node.name}`);
    }
  };
  return {
    first: {
      beforeDatasetLoaded: (_name, node) => began(node),
      afterDatasetLoaded: (name, data, node) => hold(node, `input ${name} as loaded`, () => data),
      beforeNodeRun: (node, _catalog, inputs) => {
        began(node);
        handed.set(node.name, { ...inputs });
        names(node, 'inputs', inputs);
        for (const k of Object.keys(inputs)) hold(node, `input ${k}`, () => inputs[k]);
      },
      afterNodeRun: (node, _catalog, inputs, outputs) => {
        received(node, inputs);
        names(node, 'outputs', outputs);
        for (const k of Object.keys(outputs)) hold(node, `output ${k}`, () => outputs[k]);
      },
      onNodeError: (_e, node, _catalog, inputs) => received(node, inputs),
    },
    // Called with the inputs the node ran on, after every override.
    last: {
      afterNodeRun: (node) => ended(node),
      onNodeError: (_e, node) => ended(node),
      afterDatasetSaved: (_name, _data, node) => ended(node),
    },
    finish() {
      const changed = held
        .filter((x) => contentDigest(x.ref()) !== x.digest)
        .map((x) => (x.node ? `${x.what} of ${x.node}` : x.what));
      return {
        window: { startMs, endMs: Date.now() },
        nodes: [...windows.values()],
        changed,
        overridden: [...overridden],
      };
    },
  };
}
