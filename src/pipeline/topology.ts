// Edges for each topology. Every edge goes from a lower to a higher index, so every graph is a DAG
// by construction (and tests check it independently).
import type { Topology } from '../scenario/types.ts';
import type { Rng } from '../common/random.ts';

export type Edge = [number, number];

export function buildEdges(n: number, t: Topology, random: Rng): Edge[] {
  switch (t.kind) {
    case 'chain':
      return Array.from({ length: Math.max(0, n - 1) }, (_, i): Edge => [i, i + 1]);
    case 'fan':
      return fan(n, t.width);
    case 'layered':
      return layered(n, t.width, t.fanIn, random);
    case 'random':
      return randomDag(n, t.edgeProbability, random);
  }
}

/** A source fans out to `width` nodes that fan in to a join, which is the next source; repeated. */
function fan(n: number, width: number): Edge[] {
  const edges: Edge[] = [];
  let join = 0;
  let i = 1;
  while (i < n) {
    const middles: number[] = [];
    for (; i < n && middles.length < width; i++) {
      middles.push(i);
      edges.push([join, i]);
    }
    if (i >= n) break;
    for (const m of middles) edges.push([m, i]);
    join = i++;
  }
  return edges;
}

/** Layers of `width` nodes; each node takes `fanIn` distinct inputs from the layer before. */
function layered(n: number, width: number, fanIn: number, random: Rng): Edge[] {
  const edges: Edge[] = [];
  for (let start = width; start < n; start += width) {
    const prevStart = start - width;
    const pool = Array.from({ length: width }, (_, k) => prevStart + k);
    const take = Math.min(fanIn, width);
    for (let node = start; node < Math.min(start + width, n); node++) {
      // Partial Fisher-Yates: the first `take` entries become a uniform sample without replacement.
      for (let k = 0; k < take; k++) {
        const j = k + random.int(width - k);
        // k <= j < width = pool.length
        [pool[k], pool[j]] = [pool[j]!, pool[k]!];
      }
      const chosen = pool.slice(0, take).sort((a, b) => a - b);
      for (const from of chosen) edges.push([from, node]);
    }
  }
  return edges;
}

/** Each earlier node feeds each later one with probability p; geometric skips keep it O(edges). */
function randomDag(n: number, p: number, random: Rng): Edge[] {
  const edges: Edge[] = [];
  // log1p: for p below about 1e-16, 1 - p rounds to 1 and log(1 - p) to 0, which made the skips -Infinity.
  const logQ = Math.log1p(-p);
  if (p <= 0 || logQ === 0) return edges;
  for (let to = 1; to < n; to++) {
    if (p >= 1) {
      for (let from = 0; from < to; from++) edges.push([from, to]);
      continue;
    }
    let from = -1;
    for (;;) {
      from += 1 + Math.floor(Math.log(1 - random.next()) / logQ);
      if (from >= to) break;
      edges.push([from, to]);
    }
  }
  return edges;
}

/** Longest path counted in nodes (a single node has depth 1). Assumes from < to. */
export function depthOf(n: number, edges: Edge[]): number {
  if (n === 0) return 0;
  const depth = new Array<number>(n).fill(1);
  const sorted = [...edges].sort((a, b) => a[1] - b[1]);
  // edges join indices 0..n-1
  for (const [from, to] of sorted) depth[to] = Math.max(depth[to]!, depth[from]! + 1);
  return depth.reduce((a, b) => Math.max(a, b), 0);
}
