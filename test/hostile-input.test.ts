// Inputs found by fuzzing the CLI that once crashed it, replaced files it should not touch, or leaked a
// credential: each is now bad input (exit 2, located, nothing written) or scrubbed.
import { execFileSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cli } from './helpers/io.ts';
import { redactDeep } from '../src/mlflow/auth.ts';
import { MlflowClient } from '../src/mlflow/client.ts';
import { generatePipeline } from '../src/pipeline/generate.ts';
import { parseScenario } from '../src/scenario/load.ts';
import { readSpillFile } from '../src/tracking/delivery/spill-file.ts';
import { InputError } from '../src/errors.ts';

const dir = (): string => mkdtempSync(join(tmpdir(), 'tb-hostile-'));
const TINY = 'name: tiny\npipeline: {nodes: 3, paramsPerNode: {count: 2}, metricsPerNode: 1}\nhooks: [noop]\n';

describe('output paths', () => {
  it('a FIFO, a device or a symbolic link as an output file is refused before any work, left as it was', async () => {
    const d = dir();
    writeFileSync(join(d, 's.yaml'), `${TINY}trials: {repetitions: 1, warmup: 0, quickRepetitions: 1}\n`);
    execFileSync('mkfifo', [join(d, 'fifo')]);
    writeFileSync(join(d, 'target.html'), 'keep me');
    symlinkSync(join(d, 'target.html'), join(d, 'link.html'));
    for (const [flag, path] of [
      ['--html', join(d, 'fifo')],
      ['--html', '/dev/null'],
      ['--junit', join(d, 'link.html')],
    ] as const) {
      const r = await cli(['run', join(d, 's.yaml'), '--quick', '--out', join(d, 'out'), flag, path]);
      expect(r.code, r.err).toBe(2);
      expect(r.err).toMatch(new RegExp(`${flag} .*(not a regular file|a symbolic link)`));
    }
    expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
    expect(lstatSync(join(d, 'fifo')).isFIFO()).toBe(true);
    expect(lstatSync(join(d, 'link.html')).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(d, 'target.html'), 'utf8')).toBe('keep me');
    expect(existsSync(join(d, 'out')) ? readdirSync(join(d, 'out')) : []).toEqual([]);
  });

  it('a file name too long for its temp name is refused before any work', async () => {
    const d = dir();
    writeFileSync(join(d, 's.yaml'), TINY);
    const r = await cli([
      'run',
      join(d, 's.yaml'),
      '--quick',
      '--out',
      join(d, 'out'),
      '--html',
      `${'a'.repeat(250)}.x`,
    ]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--html the file name');
  });

  it('a history store that is a FIFO is refused (exit 2), not read as a folder', async () => {
    const d = dir();
    execFileSync('mkfifo', [join(d, 'store.jsonl')]);
    const r = await cli(['history', 'html', '--store', join(d, 'store.jsonl'), '--html', join(d, 'h.html')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--store');
  });
});

describe('history store lines edited by hand', () => {
  it('values of the wrong type or range are bad input at file:line, not a crash while drawing', async () => {
    const good = {
      commit: 'abc123',
      time: '2026-12-06T10:00:00.000Z',
      ref: null,
      scenario: 's',
      nodes: 50,
      gate: null,
      hooks: { noop: { wallMsPerNode: 1, wallOverhead: 0.1, wallOverheadCi95: [0, 0.2], apiCalls: 0 } },
    };
    for (const [edit, why] of [
      [{ hooks: { noop: { ...good.hooks.noop, wallMsPerNode: 'abc' } } }, 'hooks.noop.wallMsPerNode'],
      [{ hooks: { noop: 5 } }, 'hooks.noop must be an object'],
      [{ nodes: -1 }, 'nodes must be'],
      [{ time: 'garbage' }, 'time must be'],
    ] as const) {
      const d = dir();
      writeFileSync(join(d, 'h.jsonl'), `${JSON.stringify(good)}\n${JSON.stringify({ ...good, ...edit })}\n`);
      const r = await cli(['history', 'html', '--store', join(d, 'h.jsonl'), '--html', join(d, 'h.html')]);
      expect(r.code, why).toBe(2);
      expect(r.err).toMatch(new RegExp(`h\\.jsonl:2:1 .*${why.replaceAll('.', '\\.')}`));
      expect(existsSync(join(d, 'h.html'))).toBe(false);
    }
  });
});

describe('scenarios that once ran out of memory', () => {
  it('a random topology with an edge probability too small for 1 - p generates (no edges), at once', () => {
    for (const p of [1e-17, 1e-320]) {
      const { scenario } = parseScenario(
        `name: a\npipeline: {nodes: 50, topology: {kind: random, edgeProbability: ${p}}}\n`,
      );
      expect(generatePipeline(scenario.pipeline).nodes).toHaveLength(50);
    }
  });

  it('a negative budget, which no figure could meet (or only by noise), is refused at its line and column', () => {
    for (const [budget, field] of [
      ['apiCalls: {max: -1}', 'max'],
      ['wallMs: {overhead: -0.05}', 'overhead'],
      ['requestBytes: {perNode: -1}', 'perNode'],
    ]) {
      const text = `name: a\npipeline: {nodes: 5}\nbudgets:\n  ${budget}\n`;
      expect(() => parseScenario(text, 's.yaml'), budget).toThrow(new RegExp(`s\\.yaml:4:\\d+ .*${field}.*>= 0`));
    }
    expect(parseScenario('name: a\npipeline: {nodes: 5}\nbudgets: {apiCalls: {max: 0}}\n').scenario.budgets).toEqual({
      apiCalls: { max: 0 },
    });
  });

  it('string parameters too long for memory are over the size budget', () => {
    const text =
      'name: a\npipeline: {nodes: 5, paramsPerNode: {count: 1000, kinds: {number: 0, string: 1}, ' +
      'stringLength: 1000000}}\n';
    expect(() => parseScenario(text, 's.yaml')).toThrow(/string parameters would hold about 5,000,000,000 characters/);
  });

  it('sweep checks the scenario again at each size (bounds and budgets depend on the node count)', async () => {
    const d = dir();
    writeFileSync(
      join(d, 's.yaml'),
      'name: s\npipeline: {nodes: 20, namespaces: {count: 10}, failAt: 15}\nhooks: [noop]\n' +
        'trials: {repetitions: 1, warmup: 0, quickRepetitions: 1}\n',
    );
    const r = await cli(['sweep', join(d, 's.yaml'), '--nodes', '20,2', '--quick', '--out', join(d, 'out')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('at 2 nodes (--nodes)');
    expect(existsSync(join(d, 'out')) ? readdirSync(join(d, 'out')) : []).toEqual([]);
  });
});

describe('flags', () => {
  it('bench refuses a time per task past 10 minutes (1e400 would run for ever) and an unknown format', async () => {
    const d = dir();
    writeFileSync(join(d, 's.yaml'), TINY);
    for (const [flag, value] of [
      ['--time', '1e400'],
      ['--time', 'Infinity'],
      ['--format', 'xml'],
    ]) {
      const r = await cli(['bench', join(d, 's.yaml'), '--hook', 'naive', flag!, value!]);
      expect(r.code, `${flag} ${value}`).toBe(2);
      expect(r.err).toContain(flag);
    }
  });
});

describe('commands', () => {
  it('a command: hook longer than the system takes as one argument is bad input, not a crash at spawn', async () => {
    const d = dir();
    writeFileSync(join(d, 's.yaml'), `name: a\npipeline: {nodes: 3}\nhooks: ["command:true ${'#'.repeat(200_000)}"]\n`);
    const r = await cli(['validate', join(d, 's.yaml')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('the command is longer than');
  });
});

describe('names that are built-in object properties', () => {
  it('a hook labelled toString or __proto__, or a hook named twice with --hook, is bad input', async () => {
    for (const label of ['toString', 'constructor', '__proto__']) {
      const text = `name: a\npipeline: {nodes: 3}\nhooks: [noop, {name: reference, label: "${label}"}]\n`;
      const d = dir();
      writeFileSync(join(d, 's.yaml'), text);
      const r = await cli(['validate', join(d, 's.yaml')]);
      expect(r.code, label).toBe(2);
      expect(r.err).toContain('built-in object property');
    }
    const d = dir();
    writeFileSync(join(d, 's.yaml'), TINY);
    const r = await cli(['run', join(d, 's.yaml'), '--quick', '--hook', 'reference,reference', '--out', join(d, 'o')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('named twice');
  });

  it('a report read back with such a key (results.constructor) is refused, located', async () => {
    const d = dir();
    writeFileSync(join(d, 's.yaml'), `${TINY}trials: {repetitions: 2, warmup: 0, quickRepetitions: 2}\n`);
    expect((await cli(['run', join(d, 's.yaml'), '--quick', '--out', join(d, 'out')])).code).toBe(0);
    const file = join(
      d,
      'out',
      readdirSync(join(d, 'out')).find((f) => f.endsWith('.json'))!,
    );
    const report = JSON.parse(readFileSync(file, 'utf8')) as { results: Record<string, unknown> };
    Object.defineProperty(report.results, 'constructor', { value: report.results.noop, enumerable: true });
    writeFileSync(join(d, 'edited.json'), JSON.stringify(report, null, 2));
    const r = await cli(['compare', file, join(d, 'edited.json')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/edited\.json:\d+:\d+ .*"constructor" is the name of a built-in object property/);
  }, 60_000);
});

describe('credentials', () => {
  it('are scrubbed from keys too (a hook labelled with one), and from whatever a command prints', () => {
    expect(redactDeep({ results: { 'see http://u:pw@h/x': 1, s3cr3tpass: 2 } }, ['s3cr3tpass'])).toEqual({
      results: { 'see http://***@h/x': 1, '***': 2 },
    });
    const d = dir();
    writeFileSync(join(d, 's.yaml'), TINY.replace('name: tiny', 'name: proj-s3cr3tpass'));
    const saved = process.env.MLFLOW_TRACKING_PASSWORD;
    process.env.MLFLOW_TRACKING_PASSWORD = 's3cr3tpass';
    try {
      // the process's own printer (main's default), which scrubs
      const out = execFileSync(process.execPath, ['bin/trackbench.js', 'validate', join(d, 's.yaml')], {
        encoding: 'utf8',
      });
      expect(out).not.toContain('s3cr3tpass');
      expect(out).toContain('proj-***');
    } finally {
      if (saved === undefined) delete process.env.MLFLOW_TRACKING_PASSWORD;
      else process.env.MLFLOW_TRACKING_PASSWORD = saved;
    }
  });
});

describe('replay', () => {
  it("refuses an artifact path that leaves the run's folder, and base64 that is not", () => {
    const d = dir();
    const run = '{"type":"run","run":"r1","experimentName":"e","runName":"n","runId":null,"tags":[]}';
    for (const [line, why] of [
      ['{"type":"artifact","run":"r1","path":"../../OTHER/artifacts/m.pkl","base64":"aGk="}', 'relative path'],
      ['{"type":"artifact","run":"r1","path":"/abs/m.pkl","base64":"aGk="}', 'relative path'],
      ['{"type":"artifact","run":"r1","path":"a/m.pkl","base64":"!!!notbase64"}', 'not base64'],
    ]) {
      writeFileSync(join(d, 'spill.jsonl'), `${run}\n${line}\n`);
      let err: unknown;
      try {
        readSpillFile(join(d, 'spill.jsonl'));
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(InputError);
      expect(String((err as InputError).message)).toContain(why);
    }
  });

  it('the client never sends an artifact path with a `..` part', async () => {
    const client = new MlflowClient({ trackingUri: 'http://127.0.0.1:9', retry: { maxRetries: 0 } });
    await expect(
      client.uploadArtifact('mlflow-artifacts:/1/r/artifacts', '../x/m.pkl', Buffer.from('x')),
    ).rejects.toThrow(/leaves the run's artifact folder/);
    client.close();
  });
});

describe('flags and files a fuzzing red-team found accepted', () => {
  const SMALL = `${TINY}trials: {repetitions: 1, warmup: 0, quickRepetitions: 1}\n`;
  /** The entries of `d` other than those the test wrote itself. */
  const created = (d: string, own: string[]): string[] => readdirSync(d).filter((f) => !own.includes(f));

  it('an empty (or blank) flag value or argument is bad input naming it, for every command', async () => {
    const d = dir();
    writeFileSync(join(d, 's.yaml'), SMALL);
    const s = join(d, 's.yaml');
    const out = join(d, 'out');
    const cases: [string, string[]][] = [
      ['--shard', ['run', s, '--quick', '--out', out, '--shard', '']],
      ['--hook', ['run', s, '--quick', '--out', out, '--hook', '']],
      ['--out', ['run', s, '--quick', '--out', '']],
      ['--junit', ['run', s, '--quick', '--out', out, '--junit', '']],
      ['--save-baseline', ['run', s, '--quick', '--out', out, '--save-baseline', ' ']],
      ['--shard', ['sweep', s, '--nodes', '3', '--quick', '--out', out, '--shard', '']],
      ['--summary', ['compare', s, s, '--summary', '']],
      ['--target', ['conformance', '--target', '', '--out', out]],
      ['--config', ['conformance', '--target', 'builtin:reference', '--config', '', '--out', out]],
      ['--hook', ['trace', s, '--hook', '']],
      ['--hook', ['bench', s, '--hook', '']],
      ['--tracking-uri', ['replay', s, '--tracking-uri', '']],
      ['--commit', ['history', 'add', s, '--store', join(d, 'h.jsonl'), '--commit', '']],
      ['--scenario', ['history', 'html', '--store', join(d, 'h.jsonl'), '--html', join(d, 'h.html'), '--scenario', '']],
      ['--html', ['report', s, '--html', '']],
      ['--out', ['merge', s, '--out', '']],
      ['<scenario>', ['validate', '']],
    ];
    for (const [flag, args] of cases) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.err, args.join(' ')).toContain(`${flag} ${flag.startsWith('<') ? 'is empty' : 'needs a value'}`);
    }
    expect(created(d, ['s.yaml'])).toEqual([]);
  });

  it('sweep refuses a size given twice', async () => {
    const d = dir();
    writeFileSync(join(d, 's.yaml'), SMALL);
    const r = await cli(['sweep', join(d, 's.yaml'), '--nodes', '3,5,3', '--quick', '--out', join(d, 'out')]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--nodes each size once; 3 is given more than once');
    expect(created(d, ['s.yaml'])).toEqual([]);
  });

  it('two outputs naming one path, or an output naming an input, are refused before anything is written', async () => {
    const d = dir();
    writeFileSync(join(d, 's.yaml'), SMALL);
    mkdirSync(join(d, 'sub'));
    symlinkSync(join(d, 'sub'), join(d, 'link'));
    const s = join(d, 's.yaml');
    const out = join(d, 'out');
    const cases: [string, string[]][] = [
      ['--summary names the same path as --junit', ['--summary', join(d, 'f'), '--junit', join(d, 'f')]],
      ['--gate-json names the same path as --junit', ['--junit', join(d, 'g'), '--gate-json', join(d, 'x', '..', 'g')]],
      [
        '--html names the same path as --save-baseline',
        ['--save-baseline', join(d, 'sub/b'), '--html', join(d, 'link/b')],
      ],
      ['--html names the same path as --out', ['--html', out]],
      ['--junit names a scenario file', ['--junit', s]],
    ];
    for (const [message, flags] of cases) {
      const r = await cli(['run', s, '--quick', '--out', out, ...flags]);
      expect(r.code, flags.join(' ')).toBe(2);
      expect(r.err, flags.join(' ')).toContain(message);
    }
    const compare = await cli(['compare', join(d, 'a.json'), s, '--html', join(d, 'a.json'), '--summary', s]);
    expect(compare.code).toBe(2);
    expect(compare.err).toContain('--html names the input <baseline>');
    expect(compare.err).toContain('--summary names the input <current>');
    const report = await cli(['report', s, '--html', s]);
    expect(report.err).toContain('--html names an input report');
    const history = await cli(['history', 'html', '--store', join(d, 'h.jsonl'), '--html', join(d, 'h.jsonl')]);
    expect(history.err).toContain('--html names the --store it reads');
    const sweep = await cli(['sweep', s, '--nodes', '3', '--out', out, '--html', out]);
    expect(sweep.err).toContain('--html names the same path as --out');
    expect(readFileSync(s, 'utf8')).toBe(SMALL);
    expect(created(d, ['s.yaml', 'sub', 'link'])).toEqual([]);
    expect(readdirSync(join(d, 'sub'))).toEqual([]);
  });

  it('no folder is created for an output when a later flag or the scenario is refused', async () => {
    const d = dir();
    writeFileSync(join(d, 's.yaml'), SMALL);
    writeFileSync(join(d, 'bad.yaml'), 'name: bad\npipeline: {nodes: 0}\nhooks: [noop]\n');
    execFileSync('mkfifo', [join(d, 'fifo')]);
    const s = join(d, 's.yaml');
    const runs = [
      ['run', s, '--quick', '--out', join(d, 'new', 'out'), '--html', join(d, 'fifo')],
      ['run', s, '--quick', '--junit', join(d, 'j', 'j.xml'), '--html', join(d, 'fifo')],
      ['sweep', join(d, 'bad.yaml'), '--nodes', '3', '--out', join(d, 'sw'), '--html', join(d, 'h', 'h.html')],
      ['conformance', '--target', 'builtin:reference', '--out', join(d, 'c'), '--html', join(d, 'fifo')],
    ];
    for (const args of runs) {
      const r = await cli(args);
      expect(r.code, args.join(' ')).toBe(2);
    }
    expect(created(d, ['s.yaml', 'bad.yaml', 'fifo'])).toEqual([]);
  });

  it("mlflow.yml problems from --config are located at file:line:col, as a conf folder's are", async () => {
    const d = dir();
    const config = join(d, 'mlflow.yml');
    writeFileSync(config, 'tracking:\n  params:\n    long_params_strategy: bogus\n');
    const r = await cli(['conformance', '--target', 'builtin:reference', '--config', config, '--out', join(d, 'o')]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(
      /mlflow\.yml:3:27 tracking\.params\.long_params_strategy: must be one of fail, tag, truncate/,
    );
    // a billion laughs is refused at its first alias, as in scenario files
    const levels = [...'bcdefghij'].map((k, i) => `${k}: &${k} [${`*${'abcdefghij'[i]}, `.repeat(10)}]`);
    writeFileSync(config, `a: &a [x, x, x, x, x, x, x, x, x, x]\n${levels.join('\n')}\n`);
    const laughs = await cli([
      'conformance',
      '--target',
      'builtin:reference',
      '--config',
      config,
      '--out',
      join(d, 'o'),
    ]);
    expect(laughs.code).toBe(2);
    expect(laughs.err).toMatch(/mlflow\.yml:2:\d+ .*alias/);
    expect(created(d, ['mlflow.yml'])).toEqual([]);
  });

  it('YAML merge keys and a second document are refused at file:line:col in scenarios and mlflow.yml', async () => {
    const d = dir();
    const merge = 'name: m\ndefaults: &d {nodes: 3}\npipeline:\n  <<: *d\nhooks: [noop]\n';
    const twoDocs = `${TINY}---\nname: other\n`;
    const mergeDiag = (text: string): string => {
      try {
        parseScenario(text, 's.yaml');
      } catch (err) {
        if (err instanceof InputError) return err.message;
      }
      return 'accepted';
    };
    expect(mergeDiag(merge)).toContain('s.yaml:4:3 YAML merge keys (`<<: *anchor`) are not supported');
    // inside options, where any key goes, a merge key would otherwise become a hook option named "<<"
    const hooks = 'hooks: [{name: reference, options: &o {a: 1}}, {name: naive, options: {<<: *o}}]';
    const inOptions = TINY.replace('hooks: [noop]', hooks);
    expect(mergeDiag(inOptions)).toMatch(/s\.yaml:3:\d+ YAML merge keys/);
    // A tag beyond YAML's core types was dropped (an unknown one) or made a value JSON has not (a binary, a set).
    for (const tagged of ['!custom reference', '!!js/function reference', '!!binary aGk=', '!!set {reference}'])
      expect(mergeDiag(TINY.replace('hooks: [noop]', `hooks: [${tagged}]`)), tagged).toMatch(
        /s\.yaml:3:9 the YAML tag !{1,2}[a-z/]+ is not supported/,
      );
    // the core tags say what the value already is
    expect(mergeDiag(TINY.replace('hooks: [noop]', 'hooks: [!!str noop]'))).toBe('accepted');
    expect(mergeDiag(twoDocs)).toContain('s.yaml:4:1 a second YAML document starts here');
    expect(mergeDiag(twoDocs)).not.toContain('parseAllDocuments');
    // a quoted "<<" is an ordinary key
    expect(mergeDiag(`${TINY.replace('hooks: [noop]', 'hooks: [{name: reference, options: {"<<": 1}}]')}`)).not.toMatch(
      /merge keys/,
    );

    const config = join(d, 'mlflow.yml');
    for (const [text, where, what] of [
      ['tracking: &t {run: {nested: true}}\ntrackbench:\n  <<: *t\n', ':3:3', 'YAML merge keys'],
      ['tracking: {run: {nested: true}}\n---\ntracking: {run: {nested: false}}\n', ':2:1', 'a second YAML document'],
    ] as const) {
      writeFileSync(config, text);
      const r = await cli(['conformance', '--target', 'builtin:reference', '--config', config, '--out', join(d, 'o')]);
      expect(r.code, text).toBe(2);
      expect(r.err, text).toContain(`${config}${where} ${what}`);
    }
    expect(created(d, ['mlflow.yml'])).toEqual([]);
  });
});
