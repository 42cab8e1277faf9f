// What a pipeline produces, counted from its description: the one count that `generate`'s summary,
// the measured runs of external processes and the checks of what reached MLflow all rest on.
import type { Pipeline, PipelineNode } from './types.ts';

export interface Production {
  /** `params:` inputs read. */
  params: number;
  /** Metric values (one per step). */
  metrics: number;
  artifacts: number;
  models: number;
}

export const noProduction = (): Production => ({ params: 0, metrics: 0, artifacts: 0, models: 0 });

/** What one node reads as parameters and produces as metric values, artifacts and models. */
export function nodeProduction(p: Pipeline, node: PipelineNode): Production {
  const count = noProduction();
  for (const input of node.inputs) if (input.startsWith('params:')) count.params++;
  for (const s of node.metrics) count.metrics += s.values.length;
  for (const out of node.outputs) {
    const kind = p.datasets[out]?.kind;
    if (kind === 'artifact') count.artifacts++;
    else if (kind === 'model') count.models++;
  }
  return count;
}

export function addProduction(total: Production, more: Production): Production {
  total.params += more.params;
  total.metrics += more.metrics;
  total.artifacts += more.artifacts;
  total.models += more.models;
  return total;
}
