// What a report measured on: the machine (Node, Python, OS and kernel, CPU) and, per hook, what
// ran it: for an external command, its interpreter and the exact versions of the packages that
// decide its cost (the plugin, kedro, mlflow, kedro-datasets), read from that interpreter itself.
import { execFileSync } from 'node:child_process';
import { cpus, platform, release, totalmem, type as osType, version as osVersion } from 'node:os';
import { basename } from 'node:path';
import type { HookRef } from '../scenario/types.ts';
import { commandOf, scenarioDir } from '../tracking/registry.ts';

export interface PythonEnvironment {
  executable: string;
  version: string;
  /** Distributions whose name mentions kedro or mlflow, name -> version (the `pip freeze` subset that matters). */
  packages: Record<string, string>;
}

export interface HookEnvironment {
  kind: 'builtin' | 'module' | 'command';
  /** The command line (command: hooks) or module path (module: hooks). */
  command?: string;
  /** The interpreter of a command: hook, when it is Python; or why it could not be read. */
  python?: PythonEnvironment | { unavailable: string };
}

export interface MachineEnvironment {
  node: string;
  platform: string;
  os: string;
  kernel: string;
  cpuModel: string;
  cores: number;
  memoryBytes: number;
  /** `python3 --version` on the PATH, or null when there is none. */
  python: string | null;
}

/** The machine, and what ran each hook (by label). */
export interface Environment extends MachineEnvironment {
  hooks: Record<string, HookEnvironment>;
}

export function environment(hooks: HookRef[], source: string): Environment {
  return { ...machineEnvironment(), hooks: Object.fromEntries(hooks.map((h) => [h.label, environmentOf(h, source)])) };
}

const PACKAGE_PATTERN = /kedro|mlflow/i;

const PROBE = `import sys, json, importlib.metadata as m
pk = {}
for d in m.distributions():
    n = d.metadata['Name']
    if n and __import__('re').search(r'kedro|mlflow', n, __import__('re').I): pk[n.lower()] = d.version
print(json.dumps({'executable': sys.executable, 'version': sys.version.split()[0],
                  'packages': dict(sorted(pk.items()))}))`;

export function machineEnvironment(): MachineEnvironment {
  const cpu = cpus();
  return {
    node: process.version,
    platform: platform(),
    os: `${osType()} ${release()}`,
    kernel: osVersion(),
    cpuModel: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryBytes: totalmem(),
    python: quiet(() => execFileSync('python3', ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim()),
  };
}

/** The Python environment of an interpreter: its version and the kedro/mlflow packages in it. */
export function pythonEnvironment(interpreter: string, cwd?: string): PythonEnvironment | { unavailable: string } {
  try {
    const out = execFileSync(interpreter, ['-c', PROBE], {
      encoding: 'utf8',
      timeout: 30_000,
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const parsed = JSON.parse(out.trim().split('\n').pop() ?? '{}') as PythonEnvironment; // printed by PROBE above
    parsed.packages = Object.fromEntries(Object.entries(parsed.packages).filter(([n]) => PACKAGE_PATTERN.test(n)));
    return parsed;
  } catch (err) {
    return { unavailable: `${interpreter} could not be asked: ${(err as Error).message.split('\n')[0]}` };
  }
}

/**
 * What runs a hook. For a command: hook the first word of its command line is expanded by the
 * shell (as the trial does, from the scenario's folder) and, when it is a Python interpreter,
 * asked for its version and packages.
 */
export function environmentOf(hook: HookRef, source: string): HookEnvironment {
  const command = commandOf(hook);
  if (command === undefined)
    return hook.name.startsWith('module:') ? { kind: 'module', command: hook.name } : { kind: 'builtin' };
  const cwd = scenarioDir(source);
  const first = quiet(() =>
    execFileSync('sh', ['-c', `set -- ${command}; printf %s "$1"`], {
      encoding: 'utf8',
      timeout: 60_000,
      cwd,
      stdio: ['ignore', 'pipe', 'ignore'],
    }),
  );
  if (!first) return { kind: 'command', command, python: { unavailable: 'the command names no program' } };
  if (!/python/i.test(basename(first))) return { kind: 'command', command };
  return { kind: 'command', command, python: pythonEnvironment(first, cwd) };
}

/** What differs between two reports' environments, as sentences (empty when nothing does). */
export function environmentDifferences(a: Environment, b: Environment): string[] {
  const out: string[] = [];
  for (const key of ['node', 'os', 'kernel', 'cpuModel', 'cores', 'python'] as const)
    if (a[key] !== b[key]) out.push(`${key}: ${a[key]} vs ${b[key]}`);
  for (const [hook, ea] of Object.entries(a.hooks)) {
    const eb = b.hooks[hook];
    if (!eb) continue;
    if (ea.command !== eb.command) out.push(`${hook} command: ${ea.command ?? '-'} vs ${eb.command ?? '-'}`);
    const pa = ea.python && 'version' in ea.python ? ea.python : undefined;
    const pb = eb.python && 'version' in eb.python ? eb.python : undefined;
    if (pa && pb) {
      if (pa.version !== pb.version) out.push(`${hook} Python: ${pa.version} vs ${pb.version}`);
      for (const name of new Set([...Object.keys(pa.packages), ...Object.keys(pb.packages)]))
        if (pa.packages[name] !== pb.packages[name])
          out.push(`${hook} ${name}: ${pa.packages[name] ?? 'absent'} vs ${pb.packages[name] ?? 'absent'}`);
    }
  }
  return out;
}

/** A report, as far as the environment warning reads it. */
export interface MeasuredOn {
  environment: Environment;
  trackbenchVersion: string;
}

/**
 * The warning `compare`, `merge` and `run --baseline` print for reports made by different trackbench versions
 * or on different environments (not an error: the figures may still be worth reading), or undefined when they
 * agree. `which`: the reports, in words.
 */
export function environmentWarning(a: MeasuredOn, b: MeasuredOn, which = 'the two reports'): string | undefined {
  const differences = [
    ...(a.trackbenchVersion === b.trackbenchVersion
      ? []
      : [`trackbench: ${a.trackbenchVersion} vs ${b.trackbenchVersion}`]),
    ...environmentDifferences(a.environment, b.environment),
  ];
  if (!differences.length) return undefined;
  return (
    `warning: ${which} measured different environments; differences may be the environment's:\n` +
    differences.map((d) => `  ${d}`).join('\n')
  );
}

function quiet(f: () => string): string | null {
  try {
    return f();
  } catch {
    return null;
  }
}
