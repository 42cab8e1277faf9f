// Params count as delivered only when the server holds the expected key with the expected value, as a correct
// hook under its settings sends it (paramsDelivered); not a key that merely starts like the param's.
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import type { KeyValue } from '../src/mlflow/wire.ts';
import { expectedValues } from '../src/measure/server-values.ts';
import type { ParamValue } from '../src/pipeline/types.ts';
import { KeyMap } from '../src/tracking/keys.ts';
import {
  ANY_PARAM_SETTINGS,
  loggedValues,
  paramsDelivered,
  type LoggedValues,
  type ParamSettings,
} from '../src/tracking/param-delivery.ts';
import { pythonStr } from '../src/tracking/python-str.ts';
import { paramsFromInputs } from '../src/tracking/params.ts';
import { pipelineOf } from './helpers/scenario.ts';

const settings = (flatten: boolean, strategy: ParamSettings['long_params_strategy']): ParamSettings => ({
  dict_params: { flatten, recursive: true, sep: '.' },
  long_params_strategy: strategy,
});
const DEFAULT = settings(false, 'fail');
const LONG = 'x'.repeat(7000);

/** What a correct hook sends for `produced` (each node's inputs at once, one key map for the run). */
function sent(
  produced: readonly (readonly [string, ParamValue])[],
  s: ParamSettings,
): { params: KeyValue[]; tags: KeyValue[] } {
  return paramsFromInputs(Object.fromEntries(produced), s, new KeyMap());
}

