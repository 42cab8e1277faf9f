import { quotedInput } from '../../common/terminal-text.ts';
import { dirname, resolve } from 'node:path';
import { Option, type Command } from 'commander';
import { InputError } from '../../errors.ts';
import { isDateTime } from '../../common/validate-yaml.ts';
import { addToStore, entryOf, isFileStore, readStore, scenarioNames } from '../../report/history.ts';
import { renderHistoryHtml, writeHtml } from '../../report/html/index.ts';
import { ciCommit, ciRef, ciTime } from '../ci-env.ts';
import { commitProblem, refProblem } from '../git-names.ts';
import type { Io } from '../io.ts';
import { credentialsFromEnv, redactDeep } from '../../mlflow/auth.ts';
import { assertDistinctOutputs, assertStorePath, assertWritableDir, assertWritableFile } from '../paths.ts';
import { readDocument } from '../../report/read.ts';

/** A flag's value, if given, checked by `problem`. */
function checked(flag: string, value: string | undefined, problem: (v: string) => string | undefined): typeof value {
  const why = value === undefined ? undefined : problem(value);
  if (why) throw InputError.flag(flag, why);
  return value;
}

/** A time with its zone, of a day that exists: Date.parse alone took "0" as 2000 and 2026-02-30 as March 2. */
function isoTime(flag: string, value: string): string {
  const t = Date.parse(value);
  if (!isDateTime(value) || !Number.isFinite(t))
    throw InputError.flag(flag, `expected an ISO 8601 time, e.g. 2026-11-28T16:00:00Z; got ${quotedInput(value)}`);
  return new Date(t).toISOString();
}

/** --time, else $CI_COMMIT_TIMESTAMP, checked alike: a time the store's reader refuses would break the store. */
function entryTime(flag: string | undefined): string | undefined {
  if (flag) return isoTime('--time', flag);
  const ci = ciTime();
  return ci === undefined ? undefined : isoTime('CI_COMMIT_TIMESTAMP (environment)', ci);
}

export function registerHistory(program: Command, io: Io, done: (code: number) => void): void {
  const history = program
    .command('history')
    .description('keep runs across commits in a store that lives in git, and draw them');
  history
    .command('add')
    .description('append a run (a run report, or a gate from --gate-json) to the store, keyed by commit and time')
    .argument('<report>', 'run report JSON, or the gate JSON of run/compare --gate-json')
    .requiredOption('--store <path>', 'a .jsonl file (one line per run) or a folder (one file per run)')
    .option('--commit <sha>', 'the commit measured (default: $GITHUB_SHA, $CI_COMMIT_SHA, ... or git rev-parse HEAD)')
    .option('--ref <ref>', 'branch or ref (default: $GITHUB_REF, $CI_COMMIT_REF_NAME, ... or the current branch)')
    .option('--time <iso>', "when it was measured (default: $CI_COMMIT_TIMESTAMP or the report's createdAt)")
    .addOption(new Option('--gate <verdict>', "the gate's verdict for a plain run report").choices(['pass', 'fail']))
    .action(
      (file: string, opts: { store: string; commit?: string; ref?: string; time?: string; gate?: 'pass' | 'fail' }) => {
        // A store that is the report itself (or holds it, as a folder's file) would have a line appended to it.
        assertDistinctOutputs([['--store', opts.store]], [['the <report> it reads', file]]);
        assertStorePath(opts.store, '--store');
        // Where it is written, checked now: a store under a file failed at mkdir after the report was read (exit 3).
        const folder = isFileStore(opts.store) ? dirname(resolve(opts.store)) : opts.store;
        assertWritableDir(folder, '--store', 'the history store');
        const [commitFlag, refFlag] = [
          checked('--commit', opts.commit, commitProblem),
          checked('--ref', opts.ref, refProblem),
        ];
        const doc = readDocument(file);
        if (doc.kind !== 'trackbench-run' && doc.kind !== 'trackbench-gate')
          throw new InputError([{ file, message: `history keeps run reports and gates, not ${doc.kind}` }]);
        const commit = commitFlag ?? ciCommit();
        if (!commit) throw InputError.flag('--commit', 'no commit found in the CI environment or git; pass --commit');
        const time = entryTime(opts.time);
        // a ref (or commit) may carry a credential (a URL with a token): the store, kept in git, must not
        const entry = redactDeep(
          entryOf(doc, {
            commit,
            ref: refFlag ?? ciRef(),
            ...(time ? { time } : {}),
            ...(opts.gate ? { gate: opts.gate } : {}),
          }),
          credentialsFromEnv().secrets,
        );
        const r = addToStore(opts.store, entry);
        io.out(
          r.added
            ? `history: added ${entry.scenario} at ${commit.slice(0, 12)} (${entry.time}) to ${r.where}`
            : `history: ${entry.scenario} at ${commit.slice(0, 12)} (${entry.time}) is already in ${opts.store}`,
        );
        done(0);
      },
    );
  history
    .command('html')
    .description("draw each hook's per-node cost and API calls over commits, marking where the gate fired")
    .requiredOption('--store <path>', 'the history store (.jsonl file or folder)')
    .requiredOption('--html <file>', 'the HTML file to write')
    .option('--scenario <name>', 'only this scenario')
    .action((opts: { store: string; html: string; scenario?: string }) => {
      assertDistinctOutputs([['--html', opts.html]], [['the --store it reads', opts.store]]);
      assertWritableFile(opts.html, '--html');
      assertStorePath(opts.store, '--store');
      const all = readStore(opts.store);
      if (!all.length) throw InputError.flag('--store', `${opts.store} holds no runs`);
      const entries = opts.scenario ? all.filter((e) => e.scenario === opts.scenario) : all;
      if (!entries.length)
        throw InputError.flag(
          '--scenario',
          `no runs of "${opts.scenario}" in the store (it has: ${scenarioNames(all).join(', ')})`,
        );
      writeHtml(opts.html, renderHistoryHtml(entries));
      io.out(`html: ${opts.html} (${entries.length} runs)`);
      done(0);
    });
}
