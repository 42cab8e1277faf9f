// Requirements: every run of every situation ended, timed, kept (not deleted) and in the right
// experiment; nothing written to a run after it ended.
import type { Observation, Requirement } from '../types.ts';
import { topRunViews } from './expected.ts';
import { EXIT_GRACE_MS } from '../host-exit.ts';
import { SCENARIOS } from '../scenarios.ts';
import { list, skip, TERMINAL, verdict } from './queries.ts';
import { CLOCK_SLACK_MS } from './windows.ts';

/** Epoch milliseconds of 2001 onwards: a seconds or microseconds clock is not plausible. */
export const plausibleMs = (t: number): boolean => Number.isInteger(t) && t > 1e12 && t < 1e14;
const WRITES = /^(runs\/(log-|set-tag|delete-tag|update)|model-versions\/create|mlflow-artifacts)/;

/** Why the pipeline run counts as failed, shortened for a finding. */
function failedBecause(o: Observation): string {
  const why = o.pipelineError ?? (o.failedNode ? `node ${o.failedNode} failed` : '');
  return why ? `: ${why.length > 200 ? `${why.slice(0, 200)}...` : why}` : '';
}

export const RUN_PER_RUN: Requirement[] = [
  {
    id: 'RUN-010',
    source: 'MLflow REST API docs: RunInfo status, start_time and end_time (Unix ms); runs/update ends a run',
    level: 'MUST',
    scenario: 'healthy',
    features: ['every situation', 'child runs (when the hook makes them)'],
    dependsOn: ['childRunPerNode'],
    statement:
      'In every situation, every run (child runs and extra top-level runs too) ends with the status of what it ' +
      'recorded (FAILED for a failure, else FINISHED; the run of a node FINISHED only if the node completed), ' +
      'a start time in ms and an end time not before it.',
    rationale: 'Status and times are what dashboards, audits and alerts read; each run must be right, not only one.',
    check: (o) => {
      // How many top-level runs there are is RUN-001's: here each one, extra ones too, is ended right.
      const views = topRunViews(o);
      const failed = Boolean(o.pipelineError || o.failedNode);
      if (!views.length) return skip('every run ended, with its status and times', 'no run (see RUN-001)');
      const bad: string[] = [];
      for (const v of views)
        for (const r of v.family) {
          const i = r.run.info;
          const isTop = r === v.top;
          const node = isTop ? undefined : o.pipeline.nodes.find((n) => v.runFor(n) === r);
          // A child run of no node (a plugin's own extra run) is held to ending, whatever its status.
          const want = isTop
            ? failed
              ? 'FAILED'
              : 'FINISHED'
            : node && node.name === o.failedNode
              ? 'FAILED'
              : undefined;
          if (!TERMINAL.has(i.status)) bad.push(`${i.run_name} ${i.status}`);
          else if (want && i.status !== want)
            // A top-level run is expected FAILED because the pipeline did (in a situation that fails none, the command
            // crashed or was stopped): say why, else the finding reads as the plugin's mistake alone.
            bad.push(`${i.run_name} ${i.status} (expected ${want}${isTop && failed ? failedBecause(o) : ''})`);
          else if (!want && !isTop && i.status !== 'FINISHED' && node && o.completedNodes.includes(node.name))
            bad.push(`${i.run_name} ${i.status} (node completed)`);
          else if (!isTop && i.status === 'FINISHED' && node && !o.completedNodes.includes(node.name))
            bad.push(`${i.run_name} FINISHED (its node did not complete)`);
          if (!plausibleMs(i.start_time)) bad.push(`${i.run_name} start_time ${i.start_time}`);
          if (i.end_time === undefined || i.end_time === null || i.end_time < i.start_time || !plausibleMs(i.end_time))
            bad.push(`${i.run_name} end_time ${i.end_time ?? 'unset'} (start ${i.start_time})`);
        }
      return verdict(
        bad.length === 0,
        'every run ended, with its status and times',
        bad.length ? list(bad) : 'all right',
      );
    },
  },
  {
    id: 'RUN-011',
    source: 'MLflow server behaviour: a terminated run still accepts writes, so only the hook can keep this order',
    level: 'MUST',
    scenario: 'healthy',
    features: ['request log'],
    dependsOn: ['childRunPerNode'],
    statement: "No request writes to a run after the request that ended it (the run's terminal update).",
    rationale:
      'Values written after the end fall outside the run window, and a late status update can turn ' +
      'FAILED into FINISHED.',
    check: (o) => {
      if (!o.requestBodies)
        return skip('no write after a run ended', 'the request log holds no bodies: the terminal updates are unknown');
      const ended = new Map<string, number>();
      const late: string[] = [];
      for (const r of o.requests) {
        if (!r.runId || r.method === 'GET' || !WRITES.test(r.endpoint) || r.status >= 400) continue;
        const end = ended.get(r.runId);
        if (end !== undefined) late.push(`${r.endpoint} #${r.seq} after #${end}`);
        else if (
          r.endpoint === 'runs/update' &&
          /"status"\s*:\s*"(FINISHED|FAILED|KILLED)"/.test(r.body?.toString() ?? '')
        )
          ended.set(r.runId, r.seq);
      }
      return verdict(late.length === 0, 'no write after a run ended', late.length ? `late: ${list(late)}` : 'none');
    },
  },
  {
    id: 'RUN-014',
    source:
      'MLflow REST API docs: RunInfo.end_time is when the run ended, Metric.timestamp when the value was recorded ' +
      '(Unix ms)',
    level: 'MUST',
    scenario: 'healthy',
    features: ['every situation', 'child runs (when the hook makes them)', 'metric timestamps'],
    dependsOn: ['childRunPerNode'],
    statement:
      'In every situation with a healthy server, no run ends before a value it holds was recorded: its end_time ' +
      `is not before the timestamp of any metric value in it (${CLOCK_SLACK_MS} ms for clock granularity).`,
    rationale:
      'An end stamped with the start time (a run of no duration) or any time before its last value stays inside ' +
      'the pipeline run, yet every duration and "what was still running" read from the run is wrong.',
    check: (o) => {
      const bad: string[] = [];
      let n = 0;
      for (const r of o.runs) {
        const i = r.run.info;
        const stamps = Object.values(r.metricHistory).flatMap((h) => h.map((m) => m.timestamp));
        // A run never ended is RUN-010's finding.
        if (typeof i.end_time !== 'number' || !stamps.length) continue;
        n++;
        const last = Math.max(...stamps);
        if (last > i.end_time + CLOCK_SLACK_MS)
          bad.push(`${i.run_name} end_time ${i.end_time}, a value stamped ${last - i.end_time} ms later`);
      }
      return verdict(
        bad.length === 0,
        `every run's end_time not before its last metric value (±${CLOCK_SLACK_MS} ms)`,
        bad.length ? `${bad.length} of ${n}: ${list(bad, 2)}` : `${n} runs ended after their values`,
      );
    },
  },
  {
    id: 'RUN-013',
    source:
      'MLflow REST API docs: runs/delete and experiments/delete set lifecycle_stage "deleted" (hidden from search)',
    level: 'MUST',
    scenario: 'every',
    features: [
      'every situation',
      'child runs (when the hook makes them)',
      'deleted runs and experiments read back (view type ALL)',
    ],
    dependsOn: ['childRunPerNode'],
    statement:
      'In every situation, every run the hook created (child runs too) and every experiment it created or logged to ' +
      'stays ' +
      'active (lifecycle_stage "active"): the hook deletes none, failed pipeline runs and earlier runs included.',
    rationale:
      'A deleted run is gone from the UI and every search, and removed for good by `mlflow gc`: a failure ' +
      '"cleaned up" (a failed node\'s child run too) or a previous run replaced is a record lost without anyone ' +
      'asking for it.',
    check: (o) => {
      const deleted = [
        ...o.runs.filter((r) => r.run.info.lifecycle_stage !== 'active').map((r) => `run ${r.run.info.run_name}`),
        ...o.experiments.filter((e) => e.lifecycle_stage !== 'active').map((e) => `experiment ${e.name}`),
      ];
      return verdict(
        deleted.length === 0,
        `every run (${o.runs.length}) and experiment (${o.experiments.length}) active`,
        deleted.length ? `deleted: ${list(deleted)}` : 'all active',
      );
    },
  },
  {
    id: 'EXP-003',
    source: 'kedro-mlflow docs: tracking.experiment.name names the experiment runs are logged to',
    level: 'MUST',
    scenario: 'healthy',
    features: ['every situation'],
    statement: 'Every run is in the experiment of exactly the configured name (created if missing).',
    rationale: 'Runs in a look-alike experiment (another case, a suffix) are not found by whoever looks for them.',
    check: (o) => {
      const exp = o.experiments.find((e) => e.name === o.experimentName);
      const off = o.runs.filter((r) => r.run.info.experiment_id !== exp?.experiment_id).map((r) => r.run.info.run_name);
      const names = [
        ...new Set(
          o.runs.map((r) => o.experiments.find((e) => e.experiment_id === r.run.info.experiment_id)?.name ?? '?'),
        ),
      ];
      return verdict(
        o.runs.length > 0 && exp !== undefined && off.length === 0,
        `every run in experiment "${o.experimentName}"`,
        o.runs.length ? (off.length ? `${off.length} elsewhere (${list(names)})` : 'all in it') : 'no runs',
      );
    },
  },
];

