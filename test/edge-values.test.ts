import { describe, expect, it } from 'vitest';
import { EDGE_PARAMS } from '../src/conformance/edge-values.ts';
import { expectedForms, loggableParams, sameValue } from '../src/conformance/requirements/expected.ts';
import { REQUIREMENTS } from '../src/conformance/requirements/index.ts';
import type { Observation } from '../src/conformance/types.ts';
import { sameMetricValue } from '../src/conformance/requirements/queries.ts';
import { parsePyJson, pyFloat } from '../src/backends/mock/py-float.ts';
import { describePipeline } from '../src/pipeline/describe.ts';
import { SCENARIOS } from '../src/conformance/scenarios.ts';
import { LIMITS } from '../src/mlflow/limits.ts';
import { generatePipeline } from '../src/pipeline/generate.ts';
import { loadScenarioFile } from '../src/scenario/load.ts';
import { resolveParam } from '../src/pipeline/params.ts';
import type { PipelineNode } from '../src/pipeline/types.ts';
import { flattenDict, paramValueString } from '../src/tracking/params.ts';

/** The part of the pipeline description this file reads. */
interface DescribedPipeline {
  pipeline: { nodes: { metrics: Record<string, unknown[]> }[] };
}

const paramsOf = (n: PipelineNode): string[] => n.inputs.filter((i) => i.startsWith('params:'));
const valuesOf = (n: PipelineNode): number => n.metrics.reduce((sum, m) => sum + m.values.length, 0);

describe('the values plausible bugs trip on', () => {
  it('are in the basic pipeline, a key of exactly 250 characters and a value of exactly 6000 among them', () => {
    const p = SCENARIOS.basic.pipeline;
    const keys = paramsOf(p.nodes[0]!).map((i) => i.slice('params:'.length));
    for (const k of Object.keys(EDGE_PARAMS)) expect(keys).toContain(`${p.nodes[0]!.name}.${k}`);
    expect(keys.some((k) => k.length === LIMITS.keyLength)).toBe(true);
    const lengths = keys.map((k) => paramValueString(resolveParam(p.parameters, `params:${k}`)).length);
    expect(lengths).toContain(LIMITS.paramValueLength);
    expect(p.nodes[0]!.metrics.flatMap((m) => m.values)).toEqual(expect.arrayContaining([0, -2.5, 1e-7, 1e21]));
  });

  it('leave the benchmark generator alone', () => {
    const { scenario } = loadScenarioFile('scenarios/overhead-table.yaml');
    const plain = generatePipeline(scenario.pipeline);
    const keys = plain.nodes.flatMap((n) => paramsOf(n));
    expect(keys.length).toBeGreaterThan(0);
    expect(keys.filter((k) => Object.keys(EDGE_PARAMS).some((e) => k.endsWith(`.${e}`)))).toEqual([]);
    expect(plain.nodes.flatMap((n) => n.metrics).filter((m) => m.key.endsWith('.edge_values'))).toEqual([]);
  });

  it('put one node of scale-node at exactly one log-batch: 100 params and 1000 metric values', () => {
    const [first, second] = SCENARIOS['scale-node'].pipeline.nodes;
    expect(paramsOf(first!)).toHaveLength(LIMITS.paramsPerBatch);
    expect(valuesOf(first!)).toBe(LIMITS.metricsPerBatch);
    expect(paramsOf(second!).length).toBeGreaterThan(LIMITS.paramsPerBatch);
    expect(valuesOf(second!)).toBeGreaterThan(LIMITS.metricsPerBatch);
    const p = SCENARIOS['scale-node'].pipeline;
    for (const i of paramsOf(first!)) expect(resolveParam(p.parameters, i)).toBeDefined();
  });

  it('put a value one character over the limit in long-params', () => {
    const p = SCENARIOS['long-params'].pipeline;
    const lengths = paramsOf(p.nodes[0]!).map((i) => paramValueString(resolveParam(p.parameters, i)).length);
    expect(lengths).toContain(LIMITS.paramValueLength + 1);
  });
});

describe('a logged value is the value', () => {
  it("in the reference hook's text and in Python's str() (what kedro-mlflow logs)", () => {
    const python: Record<string, string> = {
      zero: '0',
      tiny: '1e-07',
      huge: '1e+21',
      flag_on: 'True',
      flag_off: 'False',
      nothing: 'None',
      mixed_list: "[1, 'a', True, None, 2.5]",
      nested: "{'layers': [64, 32], 'options': {'dropout': 0, 'use_bias': False, 'name': 'x'}, 'missing': None}",
    };
    for (const [k, text] of Object.entries(python)) expect(sameValue(EDGE_PARAMS[k]!, text), k).toBe(true);
    for (const [k, v] of Object.entries(EDGE_PARAMS)) expect(sameValue(v, paramValueString(v)), k).toBe(true);
  });

  it('but not an integer with a fraction, a falsy stand-in, or a list for a mapping', () => {
    expect(sameValue(42, '42.0')).toBe(false);
    expect(sameValue(0, '')).toBe(false);
    expect(sameValue(false, '0')).toBe(false);
    expect(sameValue(null, '')).toBe(false);
    expect(sameValue([], '{}')).toBe(false);
    expect(sameValue(0.1, '0.1')).toBe(true);
  });

  it('flattening leaves lists and null whole, and an empty mapping has no leaf', () => {
    const c = { flatten: true, recursive: true, sep: '.', longStrategy: 'fail' } as const;
    expect(expectedForms('n', EDGE_PARAMS.nested!, c).map((e) => e.key)).toEqual([
      'n.layers',
      'n.options.dropout',
      'n.options.use_bias',
      'n.options.name',
      'n.missing',
    ]);
    expect(expectedForms('e', {}, c)).toEqual([]);
  });
});

