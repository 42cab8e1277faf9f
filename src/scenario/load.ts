// Load a scenario file: YAML with positions -> schema validation with defaults -> semantic checks.
// Every problem is collected and thrown together as one InputError; nothing is half-loaded.
import { createRequire } from 'node:module';
import { InputError, type Diagnostic } from '../errors.ts';
import type { HookRef, KedroHookSpec, Scenario } from './types.ts';
import { jsonObject, locator, parseYaml, toData, validateAgainstSchema, type Locate } from '../common/validate-yaml.ts';
import { httpUriProblem } from '../common/http-uri.ts';
import { readYamlInput } from '../common/read-input.ts';
import { budgetProblems } from './budget.ts';

const require = createRequire(import.meta.url);
/** The published schema is the single source of truth for shape and defaults. */
export const scenarioSchema = jsonObject(require('../../scenarios/scenario.schema.json'), 'the scenario schema');

export interface LoadedScenario {
  scenario: Scenario;
  locate: Locate;
}

/**
 * `collect`: semantic problems are added to it instead of thrown, so a caller can add its own
 * checks (hooks, node names) and report every problem at once.
 */
export function loadScenarioFile(file: string, collect?: Diagnostic[]): LoadedScenario {
  return parseScenario(readYamlInput(file), file, collect);
}

export function parseScenario(text: string, file = '<inline>', collect?: Diagnostic[]): LoadedScenario {
  const { parsed, diagnostics } = parseYaml(text, file);
  if (diagnostics.length) throw new InputError(diagnostics);
  const { data, diagnostics: aliasProblems } = toData(parsed);
  if (aliasProblems.length) throw new InputError(aliasProblems);
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new InputError([
      { file, line: 1, col: 1, message: 'a scenario must be a YAML mapping (see scenarios/scenario.schema.json)' },
    ]);
  }
  const schemaProblems = validateAgainstSchema(data, scenarioSchema, parsed);
  if (schemaProblems.length) throw new InputError(schemaProblems);
  const locate = locator(parsed);
  // the schema (validated above, defaults filled) describes Scenario
  const raw = data as Omit<Scenario, 'source' | 'hooks'> & { hooks: RawHook[]; $schema?: string };
  delete raw.$schema;
  const scenario: Scenario = { ...raw, source: file, hooks: raw.hooks.map(normaliseHook) };
  const semantic = checkSemantics(scenario, locate);
  if (collect) collect.push(...semantic);
  else if (semantic.length) throw new InputError(semantic);
  return { scenario, locate };
}

/** A hook as the schema allows it: a name, {name, ...}, or {kind: kedro, ...}. */
type RawHook = string | (Partial<HookRef> & Partial<KedroHookSpec> & { kind?: 'kedro' });

function normaliseHook(h: RawHook): HookRef {
  if (typeof h === 'string') return { name: h, label: h, options: {} };
  const extra = { ...(h.env ? { env: h.env } : {}), ...(h.timeoutMs ? { timeoutMs: h.timeoutMs } : {}) };
  if (h.kind === 'kedro') {
    const kedro: KedroHookSpec = {
      plugin: h.plugin,
      hook: h.hook,
      // The schema requires it for kind kedro.
      kedro: h.kedro as string,
      packages: h.packages ?? [],
      mlflow: h.mlflow,
    };
    const name = `kedro:${h.plugin ?? h.hook ?? ''}`;
    return { name, label: h.label ?? h.plugin ?? h.hook ?? name, options: {}, kedro, ...extra };
  }
  // The schema requires a name for every other hook.
  const name = h.name as string;
  return { name, label: h.label ?? name, options: h.options ?? {}, ...extra };
}

/** The Kedro versions a `kind: kedro` hook may name: 0.19.x and 1.x. */
const SUPPORTED_KEDRO = /^(0\.19|1)(\.|$)/;

/** Rules the schema cannot express: cross-field bounds (e.g. for a scenario resized by a sweep). */
export function checkSemantics(s: Scenario, locate: Locate): Diagnostic[] {
  const out: Diagnostic[] = [];
  const p = s.pipeline;
  out.push(...budgetProblems(s, locate));
  if (typeof p.failAt === 'number' && p.failAt < 0)
    out.push(locate(['pipeline', 'failAt'], `a node index is 0..${p.nodes - 1}; got ${p.failAt}`));
  if (typeof p.failAt === 'number' && p.failAt >= p.nodes) {
    out.push(
      locate(
        ['pipeline', 'failAt'],
        `node index ${p.failAt} is out of range (the pipeline has ${p.nodes} nodes, 0..${p.nodes - 1})`,
      ),
    );
  }
  p.modelNodes.indices?.forEach((i, k) => {
    if (i >= p.nodes)
      out.push(locate(['pipeline', 'modelNodes', 'indices', k], `node index ${i} is out of range (0..${p.nodes - 1})`));
  });
  if (p.modelNodes.count > p.nodes) {
    out.push(locate(['pipeline', 'modelNodes', 'count'], `cannot exceed the node count (${p.nodes})`));
  }
  const nsCount = p.namespaces.names?.length ?? p.namespaces.count;
  if (nsCount > p.nodes)
    out.push(
      locate(['pipeline', 'namespaces'], `${nsCount} namespaces for ${p.nodes} nodes: each namespace needs a node`),
    );
  const k = p.paramsPerNode.kinds;
  if (p.paramsPerNode.count > 0 && k.number + k.string + k.dict <= 0) {
    out.push(locate(['pipeline', 'paramsPerNode', 'kinds'], 'at least one value kind needs a weight above 0'));
  }
  if (s.backend.kind === 'remote' && !s.backend.uri) out.push(locate(['backend'], 'kind remote needs a `uri`'));
  if (s.backend.uri !== undefined) {
    const problem = httpUriProblem(s.backend.uri);
    // the value is not shown: it may hold a credential
    if (problem) out.push(locate(['backend', 'uri'], `${problem}; a tracking server is named by its http(s) URI`));
  }
  const labels = new Set<string>();
  s.hooks.forEach((h, i) => {
    if (labels.has(h.label))
      out.push(locate(['hooks', i], `hook label "${h.label}" is used twice; give one a distinct \`label\``));
    labels.add(h.label);
    if (h.kedro && !h.kedro.plugin && !h.kedro.hook)
      out.push(locate(['hooks', i], 'a kind: kedro hook names its plugin (a pip requirement or a folder) or a hook'));
    // The generated project (settings, session.run's arguments, kedro_init_version) is written for these two lines;
    // another would fail in every trial after minutes of provisioning.
    if (h.kedro && !SUPPORTED_KEDRO.test(h.kedro.kedro))
      out.push(
        locate(
          ['hooks', i, 'kedro'],
          `unsupported: Kedro ${h.kedro.kedro}; trackbench generates projects for Kedro 0.19.x and 1.x`,
        ),
      );
    if (h.kedro?.plugin?.includes(' '))
      out.push(locate(['hooks', i, 'plugin'], 'one pip requirement or one folder (put more in `packages`)'));
  });
  return out;
}
