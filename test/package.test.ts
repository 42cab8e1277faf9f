// The package the way a user meets it: `npm pack`, the tarball installed into a new project (from
// the npm cache where it can), then (a) the CLI through npx, measuring from another folder too,
// (b) plain Node importing the package, and its types checked by tsc, (c) a vitest file of the
// user's using trackbench/vitest against a module: hook.
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REQUIREMENTS } from '../src/conformance/requirements/index.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const TSC = join(ROOT, 'node_modules/typescript/bin/tsc');
const run = promisify(execFile);

interface Ran {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end; a non-zero exit is a result, not a throw. */
async function sh(file: string, args: string[], cwd: string): Promise<Ran> {
  // CI=true: no progress lines; npm_config_*: npm's own settings from `npm test` must not leak in.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('npm_')));
  try {
    const { stdout, stderr } = await run(file, args, { cwd, env: { ...env, CI: 'true' }, maxBuffer: 64 << 20 });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

let dir: string;
let project: string;
let packed: string[];

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tb-pack-'));
  project = join(dir, 'project');
  mkdirSync(project);
  // dist/ is fresh (test/global-setup.ts built it): pack without running the build again.
  const pack = await sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], ROOT);
  expect(pack.code, pack.stderr).toBe(0);
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  packed = info!.files.map((f) => f.path);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  const vitestVersion = (await import('vitest/package.json', { with: { type: 'json' } })).default.version;
  const install = await sh(
    'npm',
    [
      'install',
      '--prefer-offline',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      join(dir, info!.filename),
      `vitest@${vitestVersion}`,
    ],
    project,
  );
  expect(install.code, install.stderr).toBe(0);
  // A user's hook module: the reference hook through the public API.
  writeFileSync(
    join(project, 'hook.mjs'),
    "import { BUILTIN_HOOKS } from 'trackbench';\n" +
      'export default (options, context) => BUILTIN_HOOKS.reference.factory(options, context);\n',
  );
  writeFileSync(
    join(project, 'tiny.yaml'),
    'name: tiny\n' +
      'pipeline: {nodes: 3, paramsPerNode: {count: 2}, metricsPerNode: 1,\n' +
      '  work: {cpuMs: 0, ioBytes: 0, allocBytes: 0}}\n' +
      'hooks: [reference, "module:./hook.mjs"]\n' +
      'trials: {repetitions: 1, warmup: 0, quickRepetitions: 1}\n',
  );
}, 600_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm pack, installed into a new project', () => {
  it('holds what users need and nothing else', () => {
    for (const needed of [
      'bin/trackbench.js',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/conformance/vitest.js',
      'dist/measure/trial-worker.js',
      'dist/report/report.schema.json',
      'dist/tracking/config/mlflow-config.schema.json',
      'scenarios/scenario.schema.json',
      'scenarios/overhead-table.yaml',
      'python/pyproject.toml',
      'python/src/trackbench_kedro/probes.py',
      'scripts/install-local.sh',
      'README.md',
      'LICENSE',
    ])
      expect(packed).toContain(needed);
    const unwanted = packed.filter((p) => /^(test|src|scripts\/.*\.ts)\/?|\.jsonl$|tsbuildinfo|\.test\./.test(p));
    expect(unwanted).toEqual([]);
  });

  it('(a) npx trackbench --help, and a --quick run with a built-in and a module: hook', async () => {
    const help = await sh('npx', ['trackbench', '--help'], project);
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: trackbench');
    const quick = await sh(
      'npx',
      ['--no', 'trackbench', 'run', 'tiny.yaml', '--quick', '--out', join(dir, 'r1')],
      project,
    );
    expect(quick.code, quick.stderr).toBe(0);
    expect(quick.stdout).toContain('With module:./hook.mjs');
  }, 120_000);

  it('(a) measures from a folder with no node_modules (trials need nothing from the current folder)', async () => {
    const elsewhere = join(dir, 'elsewhere');
    mkdirSync(elsewhere);
    const bin = join(project, 'node_modules/trackbench/bin/trackbench.js');
    const r = await sh(process.execPath, [bin, 'run', join(project, 'tiny.yaml'), '--quick', '--out', 'r'], elsewhere);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('With reference');
  }, 120_000);

  it('(b) plain node imports trackbench and uses its API; tsc finds its types', async () => {
    const script =
      "import { MlflowClient, startHttpMock } from 'trackbench';\n" +
      'const mock = await startHttpMock();\n' +
      'const client = new MlflowClient({ trackingUri: mock.trackingUri });\n' +
      "const id = await client.getOrCreateExperiment('from-a-user');\n" +
      'console.log(`experiment ${id} on ${mock.requestLog.size} request(s)`);\n' +
      'client.close();\nawait mock.stop();\n';
    writeFileSync(join(project, 'use.mjs'), script);
    const r = await sh(process.execPath, ['use.mjs'], project);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^experiment \S+ on [1-9]\d* request\(s\)/);

    // The @ts-expect-error lines fail the check if the types resolve to `any`.
    writeFileSync(
      join(project, 'use-types.ts'),
      "import type { HookFactory, Report } from 'trackbench';\n" +
        "import type { ConformanceSuiteOptions } from 'trackbench/vitest';\n" +
        'export const factory: HookFactory = () => ({ afterNodeRun() {} });\n' +
        "export const options: ConformanceSuiteOptions = { target: 'module:./hook.mjs' };\n" +
        'export const scenarioName = (r: Report): string => r.scenario.name;\n' +
        '// @ts-expect-error a hook method is a function\n' +
        'export const bad: HookFactory = () => ({ afterNodeRun: 5 });\n' +
        '// @ts-expect-error target is a string\n' +
        'export const badOptions: ConformanceSuiteOptions = { target: 5 };\n',
    );
    writeFileSync(
      join(project, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { module: 'nodenext', strict: true, noEmit: true, skipLibCheck: true, types: [] },
        files: ['use-types.ts'],
      }),
    );
    const tsc = await sh(process.execPath, [TSC, '-p', 'tsconfig.json'], project);
    expect(tsc.stdout + tsc.stderr).toBe('');
    expect(tsc.code).toBe(0);
  }, 120_000);

  it('(c) a vitest file uses trackbench/vitest against a module: hook', async () => {
    writeFileSync(
      join(project, 'hook.test.mjs'),
      "import { defineConformanceSuite } from 'trackbench/vitest';\n" +
        "defineConformanceSuite({ target: 'module:./hook.mjs', name: 'my hook' });\n",
    );
    const out = join(dir, 'vitest.json');
    const r = await sh('npx', ['vitest', 'run', '--reporter=json', `--outputFile=${out}`], project);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const { readFileSync } = await import('node:fs');
    const result = JSON.parse(readFileSync(out, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
      numPendingTests: number;
    };
    expect(result.numFailedTests).toBe(0);
    // One test per requirement, and one that every situation ran.
    expect(result.numPassedTests + result.numPendingTests).toBe(REQUIREMENTS.length + 1);
    expect(result.numPassedTests).toBeGreaterThan(REQUIREMENTS.length / 2);
  }, 300_000);
});
