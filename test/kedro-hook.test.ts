// `kind: kedro` hooks in scenarios: the schema's rules, and the environment key (a venv per exact
// requirement set). Provisioning itself is exercised by test/kedro-plugin-example.test.ts.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { kedroTarget } from '../src/conformance/kedro-target.ts';
import { InputError } from '../src/errors.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { isLocalPlugin, kedroRunEnv, requirementSet, venvName } from '../src/tracking/kedro/environment.ts';

const scenario = (hooks: string): string => `name: k\npipeline: {nodes: 5}\nhooks:\n${hooks}`;

describe('kind: kedro hooks', () => {
  it('parse with their plugin, Kedro version, packages, env and time limit; the label defaults to the plugin', () => {
    const { scenario: s } = parseScenario(
      scenario(
        '  - {kind: kedro, plugin: kedro-mlflow==0.14.5, kedro: 0.19.15, packages: [mlflow==2.22.5],\n' +
          '     env: {A: "1"}, timeoutMs: 5000}\n' +
          '  - {kind: kedro, plugin: kedro-mlflow==2.0.3, kedro: 1.7.0}\n',
      ),
    );
    expect(s.hooks[0]).toMatchObject({
      name: 'kedro:kedro-mlflow==0.14.5',
      label: 'kedro-mlflow==0.14.5',
      kedro: { plugin: 'kedro-mlflow==0.14.5', kedro: '0.19.15', packages: ['mlflow==2.22.5'] },
      env: { A: '1' },
      timeoutMs: 5000,
    });
    expect(s.hooks[1]!.kedro!.packages).toEqual([]);
  });

  it('refuse a missing Kedro version, a name beside kind, and neither plugin nor hook, with file:line', () => {
    const problems = (hooks: string): string => {
      try {
        parseScenario(scenario(hooks), 's.yaml');
        return '';
      } catch (err) {
        return (err as InputError).diagnostics.map((d) => `${d.line}:${d.col} ${d.path} ${d.message}`).join('\n');
      }
    };
    expect(problems('  - {kind: kedro, plugin: x}\n')).toMatch(/^4:\d+ hooks\[0\]\.kedro is required/);
    expect(problems('  - {kind: kedro, name: x, kedro: 1.7.0, plugin: y}\n')).not.toBe('');
    expect(problems('  - {kind: kedro, kedro: 1.7.0}\n')).toContain('names its plugin');
    // A Kedro the generated project is not written for is refused at load (validate, exit 2), not in a trial.
    expect(problems('  - {kind: kedro, plugin: kedro-mlflow==0.11.10, kedro: 0.18.14}\n')).toMatch(
      new RegExp(
        String.raw`^4:\d+ hooks\[0\]\.kedro unsupported: Kedro 0\.18\.14; ` +
          String.raw`trackbench generates projects for Kedro 0\.19\.x and 1\.x`,
      ),
    );
    expect(problems('  - {kind: kedro, plugin: p, kedro: 0.19.15}\n  - {kind: kedro, plugin: q, kedro: 1.1.1}\n')).toBe(
      '',
    );
    expect(problems('  - {kind: kedro, plugin: p, kedro: 2.0.0}\n')).toContain('unsupported: Kedro 2.0.0');
  });

  it('key their venv by the exact requirement set, in any order; a local folder is a plugin path', () => {
    const a = requirementSet({ plugin: 'kedro-mlflow==2.0.3', kedro: '1.7.0', packages: ['mlflow==3.17.2'] }, '/s');
    const b = requirementSet(
      { hook: 'm:H', kedro: '1.7.0', packages: ['mlflow==3.17.2', 'kedro-mlflow==2.0.3'] },
      '/s',
    );
    expect(a.requirements).toEqual(b.requirements);
    expect(venvName(a.requirements)).toBe(venvName(b.requirements));
    expect(venvName(a.requirements)).not.toBe(venvName([...a.requirements, 'kedro-datasets==9.6.0']));
    const local = requirementSet({ plugin: './plugin', kedro: '1.7.0', packages: [] }, '/s');
    expect(local).toEqual({ requirements: ['kedro==1.7.0'], local: '/s/plugin' });
    expect(isLocalPlugin('.') && isLocalPlugin('/x') && !isLocalPlugin('kedro-mlflow')).toBe(true);
  });

  it('switch installed plugins off when only a Python hook tracks', () => {
    expect(kedroRunEnv({ hook: 'm:H', kedro: '1.7.0', packages: [] })).toEqual({
      TRACKBENCH_KEDRO_PLUGINS: 'off',
      TRACKBENCH_KEDRO_HOOKS: 'm:H',
    });
    expect(kedroRunEnv({ plugin: 'p', kedro: '1.7.0', packages: [], mlflow: { a: 1 } }, { X: 'y' })).toEqual({
      TRACKBENCH_KEDRO_PLUGINS: 'on',
      TRACKBENCH_MLFLOW_YML: '{"a":1}',
      X: 'y',
    });
  });
});

describe('a kind: kedro conformance target', () => {
  const target = (mlflow: string): ReturnType<typeof kedroTarget> => {
    const dir = mkdtempSync(join(tmpdir(), 'kedro-target-'));
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, scenario(`  - {kind: kedro, plugin: kedro-mlflow==2.0.3, kedro: 1.7.0${mlflow}}\n`));
    try {
      return kedroTarget(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('is held to the parameter settings its mlflow: keys give, as kedro-mlflow reads them from mlflow.yml', () => {
    const t = target(', mlflow: {tracking: {params: {long_params_strategy: tag, dict_params: {flatten: true}}}}');
    expect(t.paramsConfig).toEqual({ flatten: true, recursive: true, sep: '.', longStrategy: 'tag' });
  });

  it('may follow any of kedro-mlflow settings when its mlflow: keys set no parameter settings', () => {
    expect(target('').paramsConfig).toBeUndefined();
    expect(target(', mlflow: {tracking: {run: {nested: false}}}').paramsConfig).toBeUndefined();
  });
});
