// Runs an external command (a shell command line) to completion: combined output kept (the last
// 20,000 characters), killed with its whole process group after a timeout.
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { killGroup, killGroupOnly, registerCleanup } from '../common/cleanup.ts';
import { ESCAPE_MARK, killEscaped, newEscapeMark } from '../common/escaped.ts';
import { releaseHeldOutput } from '../common/held-output.ts';
import { watchGroup } from '../common/watchdog.ts';

/** How long a command may outlive the pipeline run it says ended: a Python process's teardown (atexit handlers,
 * MLflow's and a plugin's, ending runs) took 4.3 s for kedro-mlflow 0.14.5 at load 10 on 2 cores; a timer or
 * thread left behind keeps it alive for its interval (often tens of seconds) or for ever. */
export const COMMAND_EXIT_GRACE_MS = 15_000;

export interface ExternalResult {
  /** The exit code; killed by a signal, 128 + its number, as a shell says it. */
  code: number;
  /** The signal that killed the command, if one did. */
  signal?: NodeJS.Signals;
  output: string;
  timedOut: boolean;
  /**
   * The command exited, but something it started outside its process group (`setsid`) still held its output
   * OUTPUT_GRACE_MS later (held-output.ts): killed (found by the pipe it holds), no longer waited for.
   */
  outputHeld?: boolean;
  /**
   * What the command started outside its process group (`setsid`, a double fork) and left running after it
   * exited, output elsewhere: killed, found by the mark in its environment (escaped.ts); their command lines.
   */
  escaped?: string[];
  /** When the command exited (Date.now()): what it did after its pipeline run ended is measured to it. */
  exitedAt: number;
  /** With `interrupt`: how it went. */
  interrupted?: InterruptOutcome;
}

/** Whether SIGINT was sent (and when, Date.now()), and whether the group was then killed for outliving its grace. */
export interface InterruptOutcome {
  sent: boolean;
  killed: boolean;
  sentAtMs?: number;
}

/** Ctrl-C mid-run: SIGINT to the command's process group (as a terminal sends it to its foreground group) once
 * `due()` says so (polled), then SIGKILL if it has not exited `graceMs` later. */
export interface InterruptWhen {
  due: () => boolean;
  graceMs: number;
}

/** How often `InterruptWhen.due` is asked. */
const INTERRUPT_POLL_MS = 25;

/**
 * How a command ended, in words: a shell that ran a process killed by a signal exits 128 + its number (python3
 * after os.abort(): 134), so that code names the signal too.
 */
export function endedHow(code: number, signal?: NodeJS.Signals): string {
  if (signal) return `was killed by ${signal}`;
  const byShell = code > 128 ? Object.entries(constants.signals).find(([, n]) => n === code - 128)?.[0] : undefined;
  return `exited with code ${code}${byShell ? ` (128 + ${byShell}: killed by that signal, as its shell says)` : ''}`;
}

export function runExternal(
  command: string,
  env: NodeJS.ProcessEnv,
  timeoutMs: number,
  cwd?: string,
  interrupt?: InterruptWhen,
): Promise<ExternalResult> {
  return new Promise((resolve) => {
    // detached: its own process group, so a timeout also stops what the shell started.
    const mark = newEscapeMark();
    const child = spawn(command, {
      shell: true,
      env: { ...env, [ESCAPE_MARK]: mark },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let output = '';
    const keep = (b: Buffer): void => {
      output = (output + b.toString('utf8')).slice(-20_000);
    };
    child.stdout.on('data', keep);
    child.stderr.on('data', keep);
    // Stopped with this process even when it dies without its cleanups.
    const watchdog = child.pid ? watchGroup(child.pid) : undefined;
    const unregister = registerCleanup({
      name: `command ${command.slice(0, 60)}`,
      // What it left outside its group goes too: trackbench interrupted is not the command's end to wait for.
      stop: () => {
        killGroup(child.pid, 'SIGTERM');
        killEscaped(mark, child.pid);
      },
      kill: () => {
        killGroup(child.pid, 'SIGKILL');
        killEscaped(mark, child.pid);
      },
    });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        // called only after spawn succeeded: the child has a pid
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }, timeoutMs);
    const interrupted: InterruptOutcome = { sent: false, killed: false };
    let grace: NodeJS.Timeout | undefined;
    const poll =
      interrupt &&
      setInterval(() => {
        // Asked again at the next tick when it cannot tell (a file it reads changing under it).
        try {
          if (!interrupt.due()) return;
        } catch {
          return;
        }
        clearInterval(poll);
        interrupted.sent = true;
        interrupted.sentAtMs = Date.now();
        killGroup(child.pid, 'SIGINT');
        grace = setTimeout(() => {
          interrupted.killed = true;
          killGroup(child.pid, 'SIGKILL');
        }, interrupt.graceMs);
      }, INTERRUPT_POLL_MS);
    const stopInterrupt = (): void => {
      clearInterval(poll);
      clearTimeout(grace);
    };
    // What the command left running in its group (a server, a `sleep` in the background) ends with it, at its
    // exit: such a process holding the output pipes would otherwise hold 'close' (the result) until it ends.
    // One that escaped the group (setsid) would hold it until the time limit: released after a grace instead.
    let outputHeld = false;
    releaseHeldOutput(child, () => void (outputHeld = true));
    let exitedAt = Date.now();
    child.on('exit', () => {
      exitedAt = Date.now();
      stopInterrupt();
      killGroupOnly(child.pid);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      stopInterrupt();
      unregister();
      watchdog?.release();
      const escaped = killEscaped(mark, child.pid);
      const killed = signal ? { code: 128 + (constants.signals[signal] ?? 0), signal } : { code: code ?? 1 };
      resolve({
        ...killed,
        output,
        timedOut,
        exitedAt,
        ...(outputHeld ? { outputHeld } : {}),
        ...(escaped.length ? { escaped } : {}),
        ...(interrupt ? { interrupted } : {}),
      });
    });
    child.on('error', (err) => {
      clearTimeout(timer);
      stopInterrupt();
      unregister();
      resolve({ code: 127, output: err.message, timedOut: false, exitedAt: Date.now() });
    });
  });
}
