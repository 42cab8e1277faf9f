// Requirements: artifacts. Nodes write files of different sizes (the edge node's are large), so sizes are
// compared as counts per size, not against one size for all.
import type { Requirement } from '../types.ts';
import { expectedFiles, skip, verdict, list } from './queries.ts';

/** How many of each size. */
function bySize(sizes: number[]): Map<number, number> {
  const counts = new Map<number, number>();
  for (const s of sizes) counts.set(s, (counts.get(s) ?? 0) + 1);
  return counts;
}

const sizesText = (sizes: Map<number, number>): string =>
  [...sizes].map(([size, n]) => `${n} of ${size} bytes`).join(', ');

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
      const want = bySize(expectedFiles(o, 'artifact').map((f) => f.bytes));
      const got = bySize(
        o.runs
          .flatMap((r) => r.artifacts)
          .flatMap((f) => (f.path.startsWith('models/') || f.file_size === undefined ? [] : [f.file_size])),
      );
      const short = [...want].filter(([size, n]) => (got.get(size) ?? 0) < n);
      return verdict(
        short.length === 0,
        `artifacts of their nodes' sizes: ${sizesText(want)}`,
        short.length
          ? `missing: ${short.map(([size, n]) => `${n - (got.get(size) ?? 0)} of ${size} bytes`).join(', ')}`
          : sizesText(got),
      );
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
      const sizes = [...new Set(expectedFiles(o, 'artifact').map((f) => f.bytes))];
      const expected = `${sizes.join(' or ') || '(none expected)'} bytes, as their nodes wrote`;
      const uploaded = o.artifactBytes.filter((a) => !a.path.startsWith('models/'));
      // Nothing uploaded is ART-001's failure; a size check with nothing to check does not apply.
      if (!uploaded.length) return skip(expected, 'no artifacts uploaded (see ART-001)');
      const wrong = uploaded
        .filter((a) => !sizes.includes(a.bytes.length))
        .map((a) => `${a.path} (${a.bytes.length} bytes)`);
      return verdict(
        wrong.length === 0 && sizes.length > 0,
        expected,
        wrong.length ? `wrong size: ${list(wrong)}` : `${uploaded.length} right`,
      );
    },
  },
];
