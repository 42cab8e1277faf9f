// The Kedro-style parameters tree and how `params:<dotted.path>` inputs resolve into it.
import type { ParamSpec } from '../scenario/types.ts';
import type { Rng } from '../common/random.ts';
import type { ParamTree, ParamValue } from './types.ts';

const PARAM_WORDS = [
  'learning_rate',
  'max_depth',
  'n_estimators',
  'alpha',
  'threshold',
  'window',
  'batch_size',
  'seed',
  'test_size',
  'penalty',
];
const ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

export function paramName(j: number): string {
  return `${PARAM_WORDS[j % PARAM_WORDS.length]}_${j}`;
}

export function makeParamValue(spec: ParamSpec, random: Rng): ParamValue {
  const { number: wn, string: ws, dict: wd } = spec.kinds;
  const r = random.next() * (wn + ws + wd);
  if (r < wn) return Math.round(random.next() * 1e6) / 1e3;
  if (r < wn + ws) return randomString(spec.stringLength, random);
  return randomDict(spec.dictKeys, spec.dictDepth, random);
}

function randomString(length: number, random: Rng): string {
  const bytes = Buffer.allocUnsafe(length);
  for (let i = 0; i < length; i++) bytes[i] = ALPHABET.charCodeAt(random.int(ALPHABET.length));
  return bytes.toString('latin1');
}

function randomDict(keys: number, depth: number, random: Rng): ParamTree {
  const out: ParamTree = {};
  for (let k = 0; k < keys; k++) {
    out[`k${k}`] = depth > 1 ? randomDict(keys, depth - 1, random) : Math.round(random.next() * 1e4) / 1e2;
  }
  return out;
}

/** A mapping (not a list, not null): what a dotted path descends into and what flattening splits. */
export function isMapping(v: ParamValue | undefined): v is ParamTree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The mapping at a dotted path, created (with its parents) when missing. */
export function subtree(tree: ParamTree, dotted: string): ParamTree {
  let node = tree;
  for (const part of dotted.split('.')) {
    const next = node[part];
    if (next === undefined) node = node[part] = {};
    else if (isMapping(next)) node = next;
    else throw new Error(`parameter path ${dotted} crosses the value at "${part}"`);
  }
  return node;
}

/** Resolve a dataset name `params:a.b.c` (or the whole tree for `parameters`), as Kedro's catalog does. */
export function resolveParam(tree: ParamTree, datasetName: string): ParamValue | undefined {
  if (datasetName === 'parameters') return tree;
  if (!datasetName.startsWith('params:')) return undefined;
  let node: ParamValue | undefined = tree;
  for (const part of datasetName.slice('params:'.length).split('.')) {
    if (node === undefined || !isMapping(node)) return undefined;
    node = node[part];
  }
  return node;
}
