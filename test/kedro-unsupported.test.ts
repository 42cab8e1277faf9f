// An unsupported `kind: kedro` combination fails before any trial, as bad input (exit 2) naming what is unsupported:
// a requirement set pip cannot resolve (kedro-mlflow 1.0.2 wants Kedro 1.x, kedro-datasets 9.6.0 too, beside Kedro
// 0.19), and a plugin whose kedro.hooks entry point cannot be imported there (kedro-mlflow 1.0.2 imports
// kedro_datasets without requiring it: Kedro loads the entry point in every session, the plugin's "without" too).
// The venv is a stand-in (PYTHON names a script that makes one whose pip and python print what the real ones do),
// so this provisions nothing and needs no network.
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { kedroTarget } from '../src/conformance/kedro-target.ts';
import { InputError } from '../src/errors.ts';
import { provisionKedro, unsatisfiableRequirements } from '../src/tracking/kedro/environment.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-kedro-unsupported-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const saved = { cache: process.env.TRACKBENCH_CACHE, python: process.env.PYTHON };
afterEach(() => {
  for (const [key, value] of [
    ['TRACKBENCH_CACHE', saved.cache],
    ['PYTHON', saved.python],
  ] as const) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
});

// pip 24's words when a set cannot be resolved (its log, not --quiet: the cause is logged at info level).
const conflict = [
  'Collecting kedro==0.19.15',
  'ERROR: Cannot install kedro-datasets==9.6.0 and kedro==0.19.15 because these package versions have conflicting' +
    ' dependencies.',
  '',
  'The conflict is caused by:',
  '    The user requested kedro==0.19.15',
  '    kedro-datasets 9.6.0 depends on kedro>=1.0.0',
  '',
  'ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/',
].join('\n');

const unloadable = JSON.stringify([
  {
    entryPoint: 'mlflow_hook = kedro_mlflow.framework.hooks.mlflow_hook:mlflow_hook',
    error: "ModuleNotFoundError: No module named 'kedro_datasets'",
    missingModule: 'kedro_datasets',
    plugin: 'kedro-mlflow',
    raisedAt: 'in <module>() at /v/site-packages/kedro_mlflow/mlflow/kedro_pipeline_model.py:13',
    version: '1.0.2',
  },
]);

/** A `python3` whose `-m venv` makes a venv of stand-ins: pip prints `pipOutput` and exits `pipExit` (upgrading pip
 * always works), python answers the helper's `versions` and `check`. */
function standInPython(name: string, pipOutput: string, pipExit: number, check: string): string {
  const script = join(dir, name);
  const pip = `#!/bin/sh\ncase "$*" in *--upgrade*) exit 0;; esac\ncat <<'EOF'\n${pipOutput}\nEOF\nexit ${pipExit}\n`;
  const answers = `*versions*) echo '{"kedro":"1.7.0"}';; *check*) cat <<'EOF'\n${check}\nEOF\n;;`;
  const python = `#!/bin/sh\necho "$*" >> "$0.calls"\ncase "$*" in ${answers} esac\n`;
  writeFileSync(
    script,
    [
      '#!/bin/sh',
      '[ "$1" = "-m" ] && [ "$2" = "venv" ] || exit 9',
      'mkdir -p "$3/bin"',
      `cat > "$3/bin/pip" <<'PIP'\n${pip}PIP`,
      `cat > "$3/bin/python" <<'PY'\n${python}PY`,
      'chmod +x "$3/bin/pip" "$3/bin/python"',
      '',
    ].join('\n'),
  );
  chmodSync(script, 0o755);
  return script;
}

async function provisionError(python: string, cache: string): Promise<unknown> {
  process.env.TRACKBENCH_CACHE = join(dir, cache);
  process.env.PYTHON = python;
  const spec = { plugin: 'kedro-mlflow==1.0.2', kedro: '0.19.15', packages: ['kedro-datasets==9.6.0'] };
  return provisionKedro(spec, dir, 'kedro-mlflow 1.0.2').then(
    () => undefined,
    (err: unknown) => err,
  );
}

