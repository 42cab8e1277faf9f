// The public API: the hook interface for hook modules, and the pieces other tools build on.
export type { HookFactory, HookFactoryContext, Hooks, RunParams, RunResult, Inputs } from './pipeline/hooks.ts';
export type { Pipeline, PipelineNode, DatasetKind } from './pipeline/types.ts';
export type { DataCatalog, DatasetInfo } from './pipeline/catalog.ts';
export type { Scenario } from './scenario/types.ts';
export type { Report } from './measure/report-types.ts';
export { MlflowClient } from './mlflow/client.ts';
export { MlflowApiError, MlflowNetworkError } from './mlflow/errors.ts';
export { startHttpMock } from './backends/mock/http-server.ts';
export { startInProcessMock } from './backends/mock/in-process.ts';
export { REQUIREMENTS } from './conformance/requirements.ts';
export { runSuite } from './conformance/suite.ts';
export { parseTarget } from './conformance/targets.ts';
/** The built-in hooks by name (`reference`, `naive`, ...): a hook module may wrap or compare against them. */
export { BUILTIN_HOOKS, type BuiltinHook } from './tracking/registry.ts';
