// Requirements: models.
import type { Requirement } from '../types.ts';
import type { ModelVersion } from '../../mlflow/wire.ts';
import { sourceRun } from './expected.ts';
import { expectedFiles, verdict, list } from './queries.ts';

export const MODELS: Requirement[] = [
  {
    id: 'MOD-001',
    source: 'kedro-mlflow docs: each MlflowModelTrackingDataset output is logged (and registered when named)',
    level: 'MUST',
    scenario: 'basic',
    features: ['modelNodes with several models'],
    statement: 'Every model output is registered as a model version, not only the first.',
    rationale: 'The article lists "only the first model is logged" as a limitation; it loses models.',
    check: (o) => {
      const want = expectedFiles(o, 'model').length;
      const got = o.runs.reduce((n, r) => n + r.modelVersions.length, 0);
      return verdict(got === want, `${want} model versions`, `${got}`);
    },
  },
  {
    id: 'MOD-002',
    source: 'MLflow REST API docs: model-versions/create takes run_id linking the version to its run',
    level: 'MUST',
    scenario: 'basic',
    features: ['modelNodes'],
    statement: "Each model version names the run that produced it, and its source is that run's model.",
    rationale:
      "The registry's lineage back to parameters and metrics goes through run_id; a source elsewhere serves " +
      'another model.',
    check: (o) => {
      const versions = o.runs.flatMap((r) => r.modelVersions.map((v) => ({ v, run: r.run.info.run_id })));
      const name = (v: ModelVersion): string => `${v.name} v${v.version}`;
      const unlinked = versions.filter(({ v, run }) => v.run_id !== run).map(({ v }) => name(v));
      // The source: in the run's artifacts (MLflow 2) or a logged model the run produced (MLflow 3).
      const elsewhere = versions
        .filter(({ v, run }) => v.run_id === run && sourceRun(o, v.source)?.run.info.run_id !== run)
        .map(({ v }) => `${name(v)} (${v.source})`);
      const problems = [
        ...(unlinked.length ? [`unlinked: ${list(unlinked)}`] : []),
        ...(elsewhere.length ? [`source not the run's model: ${list(elsewhere)}`] : []),
      ];
      return verdict(
        versions.length > 0 && problems.length === 0,
        "run_id of the producing run, source in that run's models",
        problems.length ? problems.join('; ') : versions.length ? 'all linked' : 'no versions',
      );
    },
  },
  {
    id: 'MOD-003',
    source: "MLflow REST API docs: model-versions/create source is where the model's files are",
    level: 'SHOULD',
    scenario: 'basic',
    features: ['modelNodes'],
    statement: "A registered model's files are stored in its run, whole.",
    rationale: 'A version whose source is empty cannot be served or audited.',
    check: (o) => {
      const size = expectedFiles(o, 'model')[0]?.bytes;
      const models = o.artifactBytes.filter((a) => a.path.startsWith('models/'));
      const want = expectedFiles(o, 'model').length;
      const ok = models.filter((a) => a.bytes.length === size).length;
      return verdict(
        ok >= want && want > 0,
        `${want} model files of ${size} bytes`,
        `${ok} of ${models.length} files right`,
      );
    },
  },
];
