// Requirements: the run-level tags of every top-level run, in every situation, state what ran. The expected
// values come from what trackbench ran (pipeline, runner, node count), not from any hook's code; the
// command is rebuilt the way kedro-mlflow's _generate_kedro_command writes it.
import type { RunState } from '../../mlflow/readback.ts';
import type { Finding, Observation, Requirement } from '../types.ts';
import { pipelineRunViews } from './expected.ts';
import { list, skip, verdict } from './queries.ts';

/** What a run-level tag is about, from its key's last dot-separated part (`kedro.runner`, `pipeline_names`). */
type About = 'pipeline' | 'command' | 'runner' | 'nodeCount';
const ABOUT: Record<string, About> = {
  pipelinename: 'pipeline',
  pipelinenames: 'pipeline',
  kedrocommand: 'command',
  command: 'command',
  runner: 'runner',
  kedrorunner: 'runner',
  nodecount: 'nodeCount',
  nodescount: 'nodeCount',
  numnodes: 'nodeCount',
  nnodes: 'nodeCount',
};
/** Kedro's runner classes: a runner tag naming another than the one that ran is false. */
const RUNNERS = ['SequentialRunner', 'ParallelRunner', 'ThreadRunner'];

function aboutOf(key: string): About | undefined {
  if (key.startsWith('mlflow.')) return undefined;
  return ABOUT[(key.split('.').pop() ?? '').toLowerCase().replace(/[_-]/g, '')];
}

/** The run-level tags of a run, by what they are about. */
function runLevelTags(r: RunState): { key: string; value: string; about: About }[] {
  return (r.run.data.tags ?? []).flatMap((t) => {
    const about = aboutOf(t.key);
    return about ? [{ ...t, about }] : [];
  });
}