describe('an unsupported kind: kedro combination', () => {
  it("that pip cannot install is bad input naming the set and pip's reason, not an environment failure", async () => {
    const err = await provisionError(standInPython('py-conflict', conflict, 1, '[]'), 'c1');
    expect(err).toBeInstanceOf(InputError);
    const message = (err as InputError).message;
    expect(message).toContain('hook "kedro-mlflow 1.0.2"');
    expect(message).toContain(
      'unsupported combination: kedro-datasets==9.6.0 kedro-mlflow==1.0.2 kedro==0.19.15 cannot be installed together',
    );
    expect(message).toContain('kedro-datasets 9.6.0 depends on kedro>=1.0.0');
    expect(message).toContain('The user requested kedro==0.19.15');
  });

  it('whose plugin cannot be imported there is bad input naming the plugin, the module and where', async () => {
    const err = await provisionError(standInPython('py-unloadable', 'installed', 0, unloadable), 'c2');
    expect(err).toBeInstanceOf(InputError);
    const message = (err as InputError).message;
    expect(message).toContain('Kedro cannot start a session (with the plugin on or off)');
    expect(message).toContain(
      'kedro-mlflow 1.0.2 (kedro.hooks entry point mlflow_hook = ' +
        'kedro_mlflow.framework.hooks.mlflow_hook:mlflow_hook)' +
        " fails to load: ModuleNotFoundError: No module named 'kedro_datasets'",
    );
    expect(message).toContain('kedro_pipeline_model.py:13');
    expect(message).toContain('kedro_datasets is not installed (kedro-mlflow 1.0.2 does not require it)');
  });

  it('as a conformance target is said as it loads, before any situation runs', async () => {
    process.env.TRACKBENCH_CACHE = join(dir, 'c4');
    process.env.PYTHON = standInPython('py-conflict-target', conflict, 1, '[]');
    const file = join(dir, 'target.yaml');
    writeFileSync(
      file,
      'name: t\npipeline: {nodes: 3}\nhooks:\n' +
        '  - {kind: kedro, plugin: kedro-mlflow==1.0.2, kedro: 0.19.15, packages: [kedro-datasets==9.6.0]}\n',
    );
    const err = await kedroTarget(file)
      .load?.()
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(err).toBeInstanceOf(InputError);
    expect((err as InputError).message).toContain('unsupported combination');
  });

  it('is looked for once a venv: its plugins are loaded again only when something was installed', async () => {
    const python = standInPython('py-loads', 'installed', 0, '[]');
    expect(await provisionError(python, 'c3')).toBe(undefined);
    expect(await provisionError(python, 'c3')).toBe(undefined);
    const venvs = readdirSync(join(dir, 'c3')).filter((f) => !f.endsWith('.log'));
    const calls = readFileSync(join(dir, 'c3', venvs[0]!, 'bin', 'python.calls'), 'utf8');
    expect(calls.match(/trackbench_kedro check/g)).toHaveLength(1);
    expect(calls.match(/trackbench_kedro versions/g)).toHaveLength(2);
  });

  it('is told apart from a machine that failed: a network error stays an environment failure', () => {
    expect(unsatisfiableRequirements('ERROR: Could not install packages due to an OSError: [Errno 28]')).toBe(
      undefined,
    );
    const offline =
      "WARNING: Retrying (Retry(total=4)) after connection broken by 'NewConnectionError(...)': /simple/kedro/\n" +
      'ERROR: No matching distribution found for kedro==1.7.0';
    expect(unsatisfiableRequirements(offline)).toBe(undefined);
    expect(unsatisfiableRequirements('ERROR: No matching distribution found for kedro-mlflow==9.9.9')).toContain(
      'No matching distribution found for kedro-mlflow==9.9.9',
    );
    // An index with no release at all of it (a private index answering 401/404): the configuration, not the set
    const emptyIndex =
      'ERROR: Could not find a version that satisfies the requirement kedro==1.7.0 (from versions: none)\n' +
      'ERROR: No matching distribution found for kedro==1.7.0';
    expect(unsatisfiableRequirements(emptyIndex)).toBe(undefined);
  });
});
