// Params count as delivered only when the server holds the expected key with the expected value, as a correct
// hook under its settings sends it (paramsDelivered); not a key that merely starts like the param's.
import { describe, expect, it } from 'vitest';
import type { KeyValue } from '../src/mlflow/wire.ts';
import { expectedValues } from '../src/measure/server-values.ts';
import type { ParamValue } from '../src/pipeline/types.ts';
import { KeyMap } from '../src/tracking/keys.ts';
import {
  ANY_PARAM_SETTINGS,
  loggedValues,
  paramsDelivered,
  type ParamSettings,
} from '../src/tracking/param-delivery.ts';
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

  it('an empty dict flattened is no key at all: nothing to deliver', () => {
    const params: [string, ParamValue][] = [['params:n.empty', {}]];
    expect(paramsDelivered(params, [settings(true, 'fail')], loggedValues([]))).toBe(1);
    expect(paramsDelivered(params, [DEFAULT], loggedValues([]))).toBe(0);
    expect(paramsDelivered(params, [DEFAULT], loggedValues([{ params: [{ key: 'n.empty', value: '{}' }] }]))).toBe(1);
  });
});