describe("NaN and the infinities, a diverging model's metric values", () => {
  it('are in the edge metric, and the description for other languages spells them as strings', () => {
    const p = SCENARIOS.basic.pipeline;
    const values = p.nodes[0]!.metrics.find((m) => m.key.endsWith('.edge_values'))!.values;
    expect(values.filter(Number.isNaN)).toHaveLength(1);
    expect(values).toEqual(expect.arrayContaining([Infinity, -Infinity]));
    const text = JSON.stringify(describePipeline(p, 'e'));
    const described = (JSON.parse(text) as DescribedPipeline).pipeline.nodes[0]!.metrics;
    const spelt = Object.entries(described).find(([k]) => k.endsWith('.edge_values'))![1];
    expect(spelt.slice(-3)).toEqual(['NaN', 'Infinity', '-Infinity']);
    expect(text).not.toContain('null]');
  });

  it('compare as MLflow keeps them: NaN equals NaN, an infinity the largest double, nothing else', () => {
    expect(sameMetricValue(NaN, NaN)).toBe(true);
    expect(sameMetricValue(Infinity, Number.MAX_VALUE)).toBe(true);
    expect(sameMetricValue(-Infinity, -Number.MAX_VALUE)).toBe(true);
    expect(sameMetricValue(NaN, 0)).toBe(false);
    expect(sameMetricValue(Infinity, -Number.MAX_VALUE)).toBe(false);
    expect(sameMetricValue(-Infinity, 0)).toBe(false);
    expect(sameMetricValue(0.1, 0.1)).toBe(true);
  });

  it("are read in the mock as Python reads them: float()'s spellings and json's bare tokens", () => {
    expect([' 1_5 ', 'NAN', '-inf', '+Infinity', '.5', '5.', '1e309'].map(pyFloat)).toEqual([
      15,
      NaN,
      -Infinity,
      Infinity,
      0.5,
      5,
      Infinity,
    ]);
    expect(['0x10', '1__0', '', 'nanx', '1e', '_1'].map(pyFloat)).toEqual(Array(6).fill(undefined));
    const parsed = parsePyJson('{"a": NaN, "b": [-Infinity, Infinity], "c": "NaN, Infinity", "d": "x\\"NaN"}');
    expect(parsed).toEqual({ a: NaN, b: [-Infinity, Infinity], c: 'NaN, Infinity', d: 'x"NaN' });
    expect(() => parsePyJson('{"a": NaNa}')).toThrow(SyntaxError);
  });
});

describe('an empty mapping flattened (kedro-mlflow _flatten_dict: no key at all)', () => {
  const node = { name: 'n', inputs: ['params:ns.empty', 'params:ns.rate'] };
  // A partial observation: only what the PAR checks read (runs, completed nodes, parameters, settings).
  const observe = (
    flatten: boolean,
    params: { key: string; value: string }[],
    rate: unknown = 0.1,
    sep = '.',
  ): Observation =>
    ({
      pipeline: { nodes: [node], parameters: { ns: { empty: {}, rate } } },
      completedNodes: ['n'],
      runs: [{ run: { info: { run_id: 'r', start_time: 0 }, data: { params, tags: [] } } }],
      paramsConfig: { flatten, recursive: true, sep, longStrategy: 'fail' },
    }) as unknown as Observation;
  const status = (o: Observation): string[] =>
    ['PAR-001', 'PAR-002', 'PAR-005'].map((id) => `${id} ${REQUIREMENTS.find((r) => r.id === id)!.check(o).status}`);

  it('is not expected when flattening, and the reference hook logs none', () => {
    expect(flattenDict({ 'ns.empty': {}, 'ns.rate': 0.1 }, true, '.')).toEqual({ 'ns.rate': 0.1 });
    expect(loggableParams(observe(true, [])).has('ns.empty')).toBe(false);
    expect(status(observe(true, [{ key: 'ns.rate', value: '0.1' }]))).toEqual([
      'PAR-001 pass',
      'PAR-002 pass',
      'PAR-005 pass',
    ]);
  });

  it('is expected whole ({}) when not flattening', () => {
    const logged = [{ key: 'ns.rate', value: '0.1' }];
    expect(status(observe(false, logged))).toEqual(['PAR-001 fail', 'PAR-002 fail', 'PAR-005 fail']);
    expect(status(observe(false, [...logged, { key: 'ns.empty', value: '{}' }]))).toEqual([
      'PAR-001 pass',
      'PAR-002 pass',
      'PAR-005 pass',
    ]);
  });

  it('flattened with another separator (sep=/), a namespaced mapping counts under its key', () => {
    const o = observe(true, [{ key: 'ns.rate/a', value: '1' }], { a: 1 }, '/');
    expect(status(o)).toEqual(['PAR-001 pass', 'PAR-002 pass', 'PAR-005 pass']);
  });
});
