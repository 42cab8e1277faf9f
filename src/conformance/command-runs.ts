// What a command target learns over the processes of one situation (one process, or one a pipeline run when the
// command runs its pipeline once whatever it is asked): each pipeline run's window and nodes, the runner that ran
// it, what the hooks were found to change, and each process's exit, timed from the end of the last run it said.
import { readNodeWindows, readRunFacts, type RunFacts } from './ran-order.ts';
// types only: targets.ts builds a CommandRuns
import type { TargetRun } from './targets.ts';
import type { PipelineTiming, RunWindow } from './types.ts';

type Exit = NonNullable<TargetRun['exits']>[number];

export class CommandRuns {
  private readonly outputs: string[] = [];
  private readonly timing: PipelineTiming[] = [];
  private runner?: string;
  // Known only when every run said what it compared.
  private hookChanges: string[] | undefined = [];
  private inputOverrides: string[] | undefined = [];
  // Known only when every run said when its pipeline run ended: how long its process outlived it.
  private exits: Exit[] | undefined = [];

  /** What a process printed. */
  output(text: string): void {
    this.outputs.push(text);
  }

  /**
   * One pipeline run a process said it ran (its part of the nodes file). Its window is the one it says, if within
   * the process's `life`, else that whole life; its nodes' windows are known when it wrote their start times.
   */
  run(runFile: string, life: RunWindow): { said: RunFacts; within?: RunWindow } {
    const said = readRunFacts(runFile);
    this.runner = said.runner ?? this.runner;
    this.hookChanges = this.hookChanges && said.changed && [...this.hookChanges, ...said.changed];
    this.inputOverrides = this.inputOverrides && said.overridden && [...this.inputOverrides, ...said.overridden];
    const w = said.window;
    const within = w && w.startMs >= life.startMs && w.endMs <= life.endMs ? w : undefined;
    this.timing.push({ window: within ?? life, nodes: readNodeWindows(runFile) });
    return { said, within };
  }

  /** A process's exit after its last run; unknown (and so every exit) when that run said no end. */
  exit(exit: Exit | undefined): void {
    this.exits = this.exits && exit && [...this.exits, exit];
  }

  /** The situation's outcome, with everything learnt from its processes. */
  result(outcome: Pick<TargetRun, 'completedNodes' | 'failedNode' | 'pipelineError' | 'interrupt'>): TargetRun {
    return {
      ...outcome,
      output: this.outputs.join('\n'),
      timing: this.timing,
      runner: this.runner,
      hookChanges: this.hookChanges,
      inputOverrides: this.inputOverrides,
      exits: this.exits,
    };
  }
}
