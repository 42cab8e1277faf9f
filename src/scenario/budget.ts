// A size budget checked before anything is generated: a schema-valid scenario can still ask for
// billions of values (a dict 100 wide and 10 deep per parameter, 100,000 nodes x 1000 metrics).
// Refused with the figure and the limit, instead of hanging or running out of memory.
import type { Diagnostic } from '../errors.ts';
import type { Locate } from '../common/validate-yaml.ts';
import type { Scenario } from './types.ts';

/** Values a pipeline may produce in one run (params leaves + metric values + artifacts + models). */
export const MAX_VALUES = 20_000_000;
/** Leaves of one dict parameter (dictKeys^1 + ... + dictKeys^dictDepth). */
export const MAX_DICT_LEAVES = 10_000;
/** Edges of the pipeline graph (a random topology grows with the square of the node count). */
export const MAX_EDGES = 2_000_000;
/** Characters of the string parameters of one run: the generated pipeline holds them all in memory. */
export const MAX_PARAM_TEXT = 200_000_000;
/** Bytes of files one run may write (artifacts, models, node outputs). */
export const MAX_FILE_BYTES = 20 * 1024 ** 3;

function dictLeaves(keys: number, depth: number): number {
  let total = 0;
  for (let d = 1, level = 1; d <= depth; d++) {
    level *= keys;
    total += level;
    if (total > MAX_DICT_LEAVES) return total;
  }
  return total;
}

export function budgetProblems(s: Scenario, locate: Locate): Diagnostic[] {
  const out: Diagnostic[] = [];
  const p = s.pipeline;
  const pp = p.paramsPerNode;
  const kinds = pp.kinds.number + pp.kinds.string + pp.kinds.dict;
  const dictShare = kinds > 0 ? pp.kinds.dict / kinds : 0;
  const leaves = dictShare > 0 ? dictLeaves(pp.dictKeys, pp.dictDepth) : 1;
  if (leaves > MAX_DICT_LEAVES)
    out.push(
      locate(
        ['pipeline', 'paramsPerNode'],
        `a dict parameter of ${pp.dictKeys} keys and depth ${pp.dictDepth} has more than ${MAX_DICT_LEAVES} leaves ` +
          `(the limit)`,
      ),
    );
  const perParam = dictShare * Math.min(leaves, MAX_DICT_LEAVES + 1) + (1 - dictShare);
  const models = p.modelNodes.indices?.length ?? p.modelNodes.count;
  const values =
    p.nodes * (pp.count * perParam + p.metricsPerNode * p.metricSteps + p.artifactsPerNode.count) +
    models * p.modelNodes.modelsPerNode;
  if (values > MAX_VALUES)
    out.push(
      locate(
        ['pipeline'],
        `the pipeline would produce about ${Math.round(values).toLocaleString('en')} values in a run ` +
          `(nodes x (params x leaves + metrics x steps + artifacts)); the limit is ${MAX_VALUES.toLocaleString('en')}`,
      ),
    );
  const text = p.nodes * pp.count * (kinds > 0 ? pp.kinds.string / kinds : 0) * pp.stringLength;
  if (text > MAX_PARAM_TEXT)
    out.push(
      locate(
        ['pipeline', 'paramsPerNode'],
        `the string parameters would hold about ${Math.round(text).toLocaleString('en')} characters in a run ` +
          `(nodes x string params x stringLength); the limit is ${MAX_PARAM_TEXT.toLocaleString('en')}`,
      ),
    );
  const t = p.topology;
  const edges =
    t.kind === 'random'
      ? (t.edgeProbability * p.nodes * (p.nodes - 1)) / 2
      : t.kind === 'layered'
        ? p.nodes * Math.min(t.fanIn, t.width)
        : p.nodes;
  const edgeField = t.kind === 'random' ? 'edgeProbability' : 'fanIn or width';
  if (edges > MAX_EDGES)
    out.push(
      locate(
        ['pipeline', 'topology'],
        `about ${Math.round(edges).toLocaleString('en')} edges expected (${t.kind} topology over ${p.nodes} nodes); ` +
          `the limit is ${MAX_EDGES.toLocaleString('en')}: lower ${edgeField} or the node count`,
      ),
    );
  const bytes =
    p.nodes * (p.artifactsPerNode.count * p.artifactsPerNode.bytes + p.work.ioBytes) +
    models * p.modelNodes.modelsPerNode * p.modelNodes.bytes;
  if (bytes > MAX_FILE_BYTES)
    out.push(
      locate(['pipeline'], `a run would write about ${bytes.toExponential(2)} bytes; the limit is ${MAX_FILE_BYTES}`),
    );
  return out;
}
