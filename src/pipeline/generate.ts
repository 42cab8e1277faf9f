// Scenario -> Pipeline. Pure and deterministic: the same PipelineSpec gives the same Pipeline,
// byte for byte. Index order is a topological order (every edge goes forward).
import type { NamespaceSpec, PipelineSpec } from '../scenario/types.ts';
import { makeParamValue, paramName, subtree } from './params.ts';
import { rng } from '../common/random.ts';
import { buildEdges, depthOf } from './topology.ts';
import { addProduction, nodeProduction, noProduction } from './production.ts';
import type {
  DatasetKind,
  DatasetSpec,
  MetricSeries,
  ParamTree,
  Pipeline,
  PipelineNode,
  PipelineSummary,
} from './types.ts';

const FUNCS = ['load', 'clean', 'join', 'featurize', 'split', 'train', 'tune', 'evaluate', 'score', 'report'];
const METRIC_WORDS = ['accuracy', 'loss', 'rmse', 'f1', 'auc', 'precision', 'recall', 'mae'];
const LEVEL_WORDS = ['stage', 'module', 'step', 'part', 'unit', 'block', 'piece', 'bit'];

export function generatePipeline(spec: PipelineSpec): Pipeline {
  const n = spec.nodes;
  const seed = String(spec.seed);
  const edges = buildEdges(n, spec.topology, rng(seed, 'topology'));
  const namespaces = namespacePaths(spec.namespaces);
  const paramRandom = rng(seed, 'params');
  const metricRandom = rng(seed, 'metrics');
  const modelIndices = new Set(modelNodeIndices(spec));
  const failIndex = typeof spec.failAt === 'number' ? spec.failAt : -1;

  const preds: number[][] = Array.from({ length: n }, () => []);
  for (const [from, to] of edges) preds[to]!.push(from);

  const digits = String(Math.max(0, n - 1)).length;
  const parameters: ParamTree = {};
  const datasets: Record<string, DatasetSpec> = {};
  const declare = (name: string, kind: DatasetKind, storage: DatasetSpec['storage']): string => {
    datasets[name] = { name, kind, storage };
    return name;
  };
  const fileOrMemory = spec.work.ioBytes > 0 ? 'file' : 'memory';

  const nodes: PipelineNode[] = [];
  for (let i = 0; i < n; i++) {
    const namespace = namespaces.length ? namespaces[Math.floor((i * namespaces.length) / n)]! : null;
    const func = FUNCS[i % FUNCS.length]!;
    const local = `${func}_${String(i).padStart(digits, '0')}`;
    const name = namespace ? `${namespace}.${local}` : local;

    const inputs = preds[i]!.map((p) => `${nodes[p]!.name}.out`);
    const nodeParams = spec.paramsPerNode.count > 0 ? subtree(parameters, name) : undefined;
    for (let j = 0; j < spec.paramsPerNode.count; j++) {
      const key = paramName(j);
      nodeParams![key] = makeParamValue(spec.paramsPerNode, paramRandom);
      inputs.push(`params:${name}.${key}`);
    }

    const outputs = [declare(`${name}.out`, 'data', fileOrMemory)];
    const metrics: MetricSeries[] = [];
    for (let m = 0; m < spec.metricsPerNode; m++) {
      const values = Array.from({ length: spec.metricSteps }, () => Math.round(metricRandom.next() * 1e6) / 1e6);
      metrics.push({ key: `${name}.${METRIC_WORDS[m % METRIC_WORDS.length]}_${m}`, values });
    }
    if (metrics.length) outputs.push(declare(`${name}.metrics`, 'metrics', 'memory'));
    for (let a = 0; a < spec.artifactsPerNode.count; a++)
      outputs.push(declare(`${name}.artifact_${a}`, 'artifact', 'file'));
    const modelCount = modelIndices.has(i) ? spec.modelNodes.modelsPerNode : 0;
    for (let k = 0; k < modelCount; k++) outputs.push(declare(`${name}.model_${k}`, 'model', 'file'));

    nodes.push({
      index: i,
      name,
      namespace,
      func,
      inputs,
      outputs,
      tags: [func],
      work: { ...spec.work },
      metrics,
      artifactBytes: spec.artifactsPerNode.bytes,
      modelBytes: spec.modelNodes.bytes,
      fails: i === failIndex || name === spec.failAt,
    });
  }
  return { name: spec.name, seed, nodes, edges, parameters, datasets };
}

/** Dotted namespace paths; depth d nests them, e.g. `stage_0.step_1`. */
export function namespacePaths(spec: NamespaceSpec): string[] {
  if (spec.names) return [...spec.names];
  const c = spec.count;
  const d = spec.depth;
  const base = Math.max(2, Math.ceil(Math.pow(c, 1 / d)));
  return Array.from({ length: c }, (_, k) =>
    Array.from(
      { length: d },
      (_, l) => `${LEVEL_WORDS[l % LEVEL_WORDS.length]}_${Math.floor(k / Math.pow(base, d - 1 - l))}`,
    ).join('.'),
  );
}

/** Explicit indices, or `count` nodes spread evenly (the middle of each equal share). */
function modelNodeIndices(spec: PipelineSpec): number[] {
  const m = spec.modelNodes;
  if (m.indices) return m.indices;
  return Array.from({ length: m.count }, (_, k) => Math.floor(((k + 0.5) * spec.nodes) / m.count));
}

export function summarize(p: Pipeline): PipelineSummary {
  const total = p.nodes.reduce((sum, node) => addProduction(sum, nodeProduction(p, node)), noProduction());
  return {
    nodes: p.nodes.length,
    edges: p.edges.length,
    ...total,
    depth: depthOf(p.nodes.length, p.edges),
    namespaces: new Set(p.nodes.map((x) => x.namespace).filter((x) => x !== null)).size,
  };
}
