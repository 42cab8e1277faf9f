// Requirements: artifacts and models, per pipeline run, by content hash and path; model versions that
// resolve to their model's files.
import type { Observation, Requirement } from '../types.ts';
import { nodeFiles, pipelineRunViews, ranNodes, resolveSource, runFiles } from './expected.ts';
import { list, verdict } from './queries.ts';
import { registeredModelName } from '../../tracking/common.ts';

/** Paths a model version's source points at (so the model's files are not counted as artifacts). */
function modelPaths(o: Observation): Set<string> {
  const out = new Set<string>();
  for (const r of o.runs)
    for (const v of r.modelVersions) {
      const at = resolveSource(o, v.source);
      if (!at) continue;
      for (const path of runFiles(o, at.run).keys())
        if (path === at.path || path.startsWith(`${at.path}/`)) out.add(`${at.run.run.info.run_id}/${path}`);
    }
  return out;
}

/** Whether an artifact's path names its dataset: the dataset's name as the file name under any folder
 * (kedro-mlflow's MlflowArtifactDataset: `<artifact_path>/<file name>`) or split at its dots into folders
 * (the reference hook: `<node>/<output>`). A file under another name is not the dataset's file. */
function pathNames(path: string, dataset: string): boolean {
  const dotted = path.replaceAll('/', '.');
  return dotted === dataset || dotted.endsWith(`.${dataset}`);
}

const count = (xs: string[]): Map<string, number> => {
  const m = new Map<string, number>();
  for (const x of xs) m.set(x, (m.get(x) ?? 0) + 1);
  return m;
};

export const FILES_PER_RUN: Requirement[] = [
  {
    id: 'ART-010',
    source: 'kedro-mlflow docs: MlflowArtifactDataset logs the saved file to the run; MLflow artifacts API',
    level: 'MUST',
    scenario: 'healthy',
    features: ['every situation', 'artifactsPerNode'],
    dependsOn: ['childRunPerNode'],
    statement:
      'In every situation and every pipeline run, the run of each node that ran holds each artifact it wrote, byte ' +
      "for byte (by sha256), once, at a path naming its dataset (`<node>/<dataset>` as kedro-mlflow's " +
      'MlflowArtifactDataset, or the name split at its dots, `<node>/<output>`), and no other artifact.',
    rationale:
      'An artifact missing, truncated, duplicated, renamed or filed under another run is evidence that is wrong ' +
      '(whoever reads it looks for it by its name).',
    check: (o) => {
      const models = modelPaths(o);
      const views = pipelineRunViews(o);
      const bad: string[] = [];
      let want = 0;
      for (const view of views)
        for (const r of view.family) {
          const files = ranNodes(o)
            .filter((n) => view.runFor(n) === r)
            .flatMap((n) => nodeFiles(o, n, 'artifact'));
          const expected = files.map((f) => f.hash);
          want += expected.length;
          const got = [...runFiles(o, r)]
            .filter(([path]) => !models.has(`${r.run.info.run_id}/${path}`) && !path.startsWith('models/'))
            .filter(([path, h]) => {
              const of = files.find((f) => f.hash === h);
              if (!of || pathNames(path, of.name)) return true;
              bad.push(`${r.run.info.run_name}: ${of.name} at ${path}`);
              return false;
            })
            .map(([, h]) => h);
          const e = count(expected);
          const g = count(got);
          for (const [h, n] of e)
            if ((g.get(h) ?? 0) !== n)
              bad.push(`${r.run.info.run_name}: ${g.get(h) ?? 0} of ${n} copies of ${h.slice(0, 8)}`);
          for (const [h, n] of g)
            if (!e.has(h)) bad.push(`${r.run.info.run_name}: ${n} unexpected file(s) ${h.slice(0, 8)}`);
        }
      return verdict(
        bad.length === 0 && views.length > 0,
        `${want} artifacts exact in their runs`,
        views.length ? (bad.length ? list(bad) : 'all exact') : 'no run',
      );
    },
  },
  {
    id: 'MOD-010',
    source:
      'MLflow REST API docs: model-versions/create (name, source, run_id); kedro-mlflow docs: one model per dataset',
    level: 'MUST',
    scenario: 'healthy',
    features: ['every situation', 'modelNodes with several models'],
    dependsOn: ['childRunPerNode'],
    statement:
      'In every situation and every pipeline run, each model a node wrote has exactly one model version, under a ' +
      'registered model of its own named after its dataset (characters MLflow refuses in a name as `_`), whose ' +
      "run_id is its node's run and whose source resolves to files in that run holding the model's bytes.",
    rationale:
      'The registry is how models are deployed: a version pointing at the wrong or missing files ' +
      'ships the wrong model.',
    check: (o) => {
      const views = pipelineRunViews(o);
      const bad: string[] = [];
      let want = 0;
      for (const view of views) {
        const versions = view.family.flatMap((r) => r.modelVersions);
        const produced = ranNodes(o).flatMap((n) =>
          nodeFiles(o, n, 'model').map((f) => ({ ...f, run: view.runFor(n) })),
        );
        want += produced.length;
        const names = new Set(versions.map((v) => v.name));
        if (versions.length !== produced.length || names.size !== produced.length)
          bad.push(`${versions.length} versions of ${names.size} models for ${produced.length} produced`);
        for (const p of produced) {
          const match = versions.filter((v) => {
            const at = resolveSource(o, v.source);
            if (!at || at.run !== p.run || v.run_id !== p.run.run.info.run_id) return false;
            return [...runFiles(o, at.run)].some(
              ([path, h]) => (path === at.path || path.startsWith(`${at.path}/`)) && h === p.hash,
            );
          });
          if (match.length !== 1)
            bad.push(`${p.name}: ${match.length} versions resolve to its files in ${p.run.run.info.run_name}`);
          // Models swapped between names would pass the rest: each name would still hold one model's files.
          else if (match[0]!.name !== registeredModelName(p.name))
            bad.push(`${p.name}: registered as ${match[0]!.name}, not ${registeredModelName(p.name)}`);
        }
      }
      return verdict(
        bad.length === 0 && views.length > 0,
        `${want} model versions, each resolving to its model`,
        views.length ? (bad.length ? list(bad) : 'all resolve') : 'no run',
      );
    },
  },
];
