// One node, the way Kedro's runner does it: load each input (dataset hooks around each), the node
// hooks around the call, then save each output (dataset hooks around each).
import type { DataCatalog } from './catalog.ts';
import type { HookManager, Inputs } from './hooks.ts';
import type { PipelineNode } from './types.ts';
import { executeNode } from './work.ts';

export async function runNode(
  node: PipelineNode,
  catalog: DataCatalog,
  hooks: HookManager,
  runId: string,
): Promise<void> {
  let inputs: Inputs = {};
  for (const name of node.inputs) {
    await hooks.call('beforeDatasetLoaded', name, node);
    const data = await catalog.load(name);
    await hooks.call('afterDatasetLoaded', name, data, node);
    inputs[name] = data;
  }

  const overrides = await hooks.call('beforeNodeRun', node, catalog, inputs, false, runId);
  // beforeNodeRun returns input overrides by name (Kedro's contract)
  for (const o of overrides) if (o && typeof o === 'object') inputs = { ...inputs, ...(o as Inputs) };

  let outputs: Inputs;
  try {
    outputs = await executeNode(node, (name) => catalog.kindOf(name), inputs);
  } catch (err) {
    const error = err instanceof Error ? err : new Error(String(err));
    await hooks.call('onNodeError', error, node, catalog, inputs, false, runId);
    throw error;
  }
  await hooks.call('afterNodeRun', node, catalog, inputs, outputs, false, runId);

  for (const [name, data] of Object.entries(outputs)) {
    await hooks.call('beforeDatasetSaved', name, data, node);
    await catalog.save(name, data);
    await hooks.call('afterDatasetSaved', name, data, node);
  }
}
