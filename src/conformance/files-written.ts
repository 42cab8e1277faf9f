// Files written during a situation outside the folder the suite gives the hook: a hook that read os.tmpdir() when
// it was loaded (before the suite set TMPDIR) or names /tmp writes in the system's temp folder; one that writes a
// debug log "next to the project" or in the user's home, there.
import { closeSync, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join, sep } from 'node:path';

/** The temp folder as it was when trackbench started, before any situation set TMPDIR. */
const START_TMPDIR = tmpdir();

/** When trackbench started: a folder changed since then had an entry made, removed or renamed in it since. */
const START_MS = Date.now();

/** How far the search goes: folders below each searched folder looked in whatever their time, entries looked at in
 * each, bytes read per file and in all. Below `depth`, only folders changed since trackbench started are looked in
 * (a hook's new log folder, `~/.cache/<plugin>/logs/<date>/`, and every folder above it, was): the cost is bounded by
 * what was touched, not by the size of the caches (~/.cache holds whole virtual environments). */
export const WRITTEN_SEARCH = { depth: 2, entries: 20_000, fileBytes: 4 << 20, totalBytes: 64 << 20 };

/** File times come from a coarse kernel clock that can lag the wall clock by a tick. */
const CLOCK_SLACK_MS = 50;

/** The folders searched (the temp folders: os.tmpdir() at start, /tmp and /var/tmp; the working folder; the home
 * folder), each once. */
function roots(): string[] {
  const out = new Set<string>();
  for (const d of [START_TMPDIR, '/tmp', '/var/tmp', process.cwd(), homedir()])
    try {
      out.add(realpathSync(d));
    } catch {
      // No such folder here (/tmp on Windows).
    }
  return [...out];
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

/** A folder to read, with its depth below the searched folder. */
type Folder = [path: string, depth: number];

/**
 * The folders still to read under one searched folder, in two queues each read in the order its folders were found
 * (breadth first): those changed since trackbench started before the others, so a crowded shared /tmp cannot use up
 * the budget before they are seen. Breadth first among the changed ones too: read depth first (last found first), a
 * big tree made meanwhile by another process was read whole before the hook's folder whenever it was listed after it
 * (Node lists in name order): a virtual environment being installed into ~/.cache/trackbench (25,000 entries) used
 * up the budget before ~/.cache/tb-mutant-<pid>/logs/ was reached, in every situation of the run.
 */
class FolderQueue {
  private readonly changed: Folder[] = [];
  private readonly others: Folder[] = [];
  private nextChanged = 0;
  private nextOther = 0;

  constructor(root: string) {
    this.others.push([root, 0]);
  }

  add(folder: Folder, changed: boolean): void {
    (changed ? this.changed : this.others).push(folder);
  }

  next(): Folder | undefined {
    if (this.nextChanged < this.changed.length) return this.changed[this.nextChanged++];
    return this.others[this.nextOther++];
  }
}

/** Files under the searched folders created or modified since `sinceMs`, but those under `exclude` (folders searched
 * already). Bounded by WRITTEN_SEARCH; folders that cannot be read (other users') are passed over. */
export function filesWrittenSince(sinceMs: number, exclude: string[]): { path: string; bytes: Buffer }[] {
  const skip = exclude.map((d) => {
    try {
      return realpathSync(d);
    } catch {
      return d;
    }
  });
  const streams = ownStreams();
  const out: { path: string; bytes: Buffer }[] = [];
  const seen = new Set<string>();
  let bytes = 0;
  for (const root of roots()) {
    let entries = 0;
    const queue = new FolderQueue(root);
    for (let next = queue.next(); next && entries <= WRITTEN_SEARCH.entries; next = queue.next()) {
      const [dir, depth] = next;
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        if (++entries > WRITTEN_SEARCH.entries) break;
        const p = join(dir, name);
        if (seen.has(p) || skip.some((d) => p === d || p.startsWith(d + sep))) continue;
        seen.add(p);
        try {
          const st = lstatSync(p);
          if (st.isDirectory()) {
            const changed = st.mtimeMs >= START_MS - CLOCK_SLACK_MS;
            if (changed || depth < WRITTEN_SEARCH.depth) queue.add([p, depth + 1], changed);
          } else if (st.isFile() && st.mtimeMs >= sinceMs - CLOCK_SLACK_MS) {
            if (streams.has(`${st.dev}:${st.ino}`)) continue;
            const size = Math.min(st.size, WRITTEN_SEARCH.fileBytes);
            if (bytes + size > WRITTEN_SEARCH.totalBytes) continue;
            bytes += size;
            out.push({ path: p, bytes: tail(p, size) });
          }
        } catch {
          // Gone meanwhile, or not ours to read.
        }
      }
    }
  }
  return out;
}