describe('params delivered: the expected key with the expected value', () => {
  const pipeline = pipelineOf({
    nodes: 8,
    paramsPerNode: { count: 3, kinds: { number: 1, string: 1, dict: 1 }, dictKeys: 2, dictDepth: 2 },
  });
  const produced = expectedValues(pipeline).params;

  it('a correct hook under each setting delivers every param; a hook under another setting does not', () => {
    expect(produced.length).toBe(24);
    const dicts = produced.filter(([, v]) => typeof v === 'object').length;
    expect(dicts).toBeGreaterThan(0);
    for (const flatten of [false, true]) {
      const s = settings(flatten, 'fail');
      const logged = loggedValues([sent(produced, s)]);
      expect(paramsDelivered(produced, [s], logged)).toBe(24);
      expect(paramsDelivered(produced, ANY_PARAM_SETTINGS, logged)).toBe(24);
      // Dicts sent whole where they should have been flattened (or the reverse) are not delivered.
      expect(paramsDelivered(produced, [settings(!flatten, 'fail')], logged)).toBe(24 - dicts);
    }
  });

  it('a wrong value under the right key, or the right value under a key that only starts like it: lost', () => {
    const right = sent(produced, DEFAULT).params;
    const wrong = right.map((kv) => ({ key: kv.key, value: `9${kv.value}` }));
    expect(paramsDelivered(produced, [DEFAULT], loggedValues([{ params: wrong }]))).toBe(0);
    expect(paramsDelivered(produced, ANY_PARAM_SETTINGS, loggedValues([{ params: wrong }]))).toBe(0);
    const junk = right.map((kv) => ({ key: `${kv.key}_junk`, value: kv.value }));
    expect(paramsDelivered(produced, ANY_PARAM_SETTINGS, loggedValues([{ params: [], tags: junk }]))).toBe(0);
    expect(paramsDelivered(produced, ANY_PARAM_SETTINGS, loggedValues([{ params: junk }]))).toBe(0);
    // Half right, half wrong: half delivered.
    const half = right.map((kv, i) => (i % 2 ? kv : { key: kv.key, value: 'nope' }));
    expect(paramsDelivered(produced, [DEFAULT], loggedValues([{ params: half }]))).toBe(12);
  });

  it("Python's str() of the value counts (the real kedro-mlflow): a dict, True, None, an int", () => {
    const params: [string, ParamValue][] = [
      ['params:n.d', { a: 1, b: { c: 'x' } }],
      ['params:n.t', true],
      ['params:n.z', null],
      ['params:n.i', 42],
      ['params:n.f', 0.5],
    ];
    const python = [
      { key: 'n.d', value: "{'a': 1, 'b': {'c': 'x'}}" },
      { key: 'n.t', value: 'True' },
      { key: 'n.z', value: 'None' },
      { key: 'n.i', value: '42' },
      { key: 'n.f', value: '0.5' },
    ];
    expect(paramsDelivered(params, ANY_PARAM_SETTINGS, loggedValues([{ params: python }]))).toBe(5);
    // Quotes inside strings: Python picks the other quote, so its text is not JSON with quotes swapped.
    const quoted: [string, ParamValue][] = [['params:n.q', { q: "it's", d: 'say "hi"' }]];
    const quotedText = `{'q': "it's", 'd': 'say "hi"'}`;
    const asLogged = loggedValues([{ params: [{ key: 'n.q', value: quotedText }] }]);
    expect(paramsDelivered(quoted, ANY_PARAM_SETTINGS, asLogged)).toBe(1);
    // kedro-mlflow's flattening, in Python's str() of each leaf.
    const flat = [
      { key: 'n.d.a', value: '1' },
      { key: 'n.d.b.c', value: 'x' },
    ];
    expect(paramsDelivered(params.slice(0, 1), ANY_PARAM_SETTINGS, loggedValues([{ params: flat }]))).toBe(1);
    // A fraction on an int is the hook's own formatting, not the value.
    expect(
      paramsDelivered(
        [['params:n.i', 42]],
        ANY_PARAM_SETTINGS,
        loggedValues([{ params: [{ key: 'n.i', value: '42.0' }] }]),
      ),
    ).toBe(0);
  });

  it('a key that had to be sanitised or renamed still matches, as the reference hook or kedro-mlflow sends it', () => {
    const params: [string, ParamValue][] = [
      ['params:a@b!', 1],
      ['params:a@b?', 2],
    ];
    // The reference hook: the second key collides once sanitised and takes a hash of its original.
    const reference = sent(params, DEFAULT).params;
    expect(reference[0]!.key).toBe('a_b_');
    expect(reference[1]!.key).toMatch(/^a_b__[0-9a-f]{8}$/);
    expect(paramsDelivered(params, [DEFAULT], loggedValues([{ params: reference }]))).toBe(2);
    // kedro-mlflow sanitises without a hash: the first param's key, holding its value, is found.
    const plain = [{ key: 'a_b_', value: '1' }];
    expect(paramsDelivered(params, [DEFAULT], loggedValues([{ params: plain }]))).toBe(1);
    // The sanitised key holding a value neither param has is neither.
    expect(paramsDelivered(params, [DEFAULT], loggedValues([{ params: [{ key: 'a_b_', value: '3' }] }]))).toBe(0);
  });

  it('long values: cut under truncate, a tag under tag, nothing (lost) under fail', () => {
    const params: [string, ParamValue][] = [['params:n.long', LONG]];
    const cut = [{ key: 'n.long', value: LONG.slice(0, 6000) }];
    const tag = [{ key: 'n.long', value: LONG }];
    expect(paramsDelivered(params, [settings(false, 'truncate')], loggedValues([{ params: cut }]))).toBe(1);
    expect(paramsDelivered(params, [settings(false, 'tag')], loggedValues([{ params: [], tags: tag }]))).toBe(1);
    // Cut one character short, or the whole value as a param (MLflow refuses it), or under fail: lost.
    const short = [{ key: 'n.long', value: LONG.slice(0, 5999) }];
    expect(paramsDelivered(params, ANY_PARAM_SETTINGS, loggedValues([{ params: short }]))).toBe(0);
    expect(paramsDelivered(params, [settings(false, 'tag')], loggedValues([{ params: tag }]))).toBe(0);
    expect(paramsDelivered(params, [settings(false, 'fail')], loggedValues([{ params: cut, tags: tag }]))).toBe(0);
  });

  it('long values as kedro-mlflow places them: str() of a dict cut, and lengths in code points', () => {
    const dict = { note: "it's ".repeat(1300), n: [1, 2.5, null, true] };
    const params: [string, ParamValue][] = [['params:n.d', dict]];
    const str = pythonStr(dict);
    expect(str.length).toBeGreaterThan(6000);
    const truncate = settings(false, 'truncate');
    const asPython = (value: string): LoggedValues => loggedValues([{ params: [{ key: 'n.d', value }] }]);
    // Python's str() cut at 6000 (kedro-mlflow's truncate); the JSON text cut (the reference hook's) counts too.
    expect(paramsDelivered(params, [truncate], asPython(str.slice(0, 6000)))).toBe(1);
    expect(paramsDelivered(params, [truncate], asPython(JSON.stringify(dict).slice(0, 6000)))).toBe(1);
    expect(paramsDelivered(params, [truncate], asPython(str.slice(0, 5999)))).toBe(0);
    expect(paramsDelivered(params, [settings(false, 'fail')], asPython(str.slice(0, 6000)))).toBe(0);
    const tagged = loggedValues([{ params: [], tags: [{ key: 'n.d', value: str }] }]);
    expect(paramsDelivered(params, [settings(false, 'tag')], tagged)).toBe(1);
    // 4000 emoji: 8000 UTF-16 units, 4000 code points, so MLflow and kedro-mlflow take them whole as a param.
    const emoji = '\u{1F600}'.repeat(4000);
    const wide: [string, ParamValue][] = [['params:n.e', emoji]];
    const whole = loggedValues([{ params: [{ key: 'n.e', value: emoji }] }]);
    expect(paramsDelivered(wide, [truncate], whole)).toBe(1);
    expect(paramsDelivered(wide, [settings(false, 'fail')], whole)).toBe(1);
    // Cut in code points past 6000 of them: 7000 emoji become their first 6000.
    const more: [string, ParamValue][] = [['params:n.e', '\u{1F600}'.repeat(7000)]];
    const cut = loggedValues([{ params: [{ key: 'n.e', value: '\u{1F600}'.repeat(6000) }] }]);
    expect(paramsDelivered(more, [truncate], cut)).toBe(1);
  });

  it("pythonStr is Python's own str() of the value read from JSON", () => {
    const values: ParamValue[] = [
      { a: 1, c: [1.5, -0.000015, 1e-7, 1e16, 2e21, 123456.789, 0.1, 1e-4, 12345678901234567000, -0] },
      {
        "it's": 'say "hi"',
        q: "it's",
        both: `'"`,
        n: 'a\nb\tc\\d\r',
        u: 'é 中 \u{1F600}',
        c: '\u0001\u007f\u0085\u00a0\u2028\u200b',
      },
      [null, true, false, '', 'plain'],
      'a top-level string is itself',
    ];
    const script = 'import json, sys\nfor line in sys.stdin: print(json.dumps(str(json.loads(line))))';
    const input = values.map((v) => JSON.stringify(v)).join('\n') + '\n';
    const out = execFileSync('python3', ['-c', script], { input, encoding: 'utf8' });
    const python = out
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as string);
    expect(values.map(pythonStr)).toEqual(python);
  });

  it('an empty dict flattened is no key at all: nothing to deliver', () => {
    const params: [string, ParamValue][] = [['params:n.empty', {}]];
    expect(paramsDelivered(params, [settings(true, 'fail')], loggedValues([]))).toBe(1);
    expect(paramsDelivered(params, [DEFAULT], loggedValues([]))).toBe(0);
    expect(paramsDelivered(params, [DEFAULT], loggedValues([{ params: [{ key: 'n.empty', value: '{}' }] }]))).toBe(1);
  });
});