/** The pipeline name, or a list of exactly that name (Kedro 1's `pipeline_names`, as JSON or Python's str()). */
export function namesPipeline(value: string, name: string): boolean {
  if (value === name) return true;
  if (!value.trim().startsWith('[')) return false;
  try {
    const parsed: unknown = JSON.parse(value.replace(/'/g, '"'));
    return Array.isArray(parsed) && parsed.length === 1 && parsed[0] === name;
  } catch {
    return false;
  }
}

/** What is wrong with a `kedro run ...` command for this run (undefined: it is the command that ran). The whole
 * pipeline ran, so its only options are `--pipeline` (`-p`) naming it (none for `__default__`) and, when the
 * runner is known, `--runner` (`-r`) naming that runner. */
function commandProblem(value: string, o: Observation): string | undefined {
  const words = value.trim().split(/\s+/);
  if (words[0] !== 'kedro' || words[1] !== 'run') return 'not a `kedro run` command';
  const options = new Map<string, string>();
  for (let i = 2; i < words.length; i++) {
    const w = words[i]!;
    const eq = w.indexOf('=');
    const flag = eq > 0 ? w.slice(0, eq) : w;
    const arg = eq > 0 ? w.slice(eq + 1) : words[++i];
    const name = flag === '-p' ? '--pipeline' : flag === '-r' ? '--runner' : flag;
    if (arg === undefined || options.has(name)) return `option ${flag} repeated or without a value`;
    options.set(name, arg);
  }
  const pipeline = options.get('--pipeline') ?? '__default__';
  if (pipeline !== o.pipeline.name) return `runs pipeline "${pipeline}", not "${o.pipeline.name}"`;
  const runner = options.get('--runner');
  if (runner !== undefined && o.runner !== undefined && !namesRunner(runner, o.runner))
    return `runner ${runner}, not ${o.runner}`;
  const other = [...options.keys()].filter((k) => k !== '--pipeline' && k !== '--runner');
  return other.length ? `options of a partial or other run: ${other.join(', ')}` : undefined;
}

/** The runner class that ran, by name or in Python's str() of it; no other runner class named. */
function namesRunner(value: string, runner: string | undefined): boolean {
  if (!runner) return false;
  const named = RUNNERS.filter((r) => new RegExp(`\\b${r}\\b`).test(value));
  return new RegExp(`\\b${runner}\\b`).test(value) && named.every((r) => r === runner);
}

/** Why a run-level tag is false for the run that was observed, or undefined when it is true (or not checkable). */
function falseTag(t: { value: string; about: About }, o: Observation): string | undefined {
  switch (t.about) {
    case 'pipeline':
      return namesPipeline(t.value, o.pipeline.name) ? undefined : `names pipeline ${t.value}`;
    case 'command':
      return commandProblem(t.value, o);
    case 'runner':
      return o.runner === undefined || namesRunner(t.value, o.runner) ? undefined : `${o.runner} ran`;
    case 'nodeCount':
      return /^\s*\d+\s*$/.test(t.value) && Number(t.value) === o.pipeline.nodes.length
        ? undefined
        : `the pipeline has ${o.pipeline.nodes.length} nodes`;
  }
}

/** Each top-level run's problem (undefined: none), labelled with its pipeline run when there are several. */
function eachTopRun(o: Observation, expected: string, problem: (r: RunState) => string | undefined): Finding {
  const views = pipelineRunViews(o);
  const bad = views.flatMap((v, i) => {
    const p = problem(v.top);
    return p ? [views.length > 1 ? `pipeline run ${i + 1}: ${p}` : p] : [];
  });
  return verdict(
    views.length > 0 && bad.length === 0,
    expected,
    views.length ? (bad.length ? list(bad) : `all ${views.length} tagged`) : 'no run',
  );
}

export const RUN_TAGS: Requirement[] = [
  {
    id: 'TAG-010',
    source:
      'kedro-mlflow MlflowHook.before_pipeline_run: mlflow.set_tags(run_params), pipeline_name (Kedro 0.19) ' +
      'or pipeline_names (Kedro 1), in every run it starts',
    level: 'MUST',
    scenario: 'healthy',
    dependsOn: ['childRunPerNode'],
    features: ['every situation', 'every pipeline run'],
    statement:
      "In every situation, every pipeline run's top-level run is tagged with its pipeline's name (a tag whose " +
      'key names the pipeline: the name, or a list of exactly that name).',
    rationale: 'A run that cannot be traced to its pipeline is lost to whoever looks for it; every run, not the first.',
    check: (o) =>
      eachTopRun(o, `each of ${o.pipelineRuns} top-level runs tagged with pipeline "${o.pipeline.name}"`, (r) =>
        runLevelTags(r).some((t) => t.about === 'pipeline' && namesPipeline(t.value, o.pipeline.name))
          ? undefined
          : `${r.run.info.run_name} has no pipeline tag "${o.pipeline.name}"`,
      ),
  },
  {
    id: 'TAG-011',
    source:
      'kedro-mlflow MlflowHook.before_pipeline_run: mlflow.set_tag("kedro_command", _generate_kedro_command(...)) ' +
      'in every run it starts',
    level: 'SHOULD',
    scenario: 'healthy',
    dependsOn: ['childRunPerNode'],
    features: ['every situation', 'every pipeline run'],
    statement:
      "In every situation, every pipeline run's top-level run is tagged with the command that ran it, exactly " +
      '(`kedro run --pipeline=<name>`: the whole pipeline, no partial-run options).',
    rationale: 'Reproducing a run starts from its command; a command that runs another pipeline reproduces nothing.',
    check: (o) =>
      eachTopRun(o, `each top-level run tagged "kedro run --pipeline=${o.pipeline.name}"`, (r) => {
        const commands = runLevelTags(r).filter((t) => t.about === 'command' || t.value.startsWith('kedro run'));
        if (commands.some((t) => commandProblem(t.value, o) === undefined)) return undefined;
        return commands.length
          ? `${r.run.info.run_name}: ${commands.map((t) => `${t.key}="${t.value}"`).join(', ')}`
          : `${r.run.info.run_name} has no command tag`;
      }),
  },
  {
    id: 'TAG-012',
    source:
      "trackbench's own guarantee: a tag about the run (kedro-mlflow's run_params and kedro_command, the " +
      "reference hook's kedro.runner and trackbench.node_count) states what ran",
    level: 'MUST',
    scenario: 'healthy',
    dependsOn: ['childRunPerNode'],
    features: ['every situation', 'every run', 'the parallel runner'],
    statement:
      'In every situation, every tag a run carries about the pipeline run is true: the pipeline it names, the ' +
      'command, the runner that ran it (when known: trackbench ran it, or the command said) and the number of nodes.',
    rationale:
      'A wrong runner or node count is a false audit record: whoever debugs a parallel-only failure or a ' +
      'missing node trusts these tags.',
    check: (o) => {
      const tags = o.runs.flatMap((r) => runLevelTags(r).map((t) => ({ ...t, run: r.run.info.run_name })));
      // Without the runner that ran, a runner tag cannot be held to anything: it is not counted as true.
      const checked = tags.filter((t) => t.about !== 'runner' || o.runner !== undefined);
      const unchecked = tags.length - checked.length;
      if (!checked.length)
        return skip(
          'every tag about the run true',
          'no run carries a pipeline, command or node-count tag' +
            (unchecked ? ' (a runner tag, but the runner that ran is not known)' : ''),
        );
      const bad = tags.flatMap((t) => {
        const why = falseTag(t, o);
        return why ? [`${t.run} ${t.key}="${t.value}" (${why})`] : [];
      });
      const runner = o.runner ?? 'not known (the command did not say which ran it): runner tags unchecked';
      return verdict(
        bad.length === 0,
        `pipeline "${o.pipeline.name}", ${o.pipeline.nodes.length} nodes, runner ${runner}`,
        bad.length
          ? list(bad)
          : `${checked.length} tags true${unchecked ? `, ${unchecked} runner tag(s) unchecked` : ''}`,
      );
    },
  },
];
