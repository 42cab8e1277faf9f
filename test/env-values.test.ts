// The numbers trackbench reads from its environment are checked like flags, before any command: a hook timeout
// past a Node timer's range fired at once (every hook call timed out, exit 3), and a value that was no number
// was ignored without a word.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cli } from './helpers/io.ts';
import { RETRY_VARIABLES, retryPolicyFromEnv } from '../src/mlflow/retry.ts';
import { HOOK_TIMEOUT_VARIABLE, hookTimeoutMs } from '../src/pipeline/hooks.ts';

const dir = mkdtempSync(join(tmpdir(), 'tb-env-'));
const scenario = join(dir, 's.yaml');
writeFileSync(scenario, 'name: x\npipeline: {nodes: 3}\nhooks: [reference]\n');

afterEach(() => void vi.unstubAllEnvs());

describe('numeric environment variables', () => {
  it('out of range or not a plain number: exit 2 naming each variable, before the command runs', async () => {
    vi.stubEnv('TRACKBENCH_HOOK_TIMEOUT_MS', '3000000000');
    expect(await cli(['trace', scenario])).toMatchObject({
      code: 2,
      err: 'TRACKBENCH_HOOK_TIMEOUT_MS (environment) must be milliseconds from 1 to 2147483647; got "3000000000"\n',
    });
    vi.stubEnv('TRACKBENCH_HOOK_TIMEOUT_MS', '0x10');
    vi.stubEnv('MLFLOW_HTTP_REQUEST_MAX_RETRIES', '1.5');
    const r = await cli(['validate', scenario]);
    expect(r.code).toBe(2);
    expect(r.err.trimEnd().split('\n')).toEqual([
      'TRACKBENCH_HOOK_TIMEOUT_MS (environment) must be milliseconds from 1 to 2147483647; got "0x10"',
      'MLFLOW_HTTP_REQUEST_MAX_RETRIES (environment) must be a whole number of retries from 0 to 100; got "1.5"',
    ]);
  });

  it('a TMPDIR naming no folder to write in: exit 2 naming it, before a command that writes temp files', async () => {
    const file = join(dir, 'a-file');
    writeFileSync(file, '');
    for (const [value, problem] of [
      [join(dir, 'nothing'), 'does not exist'],
      [file, 'is not a folder'],
    ] as const) {
      vi.stubEnv('TMPDIR', value);
      for (const command of ['trace', 'run'])
        expect(await cli([command, scenario])).toEqual({
          code: 2,
          out: '',
          err:
            "TMPDIR (environment) must name a folder trackbench can write trials' and servers' files in; " +
            `"${value}" ${problem}\n`,
        });
      // validate writes nothing: it does not care
      expect(await cli(['validate', scenario])).toMatchObject({ code: 0 });
    }
  });

  it('values in range, and empty ones (unset), are taken', async () => {
    vi.stubEnv('TRACKBENCH_HOOK_TIMEOUT_MS', '1e4');
    vi.stubEnv('MLFLOW_HTTP_REQUEST_TIMEOUT', '0');
    vi.stubEnv('MLFLOW_HTTP_REQUEST_MAX_RETRIES', '');
    expect(await cli(['validate', scenario])).toMatchObject({ code: 0 });
  });

  it('one description serves the reader and the check: what the CLI refuses, the reader does not take', async () => {
    const variables = [HOOK_TIMEOUT_VARIABLE, ...Object.values(RETRY_VARIABLES)];
    for (const v of variables) vi.stubEnv(v.name, String(v.max * 10 + 1));
    const r = await cli(['validate', scenario]);
    expect(
      r.err
        .trimEnd()
        .split('\n')
        .map((line) => line.split(' ')[0]),
    ).toEqual(variables.map((v) => v.name));
    // Read without the CLI (a library user, a trial worker): the default, not 1001 retries or a timer firing at once.
    expect(retryPolicyFromEnv(process.env)).toMatchObject({ maxRetries: 4, timeout: 30, backoffFactor: 0.1 });
    expect(hookTimeoutMs(process.env)).toBe(120_000);
    vi.stubEnv(RETRY_VARIABLES.maxRetries.name, '0x10');
    vi.stubEnv(HOOK_TIMEOUT_VARIABLE.name, '250');
    expect([retryPolicyFromEnv(process.env).maxRetries, hookTimeoutMs(process.env)]).toEqual([4, 250]);
  });
});
