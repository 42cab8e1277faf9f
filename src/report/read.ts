// Reads trackbench's JSON documents back (compare, merge, report, history): each checked against its
// kind's schema, and every run report inside it against the report schema, so that a damaged or
// hand-edited file is bad input with located messages (exit 2), never a crash halfway through a page.
import { createRequire } from 'node:module';
import {
  builtinKeyProblems,
  jsonLocator,
  jsonSchemaProblems,
  readJsonFile,
  type JsonFile,
} from '../common/read-json.ts';
import { dottedPath, jsonObject, type Locate } from '../common/validate-yaml.ts';
import { scenarioSchema } from '../scenario/load.ts';
import { InputError, type Diagnostic } from '../errors.ts';
import { credentialsFromEnv, redactDeep } from '../mlflow/auth.ts';
import type { Report } from '../measure/report-types.ts';
import { HTML_KINDS, type HtmlDocument } from './html/index.ts';
import { reportSchema } from './write.ts';
import { unpairedSamples } from './paired-samples.ts';

const require = createRequire(import.meta.url);
const schema = (file: string): object => jsonObject(require(file), file);
const ENVELOPES: Record<string, object> = {
  'trackbench-run': reportSchema,
  'trackbench-run-set': schema('./run-set.schema.json'),
  'trackbench-sweep': schema('./sweep.schema.json'),
  'trackbench-conformance': schema('./conformance.schema.json'),
  'trackbench-gate': schema('./gate.schema.json'),
};

type Path = (string | number)[];

/**
 * Each part of a report's scenario against the scenario schema's: the report schema leaves the scenario loose, and
 * a hand-edited limit must not become a verdict ("max <= NaN", a noise band of -100%), nor a pipeline setting a
 * figure (`nodes: "NaN"` was drawn as "NaN nodes", `paramsPerNode.count: -1` named as a difference without a line).
 */
// the scenario schema (a JSON object, checked when loaded) has $defs and properties; only those are read here
const { $defs: scenarioDefs, properties: scenarioProperties } = scenarioSchema as {
  $defs?: object;
  properties: Record<string, object>;
};
// Only the parts that become figures and verdicts: the others are written resolved (a `kind: kedro` hook as its
// name and provisioning, a backend with its defaults), not in the form a scenario file gives them.
const SCENARIO_PARTS = ['pipeline', 'trials', 'budgets', 'regression']
  .filter((key) => scenarioProperties[key] !== undefined)
  .map((key) => ({
    key,
    // the scenario schema's own property schemas, with the definitions they refer to
    schema: { ...scenarioProperties[key], $defs: scenarioDefs },
  }));

function scenarioParts(report: unknown, path: Path): { path: Path; value: unknown; schema: object }[] {
  // a report valid against the report schema (checked before): an object whose scenario is an object
  const scenario = (report as { scenario?: Record<string, unknown> } | null)?.scenario;
  if (!scenario || typeof scenario !== 'object') return [];
  return SCENARIO_PARTS.filter((s) => scenario[s.key] !== undefined).map((s) => ({
    path: [...path, 'scenario', s.key],
    value: scenario[s.key],
    schema: s.schema,
  }));
}

/** The run reports a valid envelope holds, with their paths in the document. */
function embeddedReports(kind: string, doc: Record<string, unknown>): { path: Path; value: unknown }[] {
  const list = (key: string): unknown[] => (Array.isArray(doc[key]) ? (doc[key] as unknown[]) : []);
  switch (kind) {
    case 'trackbench-run-set':
      return list('reports').map((value, i) => ({ path: ['reports', i], value }));
    case 'trackbench-sweep':
      // each point is {nodes, report} (the envelope schema checked it)
      return list('points').map((p, i) => ({
        path: ['points', i, 'report'],
        value: (p as { report: unknown }).report,
      }));
    case 'trackbench-gate':
      return (['current', 'baseline'] as const)
        .filter((k) => doc[k] !== null)
        .map((k) => ({ path: [k], value: doc[k] }));
    default:
      return [];
  }
}

/** Checks a parsed document of one of `kinds`; returns it (valid against its schemas) or throws InputError. */
function checked(json: JsonFile, kinds: readonly string[]): { kind: string; data: Record<string, unknown> } {
  const kindSchema = { type: 'object', required: ['kind'], properties: { kind: { enum: kinds } } };
  const wrongKind = jsonSchemaProblems(json, [{ path: [], value: json.data, schema: kindSchema }], 'trackbench report');
  if (wrongKind.length) throw new InputError(wrongKind);
  const builtinKeys = builtinKeyProblems(json, 'trackbench report');
  if (builtinKeys.length) throw new InputError(builtinKeys);
  const data = json.data as Record<string, unknown>; // an object with a known kind: checked just above
  const kind = data.kind as string;
  const what = `${kind} report`;
  const envelope = jsonSchemaProblems(
    json,
    [
      { path: [], value: data, schema: ENVELOPES[kind]! },
      ...(kind === 'trackbench-run' ? scenarioParts(data, []) : []),
    ],
    what,
  );
  if (envelope.length) throw new InputError(envelope);
  const inner = jsonSchemaProblems(
    json,
    embeddedReports(kind, data).flatMap((r) => [{ ...r, schema: reportSchema }, ...scenarioParts(r.value, r.path)]),
    'trackbench-run report',
  );
  if (inner.length) throw new InputError(inner);
  const runs = kind === 'trackbench-run' ? [{ path: [], value: data }] : embeddedReports(kind, data);
  const unpaired = unpairedSamples(runs, jsonLocator(json));
  if (unpaired.length) throw new InputError(unpaired);
  // A hand-edited or foreign report may hold a credential (a backend URI with user:password@): what is
  // written from it (gate JSON, HTML, history) must not.
  return { kind, data: redactDeep(data, credentialsFromEnv().secrets) };
}

/** A run report (`compare`, `run --baseline`, `merge`). */
export function readReport(file: string): Report {
  // valid against the report schema, which describes Report
  return checked(readJsonFile(file, 'trackbench report'), ['trackbench-run']).data as unknown as Report;
}

/** Any document `report --html` and `history add` read. */
export function readDocument(file: string, kinds: readonly string[] = HTML_KINDS): HtmlDocument {
  // valid against its kind's schema, and every run report inside against the report schema
  return checked(readJsonFile(file, 'trackbench report'), kinds).data as unknown as HtmlDocument;
}

/**
 * Locates a field in report files read before (`merge` naming where two shards differ): each file is read
 * again, on this error path only; a file gone since is named without a line.
 */
export function reportLocator(): (file: string, path: Path, message: string) => Diagnostic {
  const locators = new Map<string, Locate>();
  return (file, path, message) => {
    let locate = locators.get(file);
    if (!locate) {
      try {
        locate = jsonLocator(readJsonFile(file, 'trackbench report'));
      } catch {
        locate = (p, m) => ({ file, path: dottedPath(p), message: m });
      }
      locators.set(file, locate);
    }
    return locate(path, message);
  };
}
