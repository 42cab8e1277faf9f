// Requirements: the hook leaves no experiment behind but the one it was configured with.
import type { Requirement } from '../types.ts';
import { list, verdict } from './queries.ts';

/** MLflow's Default experiment: there before any hook ran. */
const DEFAULT_EXPERIMENT_ID = '0';

export const EXPERIMENTS: Requirement[] = [
  {
    id: 'EXP-010',
    source:
      'kedro-mlflow docs: tracking.experiment.name is the experiment (KedroMlflowConfig.setup gets or creates ' +
      'that one); MLflow REST API docs: experiments/create',
    level: 'MUST',
    scenario: 'every',
    // A hook may make an experiment for its child runs: checked with and without them.
    dependsOn: ['childRunPerNode'],
    features: ['every situation', 'experiments read back (view type ALL; on a real server, those created since)'],
    statement: 'In every situation, the hook creates no experiment besides the configured one (deleted ones included).',
    rationale:
      'A stray experiment ("<name>-debug", one per run) clutters the tracking server for every user, is never ' +
      'cleaned up by anyone, and hides the real one among look-alikes.',
    check: (o) => {
      const stray = o.experiments
        .filter((e) => e.experiment_id !== DEFAULT_EXPERIMENT_ID && e.name !== o.experimentName)
        .map((e) => `"${e.name}"`);
      return verdict(
        stray.length === 0,
        `no experiment but "${o.experimentName}" (and Default)`,
        stray.length ? `also created: ${list(stray)}` : `${o.experiments.length} experiment(s), none stray`,
      );
    },
  },
];
