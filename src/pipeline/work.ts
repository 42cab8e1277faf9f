// What a generated node does when it runs: real CPU, real allocation, real sleeping, and outputs
// whose sizes the scenario sets. Deterministic outputs, so what hooks log can be checked.
import { setTimeout as sleep } from 'node:timers/promises';
import { deterministic } from './deterministic.ts';
import type { MetricsValue, PipelineNode } from './types.ts';

/** What the message of a node failure the scenario asked for (failAt) says. */
export const INJECTED_FAILURE = 'injected failure in node';

export class InjectedNodeFailure extends Error {
  constructor(nodeName: string) {
    super(`${INJECTED_FAILURE} ${nodeName} (scenario failAt)`);
    this.name = 'InjectedNodeFailure';
  }
}

/**
 * Iterations of the busy loop per CPU millisecond in deterministic mode. The figure only has to be
 * fixed, so an instruction count repeats; the node work cancels out of a hook's count (the loop
 * allocates nothing, so it moves no collection) and only costs Valgrind time. At 40,000 (about what
 * the loop does natively, optimised) the overhead-table's 50 nodes counted 2.4G of a trial's 4.1G
 * instructions; 4,000 (about 1M instructions, a fifth of what the counted tier does natively in 1 ms).
 */
export const ITERATIONS_PER_MS = 4_000;

/** Busy computation until `ms` of this process's CPU time have passed (or a fixed count of iterations). */
export function burnCpu(ms: number): number {
  if (ms <= 0) return 0;
  if (deterministic) return spin(Math.round(ms * ITERATIONS_PER_MS));
  const start = process.cpuUsage();
  const budgetMicros = ms * 1000;
  let acc = 0;
  for (;;) {
    for (let i = 0; i < 2000; i++) acc = (acc * 1103515245 + 12345 + i) % 2147483647;
    const used = process.cpuUsage(start);
    if (used.user + used.system >= budgetMicros) return acc;
  }
}

/** A fixed amount of computation: `iterations` steps of a linear congruential generator. */
export function spin(iterations: number): number {
  let acc = 0;
  for (let i = 0; i < iterations; i++) acc = (acc * 1103515245 + 12345 + i) % 2147483647;
  return acc;
}

/** Allocates and touches `bytes` (so the pages are really resident), then lets them go. */
export function allocate(bytes: number): number {
  if (bytes <= 0) return 0;
  const block = Buffer.allocUnsafe(bytes);
  block.fill(0x5a);
  // bytes > 0 (checked above)
  return block[bytes - 1]!;
}

function payload(bytes: number, seed: number): Buffer {
  return Buffer.alloc(bytes, seed & 0xff);
}

/** The byte an artifact or model file is filled with: from its dataset name, so two files rarely match. */
export function fileFill(datasetName: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < datasetName.length; i++) h = Math.imul(h ^ datasetName.charCodeAt(i), 0x01000193);
  return h >>> 24;
}

/** A dataset's value as text to digest: a buffer by its length and first byte (large file data costs nothing). */
export const dataText = (v: unknown): string =>
  Buffer.isBuffer(v) ? `b${v.length}:${v[0] ?? ''}` : `${typeof v}:${JSON.stringify(v)}`;

/**
 * A checksum of what the node was given (FNV-1a over each input's key and value; a buffer by its length and
 * first byte, so large file data costs nothing): the node's data output depends on its inputs, as a real node's
 * would, so an input a hook changed changes what the node produces.
 */
export function inputsChecksum(inputs: Record<string, unknown>): number {
  let h = 0x811c9dc5;
  for (const key of Object.keys(inputs).sort()) {
    for (const c of `${key}=${dataText(inputs[key])};`) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  }
  return h >>> 0;
}

export async function executeNode(
  node: PipelineNode,
  outputKinds: (name: string) => string | undefined,
  inputs: Record<string, unknown> = {},
): Promise<Record<string, unknown>> {
  const w = node.work;
  const consumed = inputsChecksum(inputs);
  burnCpu(w.cpuMs);
  allocate(w.allocBytes);
  if (w.sleepMs > 0) await sleep(w.sleepMs);
  if (node.fails) throw new InjectedNodeFailure(node.name);

  const outputs: Record<string, unknown> = {};
  for (const name of node.outputs) {
    switch (outputKinds(name)) {
      case 'metrics': {
        const value: MetricsValue = {};
        for (const s of node.metrics) value[s.key] = s.values.map((v, step) => ({ value: v, step }));
        outputs[name] = value;
        break;
      }
      case 'artifact':
        outputs[name] = payload(node.artifactBytes, fileFill(name));
        break;
      case 'model':
        outputs[name] = payload(node.modelBytes, fileFill(name));
        break;
      default:
        outputs[name] =
          w.ioBytes > 0 ? payload(w.ioBytes, node.index ^ consumed) : { node: node.name, index: node.index, consumed };
    }
  }
  return outputs;
}
