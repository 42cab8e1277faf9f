// Requirements: artifacts.
import type { Requirement } from '../types.ts';
import { expectedFiles, skip, verdict, list } from './queries.ts';

export const ARTIFACTS: Requirement[] = [
  {
    id: 'ART-001',
    source: 'kedro-mlflow docs: MlflowArtifactDataset uploads what the node saves',
    level: 'MUST',
    scenario: 'basic',
    features: ['artifactsPerNode'],
    statement: 'Every artifact a node outputs is uploaded to the run.',
    rationale: 'Artifacts are the evidence behind metrics (plots, reports, data samples).',
    check: (o) => {
      const want = expectedFiles(o, 'artifact');
      const got = o.runs
        .flatMap((r) => r.artifacts)
        .filter((f) => !f.path.startsWith('models/') && f.file_size === want[0]?.bytes);
      return verdict(got.length >= want.length, `${want.length} artifacts`, `${got.length}`);
    },
  },
  {
    id: 'ART-002',
    source: 'MLflow REST API docs: mlflow-artifacts upload stores the bytes sent',
    level: 'MUST',
    scenario: 'basic',
    features: ['artifactsPerNode'],
    statement: 'Uploaded artifacts have the size the node wrote.',
    rationale: 'A truncated artifact is a corrupted record.',
    check: (o) => {
      const size = expectedFiles(o, 'artifact')[0]?.bytes;
      const uploaded = o.artifactBytes.filter((a) => !a.path.startsWith('models/'));
      // Nothing uploaded is ART-001's failure; a size check with nothing to check does not apply.
      if (!uploaded.length) return skip(`${size} bytes each`, 'no artifacts uploaded (see ART-001)');
      const wrong = uploaded.filter((a) => a.bytes.length !== size).map((a) => `${a.path} (${a.bytes.length} bytes)`);
      return verdict(
        wrong.length === 0 && size !== undefined,
        `${size} bytes each`,
        wrong.length ? `wrong size: ${list(wrong)}` : `${uploaded.length} right`,
      );
    },
  },
];
