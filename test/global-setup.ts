// Before any test: build dist/ (trial processes run the compiled JavaScript, so a test must never
// meet a stale build), note every file in the working tree, and give the run a temp folder of its own
// (TMPDIR, inherited by the test workers and every process they start). After the last test: remove that
// folder (so what tests write to temp folders is never left on the machine), and fail the run if a test left
// a file behind in the repository (a new, changed or removed file anywhere, ignored ones included: reports/,
// spill files, caches), naming each one.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
/** What a test run is allowed to write: installed packages and their caches, and the build itself. */
const SKIPPED = new Set(['.git', 'node_modules', 'dist']);

/** Every file under the root but the skipped folders, with its size and modification time. */
export function snapshotTree(root: string = ROOT): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(root, path);
      if (SKIPPED.has(rel)) continue;
      if (entry.isDirectory()) walk(path);
      else {
        const s = statSync(path, { throwIfNoEntry: false });
        files.set(rel, s ? `${s.size}:${s.mtimeMs}` : 'gone');
      }
    }
  };
  walk(root);
  return files;
}

/** What changed between two snapshots, one line per file. */
export function treeChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changes: string[] = [];
  for (const [path, sig] of after) {
    const was = before.get(path);
    if (was === undefined) changes.push(`new: ${path}`);
    else if (was !== sig) changes.push(`changed: ${path}`);
  }
  for (const path of before.keys()) if (!after.has(path)) changes.push(`removed: ${path}`);
  return changes.sort();
}

export default function setup(): () => void {
  execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' });
  const before = snapshotTree();
  const temp = mkdtempSync(join(tmpdir(), 'trackbench-tests-'));
  process.env.TMPDIR = temp;
  return () => {
    try {
      rmSync(temp, { recursive: true, force: true });
    } catch (err) {
      // a file it cannot remove is said, and must not keep the tree check below from running
      process.stderr.write(`\nwarning: the tests' temp folder ${temp} was not removed: ${String(err)}\n`);
    }
    const changes = treeChanges(before, snapshotTree());
    if (!changes.length) return;
    // vitest reports an error thrown here but still exits 0: fail the run explicitly.
    process.stderr.write(
      '\nFAIL the tests left the working tree changed (tests must write only into temp folders):\n' +
        changes.map((c) => `  ${c}\n`).join(''),
    );
    process.exitCode = 1;
  };
}
