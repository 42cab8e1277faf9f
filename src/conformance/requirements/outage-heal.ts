// Requirement: delivery heals after an outage. Values produced once the server has been back for a while are
// delivered, not spilled: spilling everything after the first failure passes the loss checks (counted and spilled)
// and leaves every later run empty until someone replays by hand.
import { SCENARIOS } from '../scenarios.ts';
import type { Observation, Requirement } from '../types.ts';
import { produced } from './loss.ts';
import { list, skip, verdict } from './queries.ts';

/**
 * How long after the server is back a hook may still spill what it produces: time for a probe to see it back
 * (the reference hook waits at most 2 s between probes but keeps values queued meanwhile, so it spills none;
 * a hook that spills while its breaker is open and probes every few hundred ms gets this long).
 */
export const HEAL_ALLOWANCE_MS = 500;

/** When the server came back (the start of the node at which the outage ended), on trackbench's clock. */
function backAt(o: Observation): number | undefined {
  const to = SCENARIOS.outage.outage?.to;
  const node = o.pipeline.nodes.find((n) => n.index === to);
  return o.timing?.[0]?.nodes?.find((w) => node && w.node === node.name)?.startMs;
}

export const OUTAGE_HEAL: Requirement[] = [
  {
    id: 'FLT-013',
    source: "trackbench's own guarantee: after an outage delivery resumes in order (README: outage)",
    level: 'MUST',
    scenario: 'outage',
    features: [
      'outage over log-batch requests and uploads',
      "node runs timed on trackbench's clock",
      'child runs (when the hook makes them)',
    ],
    dependsOn: ['childRunPerNode'],
    statement:
      `Every value produced by a node that started ${HEAL_ALLOWANCE_MS} ms or more after the server was back ` +
      "from an outage is delivered to its run (its child run too: each run's delivery heals).",
    rationale:
      'A hook that gives up on the server at the first failure loses every later value to a spill file that ' +
      'someone must find and replay; the loss checks count that as declared, not as fine.',
    check: (o) => {
      const back = backAt(o);
      if (back === undefined)
        return skip(
          'values after the outage delivered',
          'no timed start of the node where the outage ends (the pipeline stopped before it, or was not timed)',
        );
      const late = new Set(
        (o.timing?.[0]?.nodes ?? []).filter((w) => w.startMs >= back + HEAL_ALLOWANCE_MS).map((w) => w.node),
      );
      const items = produced(o).filter((x) => late.has(x.node));
      if (!items.length) return skip('values after the outage delivered', 'no node started late enough');
      const missing = items.filter((x) => !x.delivered);
      const refused = new Map<string, number>();
      for (const r of o.requests.filter((x) => x.status === 503))
        refused.set(r.endpoint, (refused.get(r.endpoint) ?? 0) + 1);
      const during = [...refused].map(([e, n]) => `${n} ${e}`).join(', ') || 'none';
      return verdict(
        missing.length === 0,
        `${items.length} values of ${late.size} nodes after the outage delivered`,
        (missing.length
          ? `${missing.length} not delivered: ${list(missing.map((x) => `${x.kind} ${x.id}`))}`
          : `${items.length} delivered`) + ` (refused during the outage: ${during})`,
      );
    },
  },
];
