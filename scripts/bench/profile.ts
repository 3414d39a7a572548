/**
 * Where a scenario's time goes, for the benchmark's report of a missed target:
 * - `cpuSplit` shares out the machine's CPU during a run between the app's process,
 *   PostgreSQL's processes and this one (autocannon), from /proc;
 * - `summariseProfile` reads a V8 CPU profile of the app (node --cpu-prof) and adds
 *   its self time up by package (node_modules/<name>), by file of src/, and by V8's
 *   own work (garbage collection, compiling), so the heaviest parts are named.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds a process has used, its threads included (utime + stime of /proc/<pid>/stat). */
function processSeconds(pid: number | string): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in brackets and may hold spaces: the fields start after its ")".
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
  } catch {
    return 0; // the process ended meanwhile
  }
}

function postgresSeconds(): number {
  let total = 0;
  for (const pid of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres') total += processSeconds(pid);
    } catch {
      // gone, or not ours to read
    }
  }
  return total;
}

export interface CpuSplit {
  /** Percentages of all the machine's cores over the run. */
  app: number;
  database: number;
  loadGenerator: number;
  idle: number;
}

/** Starts counting; the function returned stops and says how the CPU was shared. */
export function cpuSplit(appPid: number): () => CpuSplit {
  const cores = os.cpus().length;
  const started = process.hrtime.bigint();
  const app0 = processSeconds(appPid);
  const db0 = postgresSeconds();
  const self0 = process.cpuUsage();
  return () => {
    const wall = (Number(process.hrtime.bigint() - started) / 1e9) * cores;
    const self = process.cpuUsage(self0);
    const pct = (s: number) => Math.round((s / wall) * 1000) / 10;
    const app = pct(processSeconds(appPid) - app0);
    const database = pct(postgresSeconds() - db0);
    const loadGenerator = pct((self.user + self.system) / 1e6);
    return {
      app,
      database,
      loadGenerator,
      idle: Math.max(0, Math.round((100 - app - database - loadGenerator) * 10) / 10),
    };
  };
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}

interface CpuProfile {
  /** Microseconds, on the profiler's own clock. */
  startTime: number;
  endTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Milliseconds the app's main thread was busy (not idle) in the profile. */
  busyMs: number;
  idleMs: number;
  /** The heaviest parts by self time, as a share of the busy time. */
  parts: { part: string; percent: number }[];
  functions: { name: string; percent: number }[];
}

/** What a frame belongs to: a package, a file of the app, V8's own work or Node's internals. */
function partOf(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : 'native code';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (pkg) return pkg[1]!;
  const app = /\/(src\/.+)$/.exec(url);
  if (app) return app[1]!;
  if (url.startsWith('node:')) return 'node internals';
  return path.basename(url);
}

/**
 * The self time of a profile's samples by package and by function. With `lastMs`, only the
 * samples of its last `lastMs` milliseconds count: the load, not the process's start-up.
 */
export function summariseProfile(file: string, top = 8, lastMs = Infinity): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const selfUs = new Map<number, number>();
  const from = profile.endTime - lastMs * 1000;
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (at >= from) selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0));
  });
  let idle = 0;
  let busy = 0;
  const parts = new Map<string, number>();
  const functions = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)!.callFrame;
    if (frame.functionName === '(idle)') {
      idle += us;
      continue;
    }
    busy += us;
    const part = partOf(frame);
    parts.set(part, (parts.get(part) ?? 0) + us);
    const name = `${frame.functionName || '(anonymous)'} ${part}${frame.url ? `:${frame.lineNumber + 1}` : ''}`;
    functions.set(name, (functions.get(name) ?? 0) + us);
  }
  const heaviest = (m: Map<string, number>) =>
    [...m]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, us]) => ({ name, percent: Math.round((us / busy) * 1000) / 10 }));
  return {
    busyMs: Math.round(busy / 1000),
    idleMs: Math.round(idle / 1000),
    parts: heaviest(parts).map(({ name, percent }) => ({ part: name, percent })),
    functions: heaviest(functions),
  };
}