export const HOST: Requirement[] = [
  {
    id: 'RUN-012',
    source:
      "trackbench's own guarantee: the hook closes what it opened (clients, timers, spill files) at the run's end",
    level: 'MUST',
    scenario: 'host-exit',
    features: ['the target in a child process'],
    statement:
      'Once the pipeline is done, the hook leaves nothing open: its host process exits by itself ' +
      `within ${EXIT_GRACE_MS / 1000} s, after a healthy run, a node error, a pipeline error, with the server down ` +
      'and after an outage (values spilled), and no process the hook started outlives it.',
    rationale:
      'A kept-alive socket or timer turns every `kedro run` in CI or a scheduler into a job that never ends; ' +
      'one left only on the failure path hangs exactly the runs someone has to look at; a helper process left ' +
      'behind piles up with every run.',
    check: (o) => {
      const all = o.hostExits;
      // A command that does not say when its pipeline run ended (the Python helper's witness does) cannot be timed.
      if (!all) return skip(`exit within ${EXIT_GRACE_MS / 1000} s of the pipeline's end`, 'the end not said');
      if (!all.length) return verdict(false, 'the child process reports its pipeline done', 'no report');
      // A command exits by itself however late: it is late past its grace.
      const grace = (h: (typeof all)[number]): number => h.graceMs ?? EXIT_GRACE_MS;
      const bad = all.filter((h) => !(h.exited && h.afterMs <= grace(h) && h.code === 0 && !h.leftProcesses));
      const say = (h: NonNullable<Observation['hostExits']>[number]): string =>
        `${h.situation}: ` +
        (Number.isNaN(h.afterMs)
          ? `the pipeline did not finish in the child (exit code ${h.code})`
          : h.exited
            ? `exited after ${Math.round(h.afterMs)} ms (code ${h.code})` +
              (h.leftProcesses ? ', leaving a process it started running: killed' : '')
            : `still running ${EXIT_GRACE_MS / 1000} s after the pipeline's end: killed`);
      return verdict(
        bad.length === 0,
        `exit within ${Math.max(...all.map(grace)) / 1000} s of the pipeline's end in ` +
          all.map((h) => h.situation).join(', '),
        bad.length ? list(bad.map(say)) : `all exited (${all.map(say).join('; ')})`,
      );
    },
  },
];

