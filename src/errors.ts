// The kinds of failure a user can act on. The CLI alone maps them to exit codes
// (0 ok, 1 a check failed, 2 bad input or usage, 3 the environment failed).

/** One problem in an input file, located as precisely as the input allows. */
export interface Diagnostic {
  file: string;
  line?: number;
  col?: number;
  /** Dotted path of the offending field, e.g. `pipeline.topology.width`. */
  path?: string;
  message: string;
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line !== undefined ? `${d.file}:${d.line}:${d.col ?? 1}` : d.file;
  return d.path ? `${where} ${d.path}: ${d.message}` : `${where} ${d.message}`;
}

/** Bad input (a file or a flag). Carries every problem found, not only the first. */
export class InputError extends Error {
  readonly diagnostics: Diagnostic[];
  constructor(diagnostics: Diagnostic[]) {
    super(diagnostics.map(formatDiagnostic).join('\n'));
    this.name = 'InputError';
    this.diagnostics = diagnostics;
  }
  static flag(flag: string, message: string): InputError {
    return new InputError([{ file: flag, message }]);
  }
}

/** The environment failed: no server, no container runtime, a backend that would not start. */
export class EnvironmentError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'EnvironmentError';
  }
}

/** A gate or conformance check failed: the tool worked and the answer is "no". */
export class CheckFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckFailedError';
  }
}

/** What a caught value says (never throws: anything can be thrown). */
export { messageOf as errorMessage } from './common/caught.ts';
