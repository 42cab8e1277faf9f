// Control characters from input reach the terminal as escapes, not as commands: a hook label `a\e[2Jb` cleared
// the screen when `validate` printed it, a seed `\e]0;...\a` set the window title. Colour codes are kept.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { inertControls } from '../src/common/terminal-text.ts';

const BIN = fileURLToPath(new URL('../bin/trackbench.js', import.meta.url));

describe('control characters in what commands print', () => {
  it('are written as escapes; line breaks, tabs and colours are kept', () => {
    expect(inertControls('a\x1b[2Jb\x1b]0;t\x07\r\u202e\x00')).toBe('a\\x1b[2Jb\\x1b]0;t\\x07\\x0d\\u202e\\x00');
    expect(inertControls('\x1b[36mhead\x1b[39m\n\tcell')).toBe('\x1b[36mhead\x1b[39m\n\tcell');
  });

  it('a hook label and a seed from a scenario, through the CLI', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tb-terminal-'));
    const file = join(dir, 's.yaml');
    writeFileSync(
      file,
      'name: x\npipeline: {nodes: 3, seed: "\\e]0;t\\a"}\nhooks: [{name: noop, label: "a\\e[2Jb"}]\n',
    );
    const validate = spawnSync(process.execPath, [BIN, 'validate', file], { encoding: 'utf8' });
    expect(validate.stdout).toBe(`${file}: ok (scenario "x", 3 nodes, 0 edges, hooks: a\\x1b[2Jb)\n`);
    const generate = spawnSync(process.execPath, [BIN, 'generate', file], { encoding: 'utf8' });
    expect(generate.stdout.split('\n')[0]).toBe('pipeline "__default__" (seed \\x1b]0;t\\x07)');
    expect(validate.stdout + generate.stdout).not.toMatch(/\x1b|\x07/); // eslint-disable-line no-control-regex
  });
});
