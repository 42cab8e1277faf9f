// For plugin authors: the conformance suite inside your own vitest run, one test per requirement
// and one that every situation ran.
//
//   import { defineConformanceSuite } from 'trackbench/vitest';
//   defineConformanceSuite({ target: 'module:./src/my-hook.ts' });
//
// A requirement that does not apply to the hook (e.g. nested runs when it makes none) is skipped.
import { beforeAll, describe, expect, it } from 'vitest';
import { REQUIREMENTS } from './requirements/index.ts';
import { runSuite } from './suite.ts';
import { factoryTarget, parseTarget, type Target } from './targets.ts';
import type { HookFactory } from '../pipeline/hooks.ts';
import type { Level, TargetResult } from './types.ts';
import { resultName } from './modes.ts';
import { situationLine } from './situation-error.ts';

export interface ConformanceSuiteOptions {
  /** `builtin:<name>`, `module:<path>` or `command:<cmd>`; or give `factory`. */
  target?: string;
  factory?: HookFactory;
  options?: Record<string, unknown>;
  name?: string;
  /** Levels whose failures fail the test (default MUST and SHOULD; MAY failures are reported as skipped). */
  enforce?: Level[];
  timeoutMs?: number;
  /** Requirement IDs or patterns (ART-*) whose failures are accepted; each is reported as waived. */
  waive?: string[];
}

export function defineConformanceSuite(opts: ConformanceSuiteOptions): void {
  const target: Target = opts.factory
    ? factoryTarget(opts.name ?? 'hook', opts.factory, opts.options)
    : parseTarget(opts.target ?? '');
  const enforce = new Set(opts.enforce ?? ['MUST', 'SHOULD']);
  describe(`trackbench conformance: ${opts.name ?? target.id}`, () => {
    let result: TargetResult;
    beforeAll(async () => {
      result = await runSuite(target, { waive: opts.waive });
    }, opts.timeoutMs ?? 180_000);
    // A situation that could not run is its own failure, whatever the requirements it left unjudged are enforced at.
    it('every situation ran', () => {
      expect(result.errors.map(situationLine)).toEqual([]);
    });
    for (const r of REQUIREMENTS) {
      it(`${r.id} [${r.level}] ${r.statement}`, (ctx) => {
        // One result per mode the requirement was checked in: any failure fails it.
        const found = result.results.filter((x) => x.id === r.id);
        const failed = found.filter((x) => x.finding.status === 'fail');
        if (!found.some((x) => x.finding.status === 'pass') && !failed.length) ctx.skip();
        if (failed.length && !enforce.has(r.level)) ctx.skip();
        // A waived failure is shown as skipped, with its waiver, never as passed.
        if (failed.length && failed.every((x) => x.waived)) ctx.skip(`waived (${failed[0]!.waived})`);
        const shown = failed.map((x) => `${resultName(x)}: expected ${x.finding.expected}; found ${x.finding.found}`);
        expect(shown).toEqual([]);
      });
    }
  });
}
