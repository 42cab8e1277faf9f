// The Python environment of a `kind: kedro` hook: a venv under the cache folder, keyed by a hash
// of its exact requirement set (kedro==<v>, the plugin, the extra packages), provisioned once by
// scripts/provision-venv.sh, with this repository's Python helper (python/) and a local plugin
// folder installed by scripts/install-local.sh (reinstalled when their files change).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from '../../common/shell.ts';
import { EnvironmentError } from '../../errors.ts';
import type { KedroHookSpec } from '../../scenario/types.ts';

export interface KedroEnvironment {
  venv: string;
  python: string;
  requirements: string[];
  /** Absolute folder of a local plugin, installed after the requirements. */
  localPlugin?: string;
  /** What is installed: python, kedro, mlflow, kedro-datasets and every hook plugin. */
  versions: Record<string, string | null>;
}

/** The repository's root (where scripts/ and python/ live), from this file's place in it. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'scripts', 'provision-venv.sh'))) {
    const up = dirname(dir);
    if (up === dir) throw new EnvironmentError('cannot find scripts/provision-venv.sh above the trackbench sources');
    dir = up;
  }
  return dir;
}

/** A plugin given as a folder (./x, ../x, /x, or an existing folder) rather than a pip requirement. */
export function isLocalPlugin(plugin: string): boolean {
  return plugin.startsWith('.') || isAbsolute(plugin) || plugin.startsWith('~');
}

export function requirementSet(spec: KedroHookSpec, scenarioDir: string): { requirements: string[]; local?: string } {
  const requirements = [`kedro==${spec.kedro}`, ...spec.packages];
  let local: string | undefined;
  if (spec.plugin && isLocalPlugin(spec.plugin)) local = resolve(scenarioDir, spec.plugin);
  else if (spec.plugin) requirements.push(spec.plugin);
  return { requirements: [...new Set(requirements)].sort(), local };
}

/** The venv's folder name: the same requirement set (and local plugin folder) reuses one venv. */
export function venvName(requirements: string[], local?: string): string {
  const key = JSON.stringify({ requirements, local: local ?? null });
  return `kedro-${createHash('sha256').update(key).digest('hex').slice(0, 16)}`;
}

function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  what: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolvePromise) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString('utf8')));
    child.stderr.on('data', (b: Buffer) => {
      stderr = (stderr + b.toString('utf8')).slice(-8000);
      // Installing takes minutes: say so on a terminal (never in CI logs).
      if (process.stderr.isTTY) process.stderr.write(b);
    });
    child.on('close', (code) => resolvePromise({ code: code ?? 1, stdout, stderr }));
    child.on('error', (err) => resolvePromise({ code: 127, stdout, stderr: `${what}: ${err.message}` }));
  });
}

export interface ProvisionOptions {
  /** Install nothing: fail when the environment is not there yet (TRACKBENCH_CHECK_ONLY). */
  checkOnly?: boolean;
}

/** Provisions (or reuses) the environment and reads what is installed in it. */
export async function provisionKedro(
  spec: KedroHookSpec,
  scenarioDir: string,
  label: string,
  options: ProvisionOptions = {},
): Promise<KedroEnvironment> {
  const root = repoRoot();
  const { requirements, local } = requirementSet(spec, scenarioDir);
  if (local && !existsSync(local))
    throw new EnvironmentError(`hook "${label}": the plugin folder ${local} does not exist`);
  const env = { ...process.env, ...(options.checkOnly ? { TRACKBENCH_CHECK_ONLY: '1' } : {}) };
  const failed = (step: string, r: { code: number; stderr: string }): never => {
    const tail = r.stderr.trim().split('\n').slice(-8).join('\n  ');
    throw new EnvironmentError(
      options.checkOnly && r.code === 1
        ? `hook "${label}": its Python environment is not provisioned (${step}); run without TRACKBENCH_CHECK_ONLY`
        : `hook "${label}": ${step} failed (exit ${r.code})${tail ? `:\n  ${tail}` : ''}`,
    );
  };
  const name = venvName(requirements, local);
  const prov = await run('bash', [join(root, 'scripts', 'provision-venv.sh'), name, ...requirements], env, 'bash');
  if (prov.code !== 0) failed(`pip install ${requirements.join(' ')}`, prov);
  const venv = prov.stdout.trim().split('\n').pop() ?? '';
  const installLocal = join(root, 'scripts', 'install-local.sh');
  const helper = await run('bash', [installLocal, venv, join(root, 'python'), '--no-deps'], env, 'bash');
  if (helper.code !== 0) failed('installing the Python helper (python/)', helper);
  if (local) {
    const plugin = await run('bash', [installLocal, venv, local], env, 'bash');
    if (plugin.code !== 0) failed(`installing the plugin folder ${local}`, plugin);
  }
  const python = join(venv, 'bin', 'python');
  const v = await run(python, ['-m', 'trackbench_kedro', 'versions'], process.env, python);
  if (v.code !== 0) failed('reading the installed versions', v);
  let versions: Record<string, string | null>;
  try {
    versions = JSON.parse(v.stdout.trim().split('\n').pop() ?? '') as Record<string, string | null>;
  } catch {
    return failed('reading the installed versions (not JSON)', v);
  }
  return { venv, python, requirements, localPlugin: local, versions };
}

/** The shell command that runs one trial (or conformance run) in the environment. */
export function kedroCommand(environment: KedroEnvironment): string {
  return `${shellQuote(environment.python)} -m trackbench_kedro run`;
}

/** The runner's settings for a hook, then the hook's own environment variables. */
export function kedroRunEnv(spec: KedroHookSpec, extra: Record<string, string> = {}): Record<string, string> {
  return {
    // Installed hook plugins track only when the hook names a plugin; a `hook:` alone tracks by itself.
    TRACKBENCH_KEDRO_PLUGINS: spec.plugin ? 'on' : 'off',
    ...(spec.hook ? { TRACKBENCH_KEDRO_HOOKS: spec.hook } : {}),
    ...(spec.mlflow ? { TRACKBENCH_MLFLOW_YML: JSON.stringify(spec.mlflow) } : {}),
    ...extra,
  };
}
