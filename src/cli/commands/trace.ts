import { quotedInput } from '../../common/terminal-text.ts';
import { Option, type Command } from 'commander';
import { InputError } from '../../errors.ts';
import { pendingWorkMessage } from '../../measure/pending-work.ts';
import { trace, type TraceResult } from '../../measure/trace.ts';
import { VALUE_KINDS } from '../../measure/trial-types.ts';
import type { HookRef, Scenario } from '../../scenario/types.ts';
import { INJECTED_FAILURE } from '../../pipeline/work.ts';
import { closest } from '../../common/suggest.ts';
import { BUILTIN_HOOKS, logsValues } from '../../tracking/registry.ts';
import { hooksRunInProcess } from '../exit.ts';
import type { Io } from '../io.ts';
import { prepareScenario, withHooks } from '../prepare.ts';

export function registerTrace(program: Command, io: Io, done: (code: number) => void): void {
  program
    .command('trace')
    .description(
      'run the pipeline once with one hook against the embedded mock MLflow and show what the hook sent ' +
        '(a command: or kind: kedro hook in its own process, as a trial)',
    )
    .argument('<scenario>', 'scenario YAML file')
    .option(
      '--hook <name>',
      "a hook of the scenario (by label), a built-in name or module:<path> (default: the scenario's first hook)",
    )
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option(
      '--cold',
      'trace the first run against an empty server ' +
        '(by default an earlier run has already created the experiment and registered models)',
    )
    .action(async (file: string, opts: { hook?: string; format: 'text' | 'json'; cold?: boolean }) => {
      const { scenario } = prepareScenario(file);
      const ref = pickHook(scenario, opts.hook);
      // The hook runs in this process: a timer it leaves (one that throws, too) must not hold the exit.
      hooksRunInProcess();
      const result = await trace(scenario, ref, { cold: opts.cold, warn: (m) => io.err(m) });
      io.out(opts.format === 'json' ? JSON.stringify(result) : formatTrace(result));
      // As a failed trial in `run`: a pipeline that raised is no trace to rely on (the scenario's own failAt aside).
      // The runner's own error, not a hook's that quotes it.
      const injected =
        (scenario.pipeline.failAt ?? null) !== null && result.pipelineError?.startsWith(INJECTED_FAILURE);
      if (result.pipelineError && !injected) return done(3);
      if (result.pendingWork) {
        io.err(`trace: ${pendingWorkMessage(result.pendingWork)}`);
        return done(3);
      }
      // As in `run`: values produced and not found on the server fail, unless the scenario expects loss.
      const lost = VALUE_KINDS.filter((k) => result.lost[k] > 0);
      if (lost.length && logsValues(ref) && !scenario.regression.expectLoss) {
        io.err(`trace: lost ${lost.map((k) => `${result.lost[k]} of ${result.generated[k]} ${k}`).join(', ')}`);
        return done(1);
      }
      done(0);
    });
}

function pickHook(scenario: Scenario, wanted: string | undefined): HookRef {
  const hooks = scenario.hooks;
  // a valid scenario has at least one hook (schema minItems)
  if (!wanted) return hooks[0]!;
  const fromScenario = hooks.find((h) => h.label === wanted || h.name === wanted);
  if (fromScenario) return fromScenario;
  // As `run --hook`: a module path from the current folder, checked (a missing file is bad input).
  if (wanted.startsWith('module:') || BUILTIN_HOOKS[wanted]) return withHooks(scenario, wanted).hooks[0]!;
  const hint = closest(wanted, [...Object.keys(BUILTIN_HOOKS), ...hooks.map((h) => h.label)]);
  throw InputError.flag('--hook', `unknown hook ${quotedInput(wanted)}${hint ? ` (did you mean "${hint}"?)` : ''}`);
}

export function formatTrace(r: TraceResult): string {
  const lines = [
    `hook ${r.hook}: ${r.apiCalls} API calls, ${r.requestBytes} request bytes, ${r.errors} error answers, ` +
      `${r.runs} run(s)${r.warm ? ' (steady state: experiment and models existed)' : ' (cold: empty server)'}`,
  ];
  if (r.pipelineError) lines.push(`pipeline failed: ${r.pipelineError}`);
  lines.push('', '  endpoint                       calls');
  for (const [endpoint, n] of Object.entries(r.byEndpoint).sort((a, b) => b[1] - a[1]))
    lines.push(`  ${endpoint.padEnd(30)} ${String(n).padStart(5)}`);
  lines.push('', '  values      generated  delivered  lost');
  for (const k of ['params', 'metrics', 'tags', 'artifacts', 'models'] as const) {
    // A hook in its own process does not say which tags it meant to log: only what reached MLflow is known.
    const unknown = r.external && k === 'tags';
    lines.push(
      `  ${k.padEnd(10)} ${(unknown ? '-' : String(r.generated[k])).padStart(10)} ` +
        `${String(r.delivered[k]).padStart(10)} ${(unknown ? '-' : String(r.lost[k])).padStart(5)}`,
    );
  }
  if (r.spilled) lines.push('', `${r.spilled} value(s) written to ${r.spillFile} (trackbench replay ${r.spillFile})`);
  return lines.join('\n');
}
