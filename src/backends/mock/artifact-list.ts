// artifacts/list for any artifact root the mock holds files under (a run's, a logged model's).
import type { FileInfo } from '../../mlflow/wire.ts';

/** Direct children of `path` under `rootUri` (an `mlflow-artifacts:/` URI), sorted by path. */
export function listArtifactsUnder(
  artifacts: Map<string, Buffer>,
  rootUri: string,
  path: string | undefined,
): { root_uri: string; files?: FileInfo[] } {
  const root = rootUri.slice('mlflow-artifacts:/'.length);
  const rel = (path ?? '').replace(/^\/+|\/+$/g, '');
  const prefix = rel ? `${root}/${rel}/` : `${root}/`;
  const children = new Map<string, FileInfo>();
  for (const [full, bytes] of artifacts) {
    if (!full.startsWith(prefix)) continue;
    const rest = full.slice(prefix.length);
    const slash = rest.indexOf('/');
    const name = slash < 0 ? rest : rest.slice(0, slash);
    const childPath = rel ? `${rel}/${name}` : name;
    children.set(
      childPath,
      slash < 0 ? { path: childPath, is_dir: false, file_size: bytes.length } : { path: childPath, is_dir: true },
    );
  }
  const files = [...children.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
  return files.length ? { root_uri: rootUri, files } : { root_uri: rootUri };
}
