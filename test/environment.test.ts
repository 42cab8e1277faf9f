// Every report says what it measured on; compare, merge and run --baseline say when two reports measured
// different things or were made by different trackbench versions.
import { describe, expect, it } from 'vitest';
import { environment, environmentDifferences, environmentOf, environmentWarning } from '../src/measure/environment.ts';

describe('environment', () => {
  it('records the machine: Node, OS and kernel, CPU, python3', () => {
    const e = environment([{ name: 'reference', label: 'reference', options: {} }], 'scenarios/x.yaml');
    expect(e.node).toBe(process.version);
    expect(e.kernel.length).toBeGreaterThan(0);
    expect(e.cores).toBeGreaterThan(0);
    expect(e.hooks.reference).toEqual({ kind: 'builtin' });
  });

  it("asks a command: hook's Python interpreter for its version and its kedro/mlflow packages", () => {
    const env = environmentOf(
      { name: `command:"${process.env.TB_PY ?? 'python3'}" script.py`, label: 'p', options: {} },
      'scenarios/x.yaml',
    );
    expect(env.kind).toBe('command');
    expect(env.command).toContain('script.py');
    const py = env.python;
    if (!py || 'unavailable' in py) throw new Error(`no python read: ${JSON.stringify(py)}`);
    expect(py.version).toMatch(/^3\.\d+\.\d+/);
    for (const name of Object.keys(py.packages)) expect(name).toMatch(/kedro|mlflow/);
  });

  it('names every difference: machine fields and package versions', () => {
    const a = environment([], 'x.yaml');
    const py = {
      executable: '/v/bin/python',
      version: '3.11.2',
      packages: { 'kedro-mlflow': '2.0.3', mlflow: '3.17.2' },
    };
    const withPy = (packages: Record<string, string>) => ({
      ...a,
      hooks: { plugin: { kind: 'command' as const, command: 'x', python: { ...py, packages } } },
    });
    const base = withPy(py.packages);
    expect(environmentDifferences(base, base)).toEqual([]);
    const other = { ...withPy({ 'kedro-mlflow': '2.0.4', mlflow: '3.17.2', kedro: '1.7.0' }), node: 'v22.0.0' };
    expect(environmentDifferences(base, other)).toEqual([
      `node: ${process.version} vs v22.0.0`,
      'plugin kedro-mlflow: 2.0.3 vs 2.0.4',
      'plugin kedro: absent vs 1.7.0',
    ]);
  });

  it('warns of reports made by different trackbench versions, saying both, and of nothing when they agree', () => {
    const e = environment([], 'x.yaml');
    const report = (trackbenchVersion: string, node = e.node) => ({ trackbenchVersion, environment: { ...e, node } });
    expect(environmentWarning(report('0.1.0'), report('0.1.0'))).toBeUndefined();
    expect(environmentWarning(report('0.1.0'), report('0.2.0'), 'a.json and b.json')).toBe(
      "warning: a.json and b.json measured different environments; differences may be the environment's:\n" +
        '  trackbench: 0.1.0 vs 0.2.0',
    );
    expect(environmentWarning(report('0.1.0'), report('0.2.0', 'v22.0.0'))?.split('\n').slice(1)).toEqual([
      '  trackbench: 0.1.0 vs 0.2.0',
      `  node: ${e.node} vs v22.0.0`,
    ]);
  });
});
