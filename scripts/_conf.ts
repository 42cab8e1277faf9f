import { parseTarget } from '../src/conformance/targets.ts';
import { runSuite } from '../src/conformance/suite.ts';
for (const t of ['builtin:reference', 'builtin:naive', 'builtin:kedro-mlflow-like']) {
  const t0 = performance.now();
  const r = await runSuite(parseTarget(t));
  console.log(t, ((performance.now() - t0) / 1000).toFixed(1), 's');
  for (const x of r.results) if (x.finding.status !== 'pass') console.log(`  ${x.id} ${x.level} ${x.finding.status}: expected ${x.finding.expected}; found ${x.finding.found}`);
}
