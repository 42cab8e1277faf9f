// Values plausible bugs trip on, added to the conformance pipelines only (benchmarks keep the generator's own): falsy
// parameters (0, false, '', null, empty list and mapping), a key in letters beyond ASCII, integers, floats whose text
// differs between languages, lists in mappings, text that needs escaping, a key and values at MLflow's length limits
// (in characters, as MLflow counts them, not UTF-16 units or bytes),
// metric values that are 0, negative, tiny, huge, NaN or infinite (a diverging model's loss), a file larger than the
// pieces uploads are often cut into, and nodes at exactly a log-batch limit.
import { LIMITS } from '../mlflow/limits.ts';
import { subtree } from '../pipeline/params.ts';
import type { ParamTree, ParamValue, Pipeline, PipelineNode } from '../pipeline/types.ts';

/** Parameters with values a hook must log as they are, by key under the node's own parameters. */
export const EDGE_PARAMS: ParamTree = {
  zero: 0,
  answer: 42,
  below_zero: -7,
  negative_half: -2.5,
  tenth: 0.1,
  tenth_plus_fifth: 0.1 + 0.2,
  tiny: 1e-7,
  huge: 1e21,
  flag_on: true,
  flag_off: false,
  empty_text: '',
  nothing: null,
  empty_list: [],
  empty_mapping: {},
  mixed_list: [1, 'a', true, null, 2.5],
  nested: { layers: [64, 32], options: { dropout: 0, use_bias: false, name: 'x' }, missing: null },
  unicode: 'naïve café – 日本語 🚀',
  multiline: 'line one\nline two\n',
  quoted: `it's "quoted" \\ back`,
  numeric_text: '007',
  boolean_text: 'true',
  // MLflow's key rule is Python's `\w`: any script's letters (`größe`). A JavaScript `\w` or an ASCII class is not.
  größe: 3,
};

/** Metric values that are not plain positive fractions, one per step from step 0. MLflow keeps NaN and stores
 * the infinities as the largest finite doubles; JSON.stringify would turn all three into null. */
export const EDGE_METRIC_VALUES = [0, -2.5, 0.1, 1e-7, 1e21, -1e-300, 0, NaN, Infinity, -Infinity];

/** The size of the first node's artifacts: over 256 KiB, the largest piece HTTP clients and chunked uploaders
 * commonly cut a body into (Node's streams read 64 KiB), and not a multiple of any power of two, so an upload
 * cut, capped or sent by its first piece only arrives short. */
export const EDGE_ARTIFACT_BYTES = 300 * 1024 + 7;

/** A deterministic text of exactly `length` characters. */
const textOf = (length: number): string => 'edge-'.repeat(Math.ceil(length / 5)).slice(0, length);

function addParam(p: Pipeline, node: PipelineNode, key: string, value: ParamValue): void {
  subtree(p.parameters, node.name)[key] = value;
  node.inputs.push(`params:${node.name}.${key}`);
}

/** The pipeline with the edge values in its first node: parameters, a value of exactly MLflow's length limit, a
 * key (with the node's name) of exactly the key limit, a metric series of edge values and large artifacts. */
export function withEdgeValues(pipeline: Pipeline): Pipeline {
  const p = structuredClone(pipeline);
  const node = p.nodes[0]!;
  node.artifactBytes = EDGE_ARTIFACT_BYTES;
  for (const [k, v] of Object.entries(EDGE_PARAMS)) addParam(p, node, k, structuredClone(v));
  addParam(p, node, 'at_value_limit', textOf(LIMITS.paramValueLength));
  // MLflow counts characters (code points): 6000 rockets are within its limit, though 12,000 UTF-16 units (a
  // JavaScript string's length) and 24,000 UTF-8 bytes. A hook measuring either cuts or tags a value it must log whole.
  addParam(p, node, 'emoji_at_value_limit', '🚀'.repeat(LIMITS.paramValueLength));
  const prefix = 'at_key_limit_';
  const keyLength = LIMITS.keyLength - node.name.length - 1;
  addParam(p, node, prefix + 'k'.repeat(keyLength - prefix.length), 'v');
  node.metrics.push({ key: `${node.name}.edge_values`, values: [...EDGE_METRIC_VALUES] });
  return p;
}

/** The pipeline with one more parameter in every node whose value is one character over MLflow's limit; in the
 * first, one more again: one over in emoji after a letter, so a cut at 6000 UTF-16 units halves an emoji (a lone
 * surrogate, which MLflow stores as '' and after which it drops the rest of the request). */
export function withValueOverLimit(pipeline: Pipeline): Pipeline {
  const p = structuredClone(pipeline);
  for (const node of p.nodes) addParam(p, node, 'over_value_limit', textOf(LIMITS.paramValueLength + 1));
  addParam(p, p.nodes[0]!, 'over_value_limit_emoji', `x${'🚀'.repeat(LIMITS.paramValueLength)}`);
  return p;
}

/** The pipeline with its first node cut to exactly one log-batch of params (100) and of metric values (1000). */
export function withNodeAtBatchLimits(pipeline: Pipeline): Pipeline {
  const p = structuredClone(pipeline);
  const node = p.nodes[0]!;
  const params = node.inputs.filter((i) => i.startsWith('params:'));
  if (params.length < LIMITS.paramsPerBatch) throw new Error(`${node.name} has under ${LIMITS.paramsPerBatch} params`);
  const own = subtree(p.parameters, node.name);
  for (const input of params.slice(LIMITS.paramsPerBatch)) {
    delete own[input.slice(`params:${node.name}.`.length)];
    node.inputs.splice(node.inputs.indexOf(input), 1);
  }
  const steps = LIMITS.metricsPerBatch / node.metrics.length;
  if (!Number.isInteger(steps) || node.metrics.some((m) => m.values.length < steps))
    throw new Error(`${node.name}'s metrics do not cut to exactly ${LIMITS.metricsPerBatch} values`);
  for (const m of node.metrics) m.values = m.values.slice(0, steps);
  return p;
}
