/**
 * The app or its worker as a process of its own, for the benchmark, the soak and
 * the tests that need real processes.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';

const ROOT = path.join(__dirname, '..');

export interface AppProcess {
  /** The server's address; empty for a worker. */
  url: string;
  /** The operating system's id of the app's own node process (not a wrapper's), for signals and /proc. */
  pid: number;
  output: () => string;
  /** Resolves with the exit code when the process ends, however it ends. */
  exited: Promise<number | null>;
  /** SIGTERM: finishes what is in flight and exits. */
  stop: () => Promise<number | null>;
  /** SIGKILL: no chance to finish anything, as when a machine loses power. */
  kill: () => Promise<void>;
}

/**
 * Starts `src/server.ts` or `src/worker.ts` in node itself (`node --import tsx`, not
 * the tsx wrapper, which would run the app in a grandchild a SIGKILL never reaches)
 * with exactly the environment given, and waits until it says it is running.
 */
export function startAppProcess(
  script: 'src/server.ts' | 'src/worker.ts',
  env: NodeJS.ProcessEnv,
  timeoutMs = 60_000,
  /** Node's own options, such as --cpu-prof. */
  nodeArgs: string[] = [],
): Promise<AppProcess> {
  const child = spawn(process.execPath, [...nodeArgs, '--import', 'tsx', script], { cwd: ROOT, env });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const ready = script === 'src/server.ts' ? /running at (http:\/\/localhost:\d+)/ : /worker running()/;
  return new Promise((resolve, reject) => {
    // A process that never says it is running is ended, so nothing is left holding the port or the
    // database (or keeping a test runner waiting for it).
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} did not start:\n${out}`));
    }, timeoutMs);
    const check = () => {
      const match = ready.exec(out);
      if (!match) return;
      clearTimeout(timer);
      child.stdout.off('data', check);
      resolve({
        url: match[1] ?? '',
        pid: child.pid!,
        output: () => out,
        exited,
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          return exited;
        },
        kill: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
          await exited;
        },
      });
    };
    child.stdout.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited with ${code}:\n${out}`));
    });
  });
}
