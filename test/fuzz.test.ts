// Property-based tests (fast-check) over the scenario and mlflow.yml loaders. For any input: the
// loader accepts it or refuses it as bad input (exit 2), every problem has a location, nothing
// hangs, no stack trace, and a secret in the input is never echoed. A few thousand cases per CI
// run with a fixed seed; TRACKBENCH_FUZZ_RUNS=100000 (and TRACKBENCH_FUZZ_SEED) for a longer local run.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { InputError } from '../src/errors.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { loadTrackingConfig } from '../src/tracking/config/load-config.ts';
import { readDocument } from '../src/report/read.ts';

const RUNS = Number(process.env.TRACKBENCH_FUZZ_RUNS ?? 2000);
const SEED = Number(process.env.TRACKBENCH_FUZZ_SEED ?? 20251128);
/** A hang, not a timing: generous on a shared, noisy machine. */
const MAX_CASE_MS = 5000;
const SECRET = 'fuzzCanarySecret42';

/** Runs the loader on `text`: ok, or bad input with located, clean messages. Returns why not, if not. */
function verdict(load: () => unknown): string | undefined {
  const started = Date.now();
  try {
    load();
  } catch (err) {
    if (!(err instanceof InputError)) return `not an input error (exit 3): ${String(err)}`;
    for (const d of err.diagnostics) {
      const summary = /^\.\.\. and \d+ more problem/.test(d.message);
      if (!summary && d.line === undefined) return `no location: ${d.message}`;
    }
    if (/\n\s+at /.test(err.message)) return `a stack trace: ${err.message}`;
    if (err.message.includes(SECRET)) return `the secret echoed: ${err.message}`;
  }
  const ms = Date.now() - started;
  return ms > MAX_CASE_MS ? `took ${ms} ms` : undefined;
}

// ---- generators
const scalar = fc.oneof(
  fc.integer({ min: -5, max: 200 }),
  fc.constantFrom(0, -1, 1e9, 2 ** 53, 1.5, Number.NaN, null, true, false),
  fc.string({ maxLength: 12 }),
  fc.constantFrom('', '~', '*x', '&a', '!!binary', `Bearer ${SECRET}`, `http://u:${SECRET}@h`, '${env:HOME}'),
);
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small' },
    scalar,
    fc.array(tie('v'), { maxLength: 3 }),
    fc.dictionary(fc.string({ maxLength: 8 }), tie('v'), { maxKeys: 3 }),
  ),
})).v;

const pipelineKeys = [
  'nodes',
  'seed',
  'topology',
  'namespaces',
  'paramsPerNode',
  'metricsPerNode',
  'metricSteps',
  'artifactsPerNode',
  'modelNodes',
  'work',
  'failAt',
];
const scenarioObject = fc.record(
  {
    name: fc.oneof(fc.string({ maxLength: 40 }), fc.constant('x'.repeat(300))),
    pipeline: fc.dictionary(fc.constantFrom(...pipelineKeys, 'bogus'), value, { maxKeys: 5 }),
    hooks: fc.oneof(
      fc.constant(['reference']),
      fc.array(fc.constantFrom('reference', 'naive', 'nope', 'module:/etc/passwd', 'command:true'), { maxLength: 3 }),
      value,
    ),
    backend: fc.oneof(fc.constant({ kind: 'mock' }), fc.record({ kind: fc.constantFrom('remote', 'x'), uri: scalar })),
    trials: value,
  },
  { requiredKeys: [] },
);

/** YAML text: a serialised object, sometimes damaged (cut, special characters, line breaks). */
function yamlText(obj: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const damage = fc.constantFrom(
    '',
    '\r',
    '\r\n',
    '\t',
    ': ',
    '*a',
    '&a ',
    '[',
    '{',
    '- ',
    '"',
    "'",
    '!tag ',
    '<<: *a\n',
  );
  return fc.tuple(obj, fc.nat(), damage, fc.boolean()).map(([o, at, junk, cut]) => {
    const text = stringify(o);
    const i = text.length ? at % text.length : 0;
    return cut ? text.slice(0, i) : text.slice(0, i) + junk + text.slice(i);
  });
}

const rawText = fc.string({ unit: fc.constantFrom(...'ab: \n\r\t-[]{}&*!|>"\'#%@`,?~0123'), maxLength: 80 });

describe('fuzz: loaders accept or refuse with a location, never crash, hang or echo a secret', () => {
  it(`scenario files (${RUNS} generated cases)`, () => {
    fc.assert(
      fc.property(fc.oneof(yamlText(scenarioObject), rawText), (text) => {
        const why = verdict(() => parseScenario(text, 'fuzz.yaml'));
        expect(why, text).toBeUndefined();
      }),
      { seed: SEED, numRuns: RUNS },
    );
  });

  it(`mlflow.yml files (${Math.ceil(RUNS / 2)} generated cases)`, () => {
    const root = mkdtempSync(join(tmpdir(), 'tb-fuzz-'));
    mkdirSync(join(root, 'base'));
    const secretKeys = fc.constantFrom('token', 'password', 'auth', 'pwd', 'private_key', 'Authorization', ' token');
    const config = fc.record(
      {
        server: fc.record(
          {
            mlflow_tracking_uri: scalar,
            request_header_provider: fc.record({ init_kwargs: fc.dictionary(secretKeys, fc.constant(SECRET)) }),
          },
          { requiredKeys: [] },
        ),
        tracking: fc.dictionary(fc.constantFrom('run', 'experiment', 'params', 'disable_tracking', 'bogus'), value, {
          maxKeys: 3,
        }),
        trackbench: fc.dictionary(fc.constantFrom('batching', 'queueBound', 'outage', 'retry', 'spillDir'), value, {
          maxKeys: 3,
        }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(yamlText(config), rawText), (text) => {
        writeFileSync(join(root, 'base', 'mlflow.yml'), text);
        const why = verdict(() => loadTrackingConfig({ confDir: root }, { HOME: '/home/x' }));
        expect(why, text).toBeUndefined();
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS / 2) },
    );
  });

  it(`report files: nesting, huge numbers, keys twice, __proto__ (${Math.ceil(RUNS / 4)} generated cases)`, () => {
    const root = mkdtempSync(join(tmpdir(), 'tb-fuzz-report-'));
    // JSON that JSON.parse takes, shaped to hurt the readers after it: deep, past a double, keys repeated or built-in.
    const hostile = fc.letrec<{ v: string }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.constantFrom('1e400', '-1e400', '1e308', '0.1e-400', '9007199254740993', 'null', '"x"', '[]', '{}'),
        fc.tuple(fc.integer({ min: 1, max: 3000 }), tie('v')).map(([n, v]) => `${'['.repeat(n)}${v}${']'.repeat(n)}`),
        fc
          .array(fc.tuple(fc.constantFrom('kind', 'nodes', '__proto__', 'constructor', 'a'), tie('v')), {
            maxLength: 4,
          })
          .map((members) => `{${members.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`),
      ),
    })).v;
    fc.assert(
      fc.property(hostile, (text) => {
        const file = join(root, 'r.json');
        writeFileSync(file, `{"schemaVersion": 2, "kind": "trackbench-run", "x": ${text}}`);
        const why = verdict(() => readDocument(file));
        expect(why, text.slice(0, 200)).toBeUndefined();
      }),
      { seed: SEED, numRuns: Math.ceil(RUNS / 4) },
    );
  });
});
