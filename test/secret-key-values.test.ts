// A value under a key that names a credential is never shown in a schema message: `server.credentials: sekret99`
// in mlflow.yml (or inline hook options) was refused with `must be null; got "sekret99"`, beside the message
// saying the value was not shown.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/io.ts';

const SECRET = 'sekret99-not-a-uri';

describe('schema messages about a credential key', () => {
  it('mlflow.yml: located, the value not shown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-secret-key-'));
    mkdirSync(join(dir, 'conf', 'base'), { recursive: true });
    writeFileSync(join(dir, 'conf', 'base', 'mlflow.yml'), `server:\n  credentials: ${SECRET}\n`);
    writeFileSync(
      join(dir, 's.yaml'),
      'name: q\npipeline: {nodes: 3}\nhooks: [{name: reference, options: {conf: ./conf}}]\n',
    );
    const r = await cli(['validate', join(dir, 's.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('mlflow.yml:2:16 server.credentials: must be null; got a value (not shown: its key names');
    expect(r.err).not.toContain(SECRET);
  });

  it('inline hook options: located, the value not shown', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-secret-key-'));
    writeFileSync(
      join(dir, 's.yaml'),
      'name: q\npipeline: {nodes: 3}\n' +
        `hooks: [{name: reference, options: {mlflow: {server: {credentials: ${SECRET}}}}}]\n`,
    );
    const r = await cli(['validate', join(dir, 's.yaml')]);
    expect(r).toMatchObject({ code: 2 });
    expect(r.err).toMatch(/s\.yaml:3:68 hooks\[0\]\.options\.mlflow\.server\.credentials: must be null; got a value/);
    expect(r.err).not.toContain(SECRET);
  });
});
