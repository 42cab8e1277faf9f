// A node's parameters noted at the least cost before it runs, made into params later. beforeNodeRun
// holds the node's start, so it only notes each `params:` input's value (a string or a number as it
// is, allocating nothing; anything else as its text now, as the node could change it); the keys, the
// text of numbers and the value objects are made afterwards (the reference hook does it in
// afterNodeRun). A value too long for `long_params_strategy: fail` still fails before the node runs.
import type { KeyValue } from '../mlflow/wire.ts';
import { pythonLength } from '../mlflow/limits.ts';
import type { PipelineNode } from '../pipeline/types.ts';
import { nodeTag } from './common.ts';
import type { TrackingConfig } from './config/load-config.ts';
import type { KeyMap } from './keys.ts';
import { isLongParam, isParamInput, LongParamError, paramKeyOf, paramValueString, placeParam } from './params.ts';

type Strategy = TrackingConfig['tracking']['params']['long_params_strategy'];

export class ParamCapture {
  // Parallel arrays, emptied and reused: no object per node or per value.
  private readonly nodes: PipelineNode[] = [];
  /** How many (name, value) pairs each noted node has. */
  private readonly counts: number[] = [];
  private readonly names: string[] = [];
  private readonly values: unknown[] = [];

  constructor(
    private readonly keys: KeyMap,
    private readonly strategy: Strategy,
  ) {}

  /** Whether anything is noted and not yet taken. */
  get pending(): boolean {
    return this.nodes.length > 0;
  }

  /** Notes `node`'s parameter inputs. */
  note(node: PipelineNode, inputs: Record<string, unknown>): void {
    const start = this.names.length;
    // Object.entries, not for-in: for-in makes V8 keep an enum cache for each node's own input shape,
    // for the whole run (0.35 MB at 5000 nodes); the entries are garbage at once.
    const entries = Object.entries(inputs);
    for (let i = 0; i < entries.length; i++) {
      const name = entries[i]![0];
      if (!isParamInput(name)) continue;
      let value = entries[i]![1];
      if (!isPlain(value)) value = paramValueString(value);
      if (this.strategy === 'fail' && typeof value === 'string' && isLongParam(value)) {
        this.names.length = start;
        this.values.length = start;
        throw new LongParamError(this.keys.sent(paramKeyOf(name)), pythonLength(value));
      }
      this.names.push(name);
      this.values.push(value);
    }
    this.nodes.push(node);
    this.counts.push(this.names.length - start);
  }

  /** Appends what was noted as params and tags (each node's `nodeTag` first), in order, and forgets it. */
  take(params: KeyValue[], tags: KeyValue[]): void {
    let i = 0;
    for (let n = 0; n < this.nodes.length; n++) {
      tags.push(nodeTag(this.nodes[n]!));
      for (const end = i + this.counts[n]!; i < end; i++) {
        const text = paramValueString(this.values[i]);
        placeParam(this.keys.sent(paramKeyOf(this.names[i]!)), text, this.strategy, params, tags);
      }
    }
    this.nodes.length = 0;
    this.counts.length = 0;
    this.names.length = 0;
    this.values.length = 0;
  }
}

/** Kept as it is until taken: its text can not change, nor be longer than MLflow allows unless a string. */
const isPlain = (v: unknown): boolean =>
  v === null || v === undefined || typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
