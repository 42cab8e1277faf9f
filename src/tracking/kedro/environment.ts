// The Python environment of a `kind: kedro` hook: a venv under the cache folder, keyed by a hash
// of its exact requirement set (kedro==<v>, the plugin, the extra packages), provisioned once by
// scripts/provision-venv.sh, with this repository's Python helper (python/) and a local plugin
// folder installed by scripts/install-local.sh (reinstalled when their files change).
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { shellQuote } from '../../common/shell.ts';
import { EnvironmentError, InputError } from '../../errors.ts';
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

/**
 * pip's reason when a requirement set cannot be installed at all (versions that exclude each other, a release
 * with no distribution for this Python), as opposed to a failure of the machine (network, disk): the lines
 * scripts/provision-venv.sh prints from pip's log. Undefined when the failure is not of that kind.
 */
export function unsatisfiableRequirements(stderr: string): string | undefined {
  if (!/ResolutionImpossible|conflicting dependencies|No matching distribution found/.test(stderr)) return undefined;
  // An index that lists no release at all of a requirement (a private index answering 401/404, a partial mirror)
  // is the machine's configuration, not the set: pip names the releases it saw when the set is what excludes them.
  if (/\(from versions: none\)/.test(stderr)) return undefined;
  // Offline, pip finds no distribution of anything: that is the machine, not the set.
  if (/Retrying .*(NewConnectionError|ConnectTimeout|ProxyError|SSLError|ReadTimeout)/.test(stderr)) return undefined;
  const reasons = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) =>
      / depends on |^The user requested |No matching distribution|Requires-Python|^ERROR: Cannot install/.test(l),
    )
    .map((l) => l.replace(/^ERROR: /, ''));
  return [...new Set(reasons)].join('\n  ');
}

/**
 * An unsupported combination is bad input, not a broken machine (exit 2, before any trial): the scenario must
 * name another set. Named after the hook, since the requirements come from its plugin, kedro and packages keys.
 */
function unsupportedCombination(label: string, requirements: string[], reasons: string): InputError {
  return new InputError([
    {
      file: `hook "${label}"`,
      message:
        `unsupported combination: ${requirements.join(' ')} cannot be installed together` +
        `${reasons ? `:\n  ${reasons}` : ''}\n` +
        '  (pin versions the plugin declares: `pip download --no-deps <plugin>` and read its Requires-Dist)',
    },
  ]);
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
  const unsatisfiable = prov.code !== 0 ? unsatisfiableRequirements(prov.stderr) : undefined;
  if (unsatisfiable !== undefined) throw unsupportedCombination(label, requirements, unsatisfiable);
  if (prov.code !== 0) failed(`pip install ${requirements.join(' ')}`, prov);
  const venv = prov.stdout.trim().split('\n').pop() ?? '';
  const installLocal = join(root, 'scripts', 'install-local.sh');
  const helper = await run('bash', [installLocal, venv, join(root, 'python'), '--no-deps'], env, 'bash');
  if (helper.code !== 0) failed('installing the Python helper (python/)', helper);
  // Whether anything was (re)installed just now: the entry points are loaded again only then (importing a plugin
  // and MLflow takes seconds, on every command otherwise).
  let installed = [prov, helper].some((r) => / installing /.test(r.stderr));
  if (local) {
    const plugin = await run('bash', [installLocal, venv, local], env, 'bash');
    if (plugin.code !== 0) failed(`installing the plugin folder ${local}`, plugin);
    installed ||= / installing /.test(plugin.stderr);
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
  const loaded = join(venv, '.trackbench-hooks-load');
  if (installed || !existsSync(loaded)) {
    const check = await run(python, ['-m', 'trackbench_kedro', 'check'], process.env, python);
    if (check.code !== 0) failed("loading the Kedro hook plugins' entry points", check);
    const broken = hookLoadFailures(check.stdout.trim().split('\n').pop() ?? '');
    if (broken.length) throw unloadablePlugins(label, requirements, broken);
    writeFileSync(loaded, '');
  }
  return { venv, python, requirements, localPlugin: local, versions };
}

/** A `kedro.hooks` entry point that fails to load, as `trackbench_kedro check` reports it. */
export interface HookLoadFailure {
  plugin: string;
  version: string;
  entryPoint: string;
  error: string;
  /** The module an ImportError names, else empty. */
  missingModule: string;
  raisedAt: string;
}

export function hookLoadFailures(json: string): HookLoadFailure[] {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    throw new EnvironmentError(`trackbench_kedro check printed no JSON list: ${json.slice(0, 200)}`);
  }
  if (!Array.isArray(value)) throw new EnvironmentError('trackbench_kedro check printed no JSON list');
  return value as HookLoadFailure[];
}

/**
 * Kedro loads every `kedro.hooks` entry point as a session starts, its hooks disabled or not, so a plugin that
 * cannot be imported in this requirement set fails every trial, the "without" too: an unsupported combination,
 * said before any trial (exit 2), with what to add when it is an import the plugin does not declare.
 */
export function unloadablePlugins(label: string, requirements: string[], broken: HookLoadFailure[]): InputError {
  const lines = broken.map((b) => {
    const what = `${b.plugin}${b.version ? ` ${b.version}` : ''}`;
    const fix = b.missingModule
      ? `; ${b.missingModule} is not installed (${what} does not require it): add the distribution that ` +
        `provides it to this hook's \`packages\` (pinned)`
      : '';
    return `${what} (kedro.hooks entry point ${b.entryPoint}) fails to load: ${b.error}${
      b.raisedAt ? ` ${b.raisedAt}` : ''
    }${fix}`;
  });
  return new InputError([
    {
      file: `hook "${label}"`,
      message:
        `unsupported combination: in ${requirements.join(' ')}, Kedro cannot start a session ` +
        `(with the plugin on or off):\n  ${lines.join('\n  ')}`,
    },
  ]);
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
