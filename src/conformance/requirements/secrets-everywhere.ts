// Requirement: the test token and password appear nowhere a hook writes, in any situation.
import type { Observation, Requirement } from '../types.ts';
import { LEAK_MEANING, secretLeak } from '../leak.ts';
import { WRITTEN_SEARCH } from '../files-written.ts';
import { list, skip, verdict } from './queries.ts';

/** Every place a hook writes, as [where, text]. */
function places(o: Observation): [string, string | Buffer][] {
  const out: [string, string | Buffer][] = [];
  for (const r of o.runs) {
    const name = r.run.info.run_name;
    out.push([`run name ${name}`, name]);
    for (const p of r.run.data.params ?? []) out.push([`param ${p.key}`, `${p.key}=${p.value}`]);
    for (const t of r.run.data.tags ?? []) out.push([`tag ${t.key} of ${name}`, `${t.key}=${t.value}`]);
    for (const k of Object.keys(r.metricHistory)) out.push([`metric ${k}`, k]);
    for (const v of r.modelVersions)
      out.push([`model version ${v.name}`, `${v.name} ${v.source} ${v.description ?? ''}`]);
  }
  for (const e of o.experiments) {
    out.push([`experiment ${e.name}`, e.name]);
    for (const t of e.tags ?? []) out.push([`experiment tag ${t.key}`, `${t.key}=${t.value}`]);
  }
  for (const a of o.artifactBytes) out.push([`file ${a.path}`, a.bytes]);
  for (const r of o.requests) {
    if (r.body) out.push([`request body ${r.endpoint} #${r.seq}`, r.body]);
    out.push([`request path ${r.endpoint} #${r.seq}`, r.path]);
    if (r.query) out.push([`request query ${r.endpoint} #${r.seq}`, r.query]);
    // Authorization is not kept: it is where the credential belongs.
    for (const [name, value] of Object.entries(r.headers ?? {}))
      out.push([`request header ${name} ${r.endpoint} #${r.seq}`, value]);
  }
  out.push(['output', o.output], ['pipeline error', o.pipelineError ?? '']);
  for (const f of o.writtenFiles) out.push([`written file ${f.path}`, f.bytes]);
  return out;
}

export const SECRETS_EVERYWHERE: Requirement[] = [
  {
    id: 'SEC-006',
    source: "trackbench's own guarantee: credentials go only in the Authorization header",
    level: 'MUST',
    scenario: 'every',
    features: ['MLFLOW_TRACKING_TOKEN and MLFLOW_TRACKING_PASSWORD set', 'every situation'],
    statement:
      'In every situation, neither the token nor the password appears in params, tags of runs or experiments, run ' +
      'or experiment names, artifacts, model files, any request body, URL path, query string or header (but ' +
      "Authorization, where the credential belongs), the output (an in-process hook's stdout, stderr and " +
      'console included), or any file the hook writes: every file under the TMPDIR it is given, and every file ' +
      'created or modified during the situation in the system temp folders (os.tmpdir() when trackbench started, ' +
      `/tmp and /var/tmp), the working folder and the home folder (each ${WRITTEN_SEARCH.depth} folders deep, and ` +
      'at any depth below that in folders changed since trackbench started, such as a new ' +
      `~/.cache/<plugin>/logs/<date>/; ${WRITTEN_SEARCH.entries} entries each, the last ` +
      `${WRITTEN_SEARCH.fileBytes >> 20} MB of each file, folders it cannot read passed over). ` +
      `Appears: ${LEAK_MEANING}.`,
    rationale: 'Each of these is read, shipped or kept by someone who must not hold the credential.',
    check: (o) => {
      const hits = places(o).flatMap(([where, text]) => {
        const how = secretLeak(text, o.secrets);
        return how ? [`${where} (${how})`] : [];
      });
      if (!hits.length && !o.requestBodies)
        return skip('no secret anywhere', 'none found, but the request log holds no bodies to look in');
      return verdict(hits.length === 0, 'no secret anywhere', hits.length ? `in: ${list(hits)}` : 'none');
    },
  },
];
