import { describe, expect, it } from 'vitest';
import { fillDefaults } from '../src/common/schema-defaults.ts';
import { schemaValidator } from '../src/common/validate-yaml.ts';
import { mlflowConfigSchema } from '../src/tracking/config/load-config.ts';

/** What Ajv's useDefaults makes of `data` (a copy), for comparison. */
function ajvDefaults(data: unknown): unknown {
  const copy = structuredClone(data);
  expect(schemaValidator(mlflowConfigSchema, true)(copy)).toBe(true);
  return copy;
}

function filled(data: unknown): unknown {
  const copy = structuredClone(data);
  fillDefaults(mlflowConfigSchema, copy);
  return copy;
}

describe('fillDefaults', () => {
  it.each([
    ['nothing given', {}],
    ['a section given in part', { trackbench: { async: false, outage: { drainMs: 5 } } }],
    [
      'values equal to defaults, nulls and nested objects',
      {
        server: { mlflow_tracking_uri: 'http://x', request_header_provider: { init_kwargs: { a: 1 } } },
        tracking: { experiment: { create_experiment_kwargs: { tags: { k: 'v' } } }, run: { name: null } },
        ui: { port: 5001 },
      },
    ],
  ])('fills the mlflow.yml schema as Ajv does: %s', (_, data) => {
    expect(filled(data)).toEqual(ajvDefaults(data));
  });

  it('gives each filled value its own copy of the default', () => {
    const a = filled({}) as { tracking: { disable_tracking: { pipelines: string[] } } };
    const b = filled({}) as typeof a;
    a.tracking.disable_tracking.pipelines.push('p');
    expect(b.tracking.disable_tracking.pipelines).toEqual([]);
  });

  it('leaves values that are not objects alone', () => {
    const data = { server: 'not an object' };
    fillDefaults(mlflowConfigSchema, data);
    expect(data.server).toBe('not an object');
  });
});
