import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAppProcess as startProcess } from '../../scripts/appProcess';
import { MIGRATIONS_DIR } from '../../src/db/connect';
import { createTestDb } from './db';

const ROOT = path.join(__dirname, '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** The environment a child process of the app gets: the caller's, minus test settings. */
function childEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const base = { ...process.env };
  // LOG_LEVEL too: a worker says it is running only in its info log, which a quieter level set for the
  // test run (LOG_LEVEL=error) would hide, and the test would wait for a line that never comes.
  for (const key of [
    'TEST_DATABASE_URL',
    'DATABASE_URL',
    'NODE_ENV',
    'DEMO_PASSWORD',
    'PORT',
    'DEMO',
    'NODE_OPTIONS',
    'LOG_LEVEL',
  ])
    delete base[key];
  return { ...base, ...env };
}

export interface RunningServer {
  url: string;
  output: () => string;
  stop: () => Promise<number | null>;
}

/** Starts `src/server.ts` as `npm start` does and waits until it prints its address. */
export function startServer(env: NodeJS.ProcessEnv): Promise<RunningServer> {
  // In node itself, as `npm start` runs it: the tsx wrapper relays a SIGTERM only if the app confirms it within
  // 30 ms, and on a busy machine kills it instead, cutting a graceful shutdown short.
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: ROOT,
    env: childEnv({ PORT: '0', ...env }),
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 60_000);
    const check = () => {
      const match = /running at (http:\/\/localhost:\d+)/.exec(out);
      if (match) {
        clearTimeout(timer);
        resolve({
          url: match[1]!,
          output: () => out,
          stop: async () => {
            child.kill('SIGTERM');
            return exited;
          },
        });
      }
    };
    child.stdout!.on('data', check);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    });
  });
}

/** Runs the server expecting it to refuse to start; returns its exit code and output. */
export function serverRefuses(env: NodeJS.ProcessEnv): { status: number | null; output: string } {
  const run = spawnSync(TSX, ['src/server.ts'], {
    cwd: ROOT,
    env: childEnv({ PORT: '0', ...env }),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

/** Runs `npm run cli -- ...` and returns its exit code and output. */
export function cli(args: string[], env: NodeJS.ProcessEnv): { status: number | null; output: string } {
  const run = spawnSync(TSX, ['src/cli.ts', ...args], {
    cwd: ROOT,
    env: childEnv(env),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: run.status, output: run.stdout + run.stderr };
}

/**
 * Where a started app keeps its data: a fresh DATA_DIR and, on the PostgreSQL run,
 * an empty database of its own on that server (DATABASE_URL).
 */
export async function freshAppData(
  prefix: string,
): Promise<{ env: NodeJS.ProcessEnv; dataDir: string; remove: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const env: NodeJS.ProcessEnv = { DATA_DIR: dataDir };
  let database: Awaited<ReturnType<typeof createTestDb>> | undefined;
  if (process.env.TEST_DATABASE_URL) {
    database = await createTestDb();
    await database.db.migrate.rollback({ directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] }, true);
    env.DATABASE_URL = database.url;
  }
  return {
    env,
    dataDir,
    remove: async () => {
      await database?.destroy();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export type { AppProcess } from '../../scripts/appProcess';

/** The app or its worker as its own process (see scripts/appProcess.ts), with a test's environment. */
export function startAppProcess(script: 'src/server.ts' | 'src/worker.ts', env: NodeJS.ProcessEnv) {
  return startProcess(script, childEnv({ PORT: '0', ...env }));
}
