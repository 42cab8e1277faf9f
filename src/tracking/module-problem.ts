// Why a hook module could not be loaded, at the place the runtime names: a module that cannot be
// imported is bad input (exit 2), not a failed measurement. Node 20 gives an imported file's
// SyntaxError no position, so the file is parsed again by `node --check`, which prints one.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { messageOf } from '../common/caught.ts';
import type { Diagnostic } from '../errors.ts';

/** Where `err` (thrown by importing the module at `path`) places the problem, and what it is. */
export function moduleLoadProblem(err: unknown, path: string): Diagnostic {
  const message = messageOf(err);
  const problem = (what: string, line?: number, col?: number): Diagnostic => ({
    file: path,
    ...(line !== undefined ? { line, col } : {}),
    message: `hook module could not be loaded: ${what}`,
  });
  // esbuild (TypeScript through tsx): "<file>:<line>:<col>: ERROR: <what>"
  const transform = /^(.+):(\d+):(\d+): ERROR: (.+)$/m.exec(message);
  if (transform) return problem(transform[4]!, Number(transform[2]), Number(transform[3]) + 1);
  if (err instanceof SyntaxError) {
    const checked = syntaxErrorAt(path);
    if (checked) return problem(checked.what, checked.line, checked.col);
  }
  // Thrown by the module's own top-level code: the first stack frame in the module is where.
  const stack = err instanceof Error ? (err.stack ?? '') : '';
  for (const m of stack.matchAll(/\((file:\/\/[^)\s]+):(\d+):(\d+)\)|at (file:\/\/\S+):(\d+):(\d+)$/gm)) {
    const url = m[1] ?? m[4]!;
    if (safePath(url) === path) return problem(message.split('\n')[0]!, Number(m[2] ?? m[5]), Number(m[3] ?? m[6]));
  }
  return problem(message.split('\n')[0]!);
}

/** `node --check`'s report: "<file>:<line>", the source line, a caret under the column, then the error. */
function syntaxErrorAt(path: string): { line: number; col: number; what: string } | undefined {
  const out = spawnSync(process.execPath, ['--check', path], { encoding: 'utf8', timeout: 10_000 });
  const lines = (out.stderr ?? '').split('\n');
  const head = /:(\d+)$/.exec(lines[0] ?? '');
  const caret = (lines[2] ?? '').indexOf('^');
  const what = lines.find((l) => l.startsWith('SyntaxError: '));
  if (!head || !what) return undefined;
  return { line: Number(head[1]), col: caret >= 0 ? caret + 1 : 1, what: what.slice('SyntaxError: '.length) };
}

function safePath(url: string): string | undefined {
  try {
    return fileURLToPath(url);
  } catch {
    return undefined;
  }
}
