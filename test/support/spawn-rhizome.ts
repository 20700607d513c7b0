import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

export interface RunningRhizome {
  readonly child: ChildProcessWithoutNullStreams;
  readonly output: () => string;
  /** Standard output alone (what a pipe or `jq` would read). */
  readonly stdout: () => string;
  /** Resolves with the first match of `pattern` in the output, or rejects after `timeoutMs`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  exited: Promise<number | null>;
}

/** Starts `bin/rhizome.js` as a real child process, the way a user or an orchestrator would. */
export function spawnRhizome(
  arguments_: readonly string[],
  environment: Record<string, string>,
): RunningRhizome {
  const child = spawn(process.execPath, ['bin/rhizome.js', ...arguments_], {
    env: { ...process.env, LOG_LEVEL: 'warn', ...environment },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  const listeners = new Set<() => void>();
  const append = (data: Buffer) => {
    output += data.toString();
    for (const listener of listeners) listener();
  };
  child.stdout.on('data', append);
  child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
  child.stderr.on('data', append);
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    output: () => output,
    stdout: () => stdout,
    exited,
    waitFor(pattern, timeoutMs = 240_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const match = output.match(pattern);
          if (match) {
            listeners.delete(check);
            clearTimeout(timer);
            resolve(match);
          }
        };
        const timer = setTimeout(() => {
          listeners.delete(check);
          reject(new Error(`timed out waiting for ${pattern}; output so far:\n${output}`));
        }, timeoutMs);
        listeners.add(check);
        check();
      });
    },
  };
}

/** Runs one command to its end: exit code, stdout alone, and everything printed. */
export async function runRhizome(
  arguments_: readonly string[],
  environment: Record<string, string>,
): Promise<{ code: number | null; stdout: string; output: string }> {
  const run = spawnRhizome(arguments_, environment);
  run.child.stdin.end();
  const code = await run.exited;
  return { code, stdout: run.stdout(), output: run.output() };
}
