import type { Io } from '../../src/cli/io.ts';
import { main } from '../../src/cli/main.ts';

/** A CLI output object that keeps what the command printed, line by line, for the test to read. */
export function capture(): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: '',
    stderr: '',
    isTTY: false,
    out: (t: string) => void (io.stdout += `${t}\n`),
    err: (t: string) => void (io.stderr += `${t}\n`),
  };
  return io;
}

/** Runs the CLI in this process: its exit code and what it printed. */
export async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const io = capture();
  const code = await main(args, io);
  return { code, out: io.stdout, err: io.stderr };
}
