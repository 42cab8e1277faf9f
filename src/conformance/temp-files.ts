// Files written during a situation in the system's temp folders, outside the folder the suite gives the hook: a
// hook that read os.tmpdir() when it was loaded (before the suite set TMPDIR), or that names /tmp, writes there.
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';

/** The temp folder as it was when trackbench started, before any situation set TMPDIR. */
const START_TMPDIR = tmpdir();

/** How far the search goes: folders below a temp folder, entries looked at, bytes read per file and in all. */
export const TEMP_SEARCH = { depth: 2, entries: 20_000, fileBytes: 4 << 20, totalBytes: 64 << 20 };

/** File times come from a coarse kernel clock that can lag the wall clock by a tick. */
const CLOCK_SLACK_MS = 50;

/** The real temp folders (os.tmpdir() at start, and /tmp), each once. */
function tempRoots(): string[] {
  const roots = new Set<string>();
  for (const d of [START_TMPDIR, '/tmp'])
    try {
      roots.add(realpathSync(d));
    } catch {
      // No such folder here (/tmp on Windows).
    }
  return [...roots];
}

/** trackbench's own stdout and stderr, as "device:inode" when they are files: the hook's prints reach them through
 * the streams (the output checks see those), and a CI log redirected into /tmp is not a file the hook wrote. */
function ownStreams(): Set<string> {
  const out = new Set<string>();
  for (const fd of [1, 2])
    try {
      const st = fstatSync(fd);
      if (st.isFile()) out.add(`${st.dev}:${st.ino}`);
    } catch {
      // Closed.
    }
  return out;
}

/** The last `size` bytes of a file: where a log that grows writes what is new. */
function tail(path: string, size: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(size);
    const end = Math.max(0, fstatSync(fd).size - size);
    return buf.subarray(0, readSync(fd, buf, 0, size, end));
  } finally {
    closeSync(fd);
  }
}

/** Files under the temp folders created or modified since `sinceMs`, but those under `exclude` (folders searched
 * already). Bounded by TEMP_SEARCH; folders that cannot be read (other users') are passed over. */
export function tempFilesWrittenSince(sinceMs: number, exclude: string[]): { path: string; bytes: Buffer }[] {
  const skip = exclude.map((d) => {
    try {
      return realpathSync(d);
    } catch {
      return d;
    }
  });
  const streams = ownStreams();
  const out: { path: string; bytes: Buffer }[] = [];
  let entries = 0;
  let bytes = 0;
  // Breadth first, so one deep folder cannot use up the budget before the files at the top are seen.
  const queue: [string, number][] = tempRoots().map((r) => [r, 0]);
  for (let next = queue.shift(); next; next = queue.shift()) {
    const [dir, depth] = next;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names) {
      if (++entries > TEMP_SEARCH.entries) return out;
      const p = join(dir, name);
      if (skip.some((d) => p === d || p.startsWith(d + sep))) continue;
      try {
        const st = lstatSync(p);
        if (st.isDirectory()) {
          if (depth < TEMP_SEARCH.depth) queue.push([p, depth + 1]);
        } else if (st.isFile() && st.mtimeMs >= sinceMs - CLOCK_SLACK_MS) {
          if (streams.has(`${st.dev}:${st.ino}`)) continue;
          const size = Math.min(st.size, TEMP_SEARCH.fileBytes);
          if (bytes + size > TEMP_SEARCH.totalBytes) continue;
          bytes += size;
          out.push({ path: p, bytes: tail(p, size) });
        }
      } catch {
        // Gone meanwhile, or not ours to read.
      }
    }
  }
  return out;
}
