// What the pipeline really produced in one run, counted by a hook of our own that logs nothing:
// the truth a tracking hook's deliveries are compared with.
import { createHash } from 'node:crypto';
import type { DataCatalog } from '../pipeline/catalog.ts';
import type { Hooks } from '../pipeline/hooks.ts';
import { addProduction, nodeProduction, noProduction, type Production } from '../pipeline/production.ts';
import type { MetricsValue, Pipeline } from '../pipeline/types.ts';
import { dataText } from '../pipeline/work.ts';

export interface Produced extends Production {
  nodesRun: number;
}

/**
 * A dataset as saved, in 32 bits: a buffer by its length and first byte (the simulated node fills it from its
 * inputs), anything else by its JSON. Hashed natively: it runs in every trial's measured run, and a JavaScript loop
 * over the text cost 80 µs a node in a fresh process (15 µs this way).
 */
function savedDigest(name: string, data: unknown): number {
  return createHash('sha1').update(name).update('\0').update(dataText(data)).digest().readUInt32LE(0);
}

/**
 * Counts what the run produced and digests the data it saved (`dataDigest`): each dataset as saved
 * (savedDigest), XORed so the runner's order does not matter. Each node's data depends on its inputs, so a hook
 * that changes a node's inputs, outputs or parameters in place changes it; a run without hooks gives the digest
 * every trial of the pipeline must have.
 */
export function productionCounter(): { hooks: Hooks; produced: Produced; dataDigest: () => number } {
  const produced: Produced = { params: 0, metrics: 0, artifacts: 0, models: 0, nodesRun: 0 };
  let digest = 0;
  let catalog: DataCatalog | undefined;
  const hooks: Hooks = {
    afterCatalogCreated: (c) => void (catalog = c),
    beforeNodeRun: (_node, _c, inputs) => {
      for (const name of Object.keys(inputs)) if (name.startsWith('params:')) produced.params++;
    },
    afterNodeRun: (_node, c, _inputs, outputs) => {
      produced.nodesRun++;
      for (const [name, value] of Object.entries(outputs)) {
        if (c.kindOf(name) === 'metrics')
          for (const series of Object.values(value as MetricsValue)) produced.metrics += series.length;
      }
    },
    afterDatasetSaved: (name, data) => {
      digest = (digest ^ savedDigest(name, data)) >>> 0;
      const kind = catalog?.kindOf(name);
      if (kind === 'artifact') produced.artifacts++;
      else if (kind === 'model') produced.models++;
    },
  };
  return { hooks, produced, dataDigest: () => digest };
}

/**
 * What an external process (a `command:` hook) produces when it runs the described pipeline: nodes
 * run in index order, and a failing node stops the run after its inputs were loaded (the same
 * counting as productionCounter's).
 */
export function plannedProduction(p: Pipeline): Produced {
  const produced: Produced = { ...noProduction(), nodesRun: 0 };
  for (const node of p.nodes) {
    const made = nodeProduction(p, node);
    if (node.fails) {
      produced.params += made.params; // its inputs were loaded before it failed
      break;
    }
    produced.nodesRun++;
    addProduction(produced, made);
  }
  return produced;
}

/** How what a run produced differs from what the generated pipeline produces, if it does. */
export function productionShortfall(produced: Produced, planned: Produced): string | undefined {
  const keys = ['nodesRun', 'params', 'metrics', 'artifacts', 'models'] as const;
  const off = keys.filter((k) => produced[k] !== planned[k]);
  if (!off.length) return undefined;
  return off.map((k) => `${produced[k]} ${k === 'nodesRun' ? 'nodes run' : k} of ${planned[k]}`).join(', ');
}
