import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main } from '../src/cli/main.ts';
import type { Io } from '../src/cli/io.ts';
import { inputErrorLines } from './helpers/errors.ts';
import { loadScenarioFile, parseScenario } from '../src/scenario/load.ts';

function capture(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    isTTY: false,
    out: (t: string) => void (io.stdout += `${t}\n`),
    err: (t: string) => void (io.stderr += `${t}\n`),
  };
  return io;
}

function writeScenario(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'trackbench-test-'));
  const file = join(dir, 'scenario.yaml');
  writeFileSync(file, text);
  return file;
}

const diagnosticsOf = (text: string): string[] => inputErrorLines(() => parseScenario(text, 's.yaml'));

describe('scenario validation', () => {
  it('fills every default from the schema', () => {
    const { scenario } = parseScenario('name: x\npipeline:\n  nodes: 5\n');
    expect(scenario.pipeline.topology).toEqual({ kind: 'layered', width: 8, fanIn: 2, edgeProbability: 0.05 });
    expect(scenario.pipeline.work).toEqual({ cpuMs: 0, ioBytes: 0, allocBytes: 0, sleepMs: 0 });
    expect(scenario.hooks).toEqual([{ name: 'reference', label: 'reference', options: {} }]);
    expect(scenario.backend.kind).toBe('mock');
    expect(scenario.trials.order).toBe('abba');
  });

  it('reports every schema violation with line, column and field path', () => {
    const lines = diagnosticsOf(
      [
        'name: x',
        'pipeline:',
        '  nodes: 5',
        '  topology: {kind: tree, widht: 3}',
        '  metricsPerNode: -2',
        'hooks: []',
      ].join('\n'),
    );
    expect(lines).toEqual([
      's.yaml:4:20 pipeline.topology.kind: must be one of chain, fan, layered, random; got "tree"',
      's.yaml:4:26 pipeline.topology.widht: unknown key (did you mean "width"?); allowed: kind, width, fanIn, ' +
        'edgeProbability',
      's.yaml:5:19 pipeline.metricsPerNode: must be >= 0; got -2',
      's.yaml:6:8 hooks: must NOT have fewer than 1 items; got a list',
    ]);
  });

  it('points a missing required key at its parent and suggests close unknown keys', () => {
    const lines = diagnosticsOf('name: x\npipeline:\n  nodez: 5\n');
    expect(lines).toContain('s.yaml:3:3 pipeline.nodes: is required');
    expect(lines.some((l) => l.startsWith('s.yaml:3:3 pipeline.nodez: unknown key (did you mean "nodes"?)'))).toBe(
      true,
    );
  });

  it('reports malformed YAML and duplicate keys with their position', () => {
    expect(diagnosticsOf('name: x\npipeline:\n  nodes: [1\n')[0]).toMatch(/^s\.yaml:4:1 /);
    expect(diagnosticsOf('name: x\npipeline: {nodes: 1}\nname: y\n')).toEqual(['s.yaml:3:1 Map keys must be unique']);
    expect(diagnosticsOf('- just\n- a list\n')).toEqual([
      's.yaml:1:1 a scenario must be a YAML mapping (see scenarios/scenario.schema.json)',
    ]);
  });

  it('checks cross-field rules the schema cannot express', () => {
    const lines = diagnosticsOf(
      'name: x\npipeline:\n  nodes: 5\n  failAt: 5\n  modelNodes: {indices: [1, 9]}\nbackend: {kind: remote}\n',
    );
    expect(lines).toEqual([
      's.yaml:4:11 pipeline.failAt: node index 5 is out of range (the pipeline has 5 nodes, 0..4)',
      's.yaml:5:29 pipeline.modelNodes.indices[1]: node index 9 is out of range (0..4)',
      's.yaml:6:10 backend: kind remote needs a `uri`',
    ]);
  });

  it('names the file when it does not exist', () => {
    expect(() => loadScenarioFile('/nonexistent/s.yaml')).toThrow('/nonexistent/s.yaml no such file');
  });
});

describe('cli', () => {
  it('generate --format json prints the counts of the shipped overhead-table scenario', async () => {
    const io = capture();
    expect(await main(['generate', 'scenarios/overhead-table.yaml', '--format', 'json'], io)).toBe(0);
    expect(JSON.parse(io.stdout)).toMatchObject({ nodes: 50, params: 500, metrics: 250 });
  });

  it('validate exits 2 with file:line:col on a malformed scenario, and 0 on a good one', async () => {
    const bad = writeScenario('name: x\npipeline:\n  nodes: many\nhooks: [recorde]\n');
    const io = capture();
    expect(await main(['validate', bad], io)).toBe(2);
    expect(io.stderr).toContain(`${bad}:3:10 pipeline.nodes: must be integer; got "many"`);
    expect(io.stdout).toBe('');
    const good = writeScenario('name: x\npipeline: {nodes: 3}\nhooks: [recorder]\n');
    expect(await main(['validate', good], capture())).toBe(0);
  });

  it('checks hook names and module paths, with a suggestion', async () => {
    const file = writeScenario(
      'name: x\npipeline: {nodes: 3, failAt: nope}\nhooks: [recorde, "module:./missing.js"]\n',
    );
    const io = capture();
    expect(await main(['validate', file], io)).toBe(2);
    expect(io.stderr).toContain('2:30 pipeline.failAt: no node is named "nope"');
    expect(io.stderr).toContain('3:9 hooks[0]: unknown hook "recorde" (did you mean "recorder"?)');
    expect(io.stderr).toMatch(/3:18 hooks\[1\]: hook module not found: .*missing\.js/);
  });

  it('exits 2 on usage errors and 0 on --help', async () => {
    expect(await main(['frobnicate'], capture())).toBe(2);
    expect(await main(['generate'], capture())).toBe(2);
    expect(await main(['generate', 'scenarios/overhead-table.yaml', '--format', 'xml'], capture())).toBe(2);
    const io = capture();
    expect(await main(['validate', '--help'], io)).toBe(0);
    expect(io.stdout).toContain('Usage: trackbench validate');
  });
});