const INTERRUPT_AFTER = SCENARIOS.interrupted.interruptAfter ?? 0;

export const INTERRUPTED: Requirement[] = [
  {
    id: 'RUN-016',
    source:
      "MLflow REST API docs: RunStatus KILLED; Kedro's session calls on_pipeline_error for an Exception only " +
      "(KeyboardInterrupt is not one); MLflow's fluent API ends a run still active at exit FINISHED (atexit)",
    level: 'MUST',
    scenario: 'interrupted',
    features: [`SIGINT to the process group after ${INTERRUPT_AFTER} nodes (command: and kedro: targets)`],
    statement:
      'A pipeline run interrupted by the user (Ctrl-C: SIGINT mid-run) leaves its run ended KILLED (FAILED at ' +
      'least), with an end time: never RUNNING, never FINISHED; a child run FINISHED only if its node completed.',
    rationale:
      'An interrupted run is not a result: read as FINISHED it passes for a complete, successful run (its metrics ' +
      'compared, its model promoted); left RUNNING it never ends. Kedro calls no hook for a KeyboardInterrupt, so ' +
      "only a hook that sees its process end with its run open can say so; MLflow's own exit handler says FINISHED.",
    check: (o) => {
      const expected = 'every run ended KILLED or FAILED (children of completed nodes: any end), end time set';
      const i = o.interrupt;
      if (!i) return skip(expected, 'not interrupted (the target runs in no process of its own)');
      if (!i.sent)
        return skip(
          expected,
          `never interrupted: SIGINT is sent once ${INTERRUPT_AFTER} of the ${o.pipeline.nodes.length} nodes are ` +
            `said done in TRACKBENCH_NODES_FILE and not all; it said ${i.doneNodes} done by its end`,
        );
      const views = topRunViews(o);
      if (!views.length) return skip(expected, 'no run reached the server');
      const bad: string[] = [];
      for (const v of views)
        for (const r of v.family) {
          const info = r.run.info;
          // Ended (a terminal status, a real time) before SIGINT was sent: not ended by the interrupt. A run back to
          // RUNNING keeps its old end time, and a seconds clock reads as long ago: both are still judged.
          const endedBefore =
            i.sentAtMs !== undefined &&
            TERMINAL.has(info.status) &&
            typeof info.end_time === 'number' &&
            plausibleMs(info.end_time) &&
            info.end_time < i.sentAtMs;
          if (endedBefore) continue;
          const node = r === v.top ? undefined : o.pipeline.nodes.find((n) => v.runFor(n) === r);
          // A child run of a node that completed before the interrupt may truthfully say FINISHED.
          const finishedOk = node !== undefined && o.completedNodes.includes(node.name);
          if (!TERMINAL.has(info.status)) bad.push(`${info.run_name} ${info.status}`);
          else if (info.status === 'FINISHED' && !finishedOk) bad.push(`${info.run_name} FINISHED`);
          if (info.end_time === undefined || info.end_time === null || !plausibleMs(info.end_time))
            bad.push(`${info.run_name} end_time ${info.end_time ?? 'unset'}`);
        }
      const killed = i.killed ? ' (it did not exit after SIGINT: killed)' : '';
      return verdict(
        bad.length === 0,
        expected,
        bad.length
          ? `${list(bad)}${killed}`
          : `all ended: ${list(views.map((v) => `${v.top.run.info.run_name} ${v.top.run.info.status}`))}`,
      );
    },
  },
];
