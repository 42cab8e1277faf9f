// What a plugin author writes: the whole suite as tests of their own hook (here: the reference
// hook as a module path, the way an outside project would name its own hook file).
import { defineConformanceSuite } from '../src/conformance/vitest.ts';

defineConformanceSuite({
  target: 'module:fixtures/conformance/reference-hook-module.ts',
  name: 'reference hook as a module',
});
