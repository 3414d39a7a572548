/**
 * The benchmark: npm run bench (DATABASE_URL names a PostgreSQL server).
 *
 * 1. Makes a fresh database next to the one DATABASE_URL names (dhrqa_bench, or
 *    BENCH_DATABASE) and seeds it with 20 times today's national volume.
 * 2. Starts the app on it as its own process and drives it from this one with
 *    autocannon at concurrency 16, each scenario for BENCH_SECONDS (default 10),
 *    after a short warm-up; GET /ready (one SELECT 1) is the baseline.
 * 3. Measures letters rendered per second (HTML) and PDFs per second, and the time
 *    from starting the app on the embedded database to its first 200 from /ready.
 * 4. Times a 1 MB recommendations import of hostile lines (one recommendation, then a
 *    "word | NameN" line per agency) and GET /health's latency while it runs: were the
 *    import read on the event loop every request shares, a slow read would be /health's p99.
 * 5. Lays out a letter of 200 areas as a PDF, on the worker thread as the app does and on
 *    the event loop for comparison, and reports the longest the event loop waited meanwhile.
 *
 * Prints a table with each scenario's ratio to the baseline and the targets, and
 * writes every figure to BENCH_OUTPUT (default bench-results.json).
 */
import { REVIEW_KINDS } from '../src/letters/reviewKinds';
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import autocannon from 'autocannon';
import knex from 'knex';
import { connect, migrate } from '../src/db/connect';
import { shippedBody, templateKind } from '../src/letters/catalogue';
import { addressingFor, makeDraft, renderLetter } from '../src/letters/compose';
import { letterPdf } from '../src/letters/pdf';
import { letterPdfOffThread, stopOffThread } from '../src/offThread';
import { DEFAULT_SETTINGS } from '../src/services/settings';
import { startAppProcess } from './appProcess';
import { cpuSplit, summariseProfile, type CpuSplit, type ProfileSummary } from './bench/profile';
import { BENCH_PASSWORD, benchToken, seedVolume, VOLUME } from './bench/seed';
import { measureSignInTiming } from './signin-timing';

const ROOT = path.join(__dirname, '..');
const SECONDS = Number(process.env.BENCH_SECONDS || 10);
const CONNECTIONS = 16;

interface Scenario {
  name: string;
  kind: 'baseline' | 'read' | 'write';
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  /** For writes: a fresh request each time. */
  next?: () => { path: string; headers: Record<string, string>; body: string };
}

interface Figures {
  name: string;
  kind: Scenario['kind'];
  requests: number;
  rps: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
  ratio?: number;
  target?: string;
  met?: boolean;
  /** How the machine's CPU was shared meanwhile. */
  cpu?: CpuSplit;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const round = (n: number, places = 1) => Math.round(n * 10 ** places) / 10 ** places;

/** Signs in through the sign-in page, as a browser would, and returns the cookies. */
async function signIn(base: string, email: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const [name, ...value] = pair!.split('=');
      jar.set(name!, value.join('='));
    }
  };
  const cookie = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const page = await fetch(`${base}/sign-in`);
  keep(page);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())?.[1];
  if (!csrf) throw new Error('the sign-in page has no CSRF token');
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookie() },
    body: new URLSearchParams({ _csrf: csrf, email, password: BENCH_PASSWORD, next: '/' }),
  });
  if (res.status !== 302) throw new Error(`signing in as ${email} answered ${res.status}`);
  keep(res);
  return cookie();
}

async function drive(base: string, scenario: Scenario, seconds: number): Promise<Figures> {
  const latencies: number[] = [];
  let errors = 0;
  const requests = scenario.next
    ? [
        {
          method: scenario.method,
          setupRequest: (req: autocannon.Request) => ({ ...req, ...scenario.next!() }),
        },
      ]
    : undefined;
  const instance = autocannon({
    url: `${base}${scenario.path}`,
    method: scenario.method,
    headers: scenario.headers,
    connections: CONNECTIONS,
    duration: seconds,
    requests,
    // Without a callback the instance is both an event emitter and a promise of the result.
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  instance.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    latencies.push(ms);
    if (status >= 300) errors++;
  });
  const result = await instance;
  errors += result.errors + result.timeouts;
  latencies.sort((a, b) => a - b);
  return {
    name: scenario.name,
    kind: scenario.kind,
    requests: latencies.length,
    rps: round(latencies.length / seconds),
    p50: round(percentile(latencies, 50)),
    p95: round(percentile(latencies, 95)),
    p99: round(percentile(latencies, 99)),
    errors,
  };
}

interface ImportFigures {
  /** Of the request's JSON body. */
  bytes: number;
  imports: number;
  /** What the app answered each import (422: refused for its thousands of agencies, after reading it). */
  statuses: number[];
  importMsMedian: number;
  importMsMax: number;
  /** GET /health while the imports ran, one after another. */
  healthRequests: number;
  healthP50: number;
  healthP99: number;
  healthMax: number;
  healthErrors: number;
}

/**
 * The body of a preview of one recommendation, then "word | NameN" lines, as large as the API
 * takes (a JSON body of 1 MB, each line break written "\n"): what froze the importer before it was linear.
 */
function hostileImport(bytes = 1_000_000): string {
  const body = (content: string) => JSON.stringify({ format: 'text', content, dryRun: true });
  const lines = ['1 Do this'];
  let size = Buffer.byteLength(body(lines[0]!));
  for (let i = 0; ; i++) {
    const line = `word | Name${i}`;
    if (size + 2 + line.length > bytes) break;
    lines.push(line);
    size += 2 + line.length;
  }
  return body(lines.join('\n'));
}

/**
 * Previews `imports` 1 MB hostile imports (dryRun: nothing is saved), one after another, into
 * `reviewId` while autocannon drives GET /health at 4 connections, and reports how long each
 * import took and /health's latency meanwhile.
 */
async function measureImport(
  base: string,
  reviewId: number,
  headers: Record<string, string>,
  imports = 5,
): Promise<ImportFigures> {
  const body = hostileImport();
  const latencies: number[] = [];
  let healthErrors = 0;
  const health = autocannon({
    url: `${base}/health`,
    connections: 4,
    duration: 3600, // stopped when the imports are done
  }) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  // Only the answers that come while an import is in flight count.
  let importing = false;
  health.on('response', (_client: unknown, status: number, _bytes: number, ms: number) => {
    if (!importing) return;
    latencies.push(ms);
    if (status >= 300) healthErrors++;
  });
  const statuses: number[] = [];
  const times: number[] = [];
  try {
    await new Promise((r) => setTimeout(r, 500)); // /health under way first
    importing = true;
    for (let i = 0; i < imports; i++) {
      const started = process.hrtime.bigint();
      const res = await fetch(`${base}/api/v1/reviews/${reviewId}/recommendations/import`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
      });
      await res.arrayBuffer();
      times.push(Number(process.hrtime.bigint() - started) / 1e6);
      statuses.push(res.status);
    }
  } finally {
    importing = false;
    health.stop();
  }
  const result = await health;
  healthErrors += result.errors + result.timeouts;
  latencies.sort((a, b) => a - b);
  times.sort((a, b) => a - b);
  return {
    bytes: Buffer.byteLength(body),
    imports,
    statuses,
    importMsMedian: round(percentile(times, 50)),
    importMsMax: round(times[times.length - 1]!),
    healthRequests: latencies.length,
    healthP50: round(percentile(latencies, 50)),
    healthP99: round(percentile(latencies, 99)),
    healthMax: round(latencies[latencies.length - 1] ?? NaN),
    healthErrors,
  };
}

/**
 * A letter of 200 areas laid out as a PDF: the time taken, and the longest the event loop
 * waited meanwhile, on the worker thread (as the app does it) and on the event loop.
 */
async function measureLongLetter() {
  const letter = sampleLetter(200);
  const html = renderLetter(letter.draft, letter.context).html;
  const meta = { title: 'DHR-2026-0042 (Mary)', date: '2026-11-22' };
  await letterPdfOffThread(html, meta); // the thread started and warm
  const timed = async (work: () => Promise<unknown>) => {
    const delay = monitorEventLoopDelay({ resolution: 5 });
    delay.enable();
    const started = process.hrtime.bigint();
    await work();
    const ms = round(Number(process.hrtime.bigint() - started) / 1e6);
    delay.disable();
    return { ms, loopMaxMs: round(delay.max / 1e6) };
  };
  const off = await timed(() => letterPdfOffThread(html, meta));
  const on = await timed(() => letterPdf(html, meta));
  return { offThreadMs: off.ms, offThreadLoopMaxMs: off.loopMaxMs, onLoopMs: on.ms };
}

/** How many times `work` completes in about `seconds`. */
async function perSecond(seconds: number, work: () => unknown | Promise<unknown>): Promise<number> {
  await work();
  const started = process.hrtime.bigint();
  let done = 0;
  while (Number(process.hrtime.bigint() - started) / 1e9 < seconds) {
    await work();
    done++;
  }
  return round(done / (Number(process.hrtime.bigint() - started) / 1e9));
}

/** A letter like the Kent one: a publish-after-changes outcome with twelve areas. */
/** A feedback letter of twelve areas, drafted from the shipped template as the service drafts one. */
function sampleLetter(areaCount = 12) {
  const draft = makeDraft(
    { kind: 'publish_after_changes', version: 1, body: shippedBody(templateKind('publish_after_changes')!) },
    {
      kind: 'publish_after_changes',
      reference: 'DHR-2026-0042',
      pseudonym: 'Mary',
      cspName: 'Kent Community Safety Partnership',
      pccName: 'Police and Crime Commissioner for Kent',
      dhrMailbox: DEFAULT_SETTINGS.dhrMailbox,
      ...REVIEW_KINDS.dhr,
      meetingDate: '2026-11-04',
    },
    addressingFor(
      {
        name: 'Kent Community Safety Partnership',
        addressLines: ['Kent County Council', 'Invicta House', 'County Hall', 'Maidstone', 'ME14 1XX'],
      },
      { name: 'Sam Okafor', email: 'sam@kent.example' },
      { ...DEFAULT_SETTINGS, signatoryName: 'Panel Chair', signatoryTitle: 'Chair of the QA Panel' },
    ),
    '2026-11-22',
  );
  const context = {
    today: '2026-11-22',
    commendations: 'A clearly written report.',
    areas: Array.from({ length: areaCount }, (_, i) => ({
      heading: i % 4 === 0 ? 'Chronology' : null,
      text: `Area ${i + 1}: the report should set out what each agency knew, when, and what it did about it.`,
      points: [],
    })),
  };
  return { draft, context };
}

/**
 * On its first start over this backlog the app sends thousands of overdue reminders;
 * the load starts once that is done, so it measures requests, not the backlog.
 */
async function settle(db: ReturnType<typeof connect>): Promise<void> {
  const started = Date.now();
  let last = -1;
  for (;;) {
    await new Promise((r) => setTimeout(r, 2000));
    const reminders = Number((await db('reminders').count({ n: '*' }).first())!.n);
    const queued = Number((await db('outbox').whereIn('status', ['queued', 'sending']).count({ n: '*' }).first())!.n);
    if (reminders === last && queued === 0) break;
    last = reminders;
  }
  console.log(`  the app sent ${last} reminders for the backlog in ${round((Date.now() - started) / 1000)} s`);
  // Its first start also wrote the due day of each review with a running clock (the seed leaves them
  // empty), leaving a dead row for each. On a live database autovacuum clears them within minutes
  // (a fifth of a table changed sets it off); left, they make a count read every row's page rather
  // than the index alone (8 ms of PostgreSQL's time, not 1, per reviews list).
  await db.raw('VACUUM ANALYZE');
}

/**
 * From running `npm start` on an embedded database to its first 200 from /ready. npm
 * starts the app in a process group of its own, which is stopped as one.
 */
async function timeToReady(dataDir: string): Promise<number> {
  const started = Date.now();
  const child = spawn('npm', ['start', '--silent'], {
    cwd: ROOT,
    detached: true,
    env: { ...process.env, PORT: '0', DATA_DIR: dataDir, DATABASE_URL: '', NODE_ENV: 'development' },
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start stopped before it was ready:\n${out}`);
      const url = /running at (http:\/\/localhost:\d+)/.exec(out)?.[1];
      const ok =
        url !== undefined &&
        (await fetch(`${url}/ready`).then(
          (r) => r.status === 200,
          () => false,
        ));
      if (ok) return Date.now() - started;
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    if (child.exitCode === null) process.kill(-child.pid!, 'SIGTERM');
    await exited;
  }
}

function table(rows: Figures[]): string {
  const head = ['scenario', 'req/s', 'ratio', 'p50 ms', 'p95 ms', 'p99 ms', 'errors', 'target', 'met'];
  const body = rows.map((r) => [
    r.name,
    String(r.rps),
    r.ratio === undefined ? '1' : r.ratio.toFixed(2),
    String(r.p50),
    String(r.p95),
    String(r.p99),
    String(r.errors),
    r.target ?? '',
    r.met === undefined ? '' : r.met ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** Runs one scenario against an app started with --cpu-prof, and sums up the profile it writes on exit. */
async function profileScenario(env: NodeJS.ProcessEnv, scenario: Scenario): Promise<ProfileSummary> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-bench-profile-'));
  const app = await startAppProcess('src/server.ts', env, 60_000, ['--cpu-prof', `--cpu-prof-dir=${dir}`]);
  let loaded: number;
  try {
    if (scenario.kind !== 'write') await drive(app.url, scenario, 2);
    loaded = Date.now();
    await drive(app.url, scenario, Math.max(3, SECONDS / 2));
  } finally {
    await app.stop();
  }
  // The load and the stop that followed it, not the start-up and warm-up before.
  const lastMs = Date.now() - loaded;
  const file = fs.readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) throw new Error(`The app wrote no CPU profile for ${scenario.name}`);
  const summary = summariseProfile(path.join(dir, file), 8, lastMs);
  fs.rmSync(dir, { recursive: true, force: true });
  return summary;
}

function printProfile(f: Figures, p: ProfileSummary) {
  const busy = Math.round((p.busyMs / (p.busyMs + p.idleMs)) * 100);
  console.log(
    `\nMissed: ${f.name} (ratio ${f.ratio}, p95 ${f.p95} ms). CPU meanwhile: app ${f.cpu!.app}%, PostgreSQL ${f.cpu!.database}%, load generator ${f.cpu!.loadGenerator}%, idle ${f.cpu!.idle}%.`,
  );
  console.log(`  The app's main thread was busy ${busy}% of the profiled run; its self time by part:`);
  for (const part of p.parts) console.log(`    ${String(part.percent).padStart(5)}%  ${part.part}`);
  console.log('  and by function:');
  for (const fn of p.functions) console.log(`    ${String(fn.percent).padStart(5)}%  ${fn.name}`);
}

async function main() {
  const serverUrl = process.env.DATABASE_URL;
  if (!serverUrl) {
    console.error('Set DATABASE_URL to a PostgreSQL server, e.g. DATABASE_URL=postgres://postgres@127.0.0.1:5432/test');
    process.exit(2);
  }
  const name = process.env.BENCH_DATABASE || 'dhrqa_bench';
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error('BENCH_DATABASE must be a plain lower-case name');
  const output = path.resolve(process.env.BENCH_OUTPUT || 'bench-results.json');
  const benchUrl = new URL(serverUrl);
  benchUrl.pathname = `/${name}`;

  console.log(`Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model}), ${round(os.totalmem() / 2 ** 30)} GiB`);
  console.log(`Seeding a new database "${name}" on ${benchUrl.host}:`);
  const admin = knex({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.raw(`CREATE DATABASE ${name}`);
  await admin.destroy();
  const db = connect({ databaseUrl: benchUrl.toString() });
  await migrate(db);
  const seedStarted = Date.now();
  const steps = await seedVolume(db, (s) =>
    console.log(`  ${s.name.padEnd(26)} ${String(s.rows).padStart(7)} rows  ${(s.ms / 1000).toFixed(1).padStart(5)} s`),
  );
  const seedSeconds = round((Date.now() - seedStarted) / 1000);
  console.log(`  seeded in ${seedSeconds} s\n`);

  // What the scenarios look at: a review in revision with 3 rounds, and open items to answer.
  const threeRounds = await db('reviews')
    .where({ state: 'revising' })
    .whereRaw("(context->>'round')::int = 3")
    .orderBy('id')
    .first('id', 'csp_id');
  const cspUser = await db('users').where({ csp_id: threeRounds.csp_id }).first('id', 'email');
  const secretariat = await db('users').where({ role: 'secretariat' }).first('id', 'email');
  // Recommendations are imported into an approved or published review.
  const published = await db('reviews').where({ state: 'published' }).orderBy('id').first('id');
  const openItems: { itemId: number; reviewId: number; userId: number }[] = await db('revision_items as i')
    .join('rounds as ro', 'ro.id', 'i.round_id')
    .join('reviews as r', 'r.id', 'ro.review_id')
    .join('users as u', 'u.csp_id', 'r.csp_id')
    .where({ 'r.state': 'revising', 'i.status': 'open' })
    .whereRaw("ro.number = (r.context->>'round')::int")
    .orderByRaw('i.id % 97, i.id')
    .select('i.id as itemId', 'r.id as reviewId', 'u.id as userId');

  const appEnv = {
    ...process.env,
    PORT: '0',
    DATABASE_URL: benchUrl.toString(),
    NODE_ENV: 'production',
    // The benchmark signs in by password alone; the code check is one row and not what it measures.
    TWO_FACTOR_REQUIRED: '0',
    SESSION_SECRET: crypto.randomBytes(32).toString('hex'),
    DATA_DIR: fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-bench-')),
    DEMO: '0',
  };
  const app = await startAppProcess('src/server.ts', appEnv);
  const { url } = app;
  let figures: Figures[] = [];
  let importFigures: ImportFigures;
  let scenarios: Scenario[];
  try {
    await settle(db);
    await db.destroy();
    const secretariatCookie = await signIn(url, secretariat.email);
    const cspCookie = await signIn(url, cspUser.email);
    const bearer = (userId: number) => ({ authorization: `Bearer ${benchToken(userId)}` });
    let nextItem = 0;
    scenarios = [
      { name: 'GET /ready (baseline)', kind: 'baseline', method: 'GET', path: '/ready', headers: {} },
      { name: 'dashboard', kind: 'read', method: 'GET', path: '/dashboard', headers: { cookie: secretariatCookie } },
      {
        name: 'reviews list, one state',
        kind: 'read',
        method: 'GET',
        path: '/reviews?state=revising',
        headers: { cookie: secretariatCookie },
      },
      {
        name: 'review page, 3 rounds',
        kind: 'read',
        method: 'GET',
        path: `/reviews/${threeRounds.id}`,
        headers: { cookie: secretariatCookie },
      },
      {
        name: "CSP's outstanding items",
        kind: 'read',
        method: 'GET',
        path: `/reviews/${threeRounds.id}/items`,
        headers: { cookie: cspCookie },
      },
      {
        name: 'GET /api/v1/reviews/:id',
        kind: 'read',
        method: 'GET',
        path: `/api/v1/reviews/${threeRounds.id}`,
        headers: bearer(secretariat.id),
      },
      {
        name: 'POST event RESPOND_TO_ITEM',
        kind: 'write',
        method: 'POST',
        path: '/api/v1/reviews/1/events',
        headers: { 'content-type': 'application/json' },
        next: () => {
          const item = openItems[nextItem++ % openItems.length]!;
          return {
            path: `/api/v1/reviews/${item.reviewId}/events`,
            headers: { 'content-type': 'application/json', ...bearer(item.userId) },
            body: JSON.stringify({
              type: 'RESPOND_TO_ITEM',
              itemId: item.itemId,
              response: 'Section 4.2 now sets out what the GP practice knew and when.',
              reportReference: 'Section 4.2',
            }),
          };
        },
      },
    ];
    for (const scenario of scenarios) {
      if (scenario.kind !== 'write') await drive(url, scenario, 2); // warm-up, not counted
      const split = cpuSplit(app.pid);
      const result = { ...(await drive(url, scenario, SECONDS)), cpu: split() };
      figures.push(result);
      const { cpu } = result;
      console.log(
        `  ${scenario.name}: ${result.rps} req/s, p95 ${result.p95} ms, ${result.errors} errors; CPU: app ${cpu.app}%, PostgreSQL ${cpu.database}%, load generator ${cpu.loadGenerator}%, idle ${cpu.idle}%`,
      );
    }
    if (nextItem > openItems.length)
      console.log(`  (the event scenario reused items: ${nextItem} > ${openItems.length})`);

    console.log('\nA 1 MB recommendations import of hostile lines, with GET /health meanwhile:');
    importFigures = await measureImport(url, published.id, bearer(secretariat.id));
    console.log(
      `  import ${importFigures.importMsMedian} ms (median of ${importFigures.imports}, max ${importFigures.importMsMax} ms, answered ${[...new Set(importFigures.statuses)].join(', ')}); /health p99 ${importFigures.healthP99} ms (p50 ${importFigures.healthP50} ms, max ${importFigures.healthMax} ms, ${importFigures.healthRequests} requests, ${importFigures.healthErrors} errors)`,
    );
  } finally {
    await app.stop();
  }

  const baseline = figures[0]!.rps;
  figures = figures.map((f) => {
    if (f.kind === 'baseline') return f;
    const ratio = round(f.rps / baseline, 3);
    const [minRatio, maxP95] = f.kind === 'read' ? [0.25, 50] : [0.15, 100];
    return {
      ...f,
      ratio,
      target: `>=${minRatio} <${maxP95}ms`,
      met: ratio >= minRatio && f.p95 < maxP95 && f.errors === 0,
    };
  });

  // A missed target is shown with where the time went: the app's CPU profile under the same load.
  const profiles: Record<string, ProfileSummary> = {};
  for (const f of figures.filter((x) => x.met === false)) {
    const scenario = scenarios.find((s) => s.name === f.name)!;
    profiles[f.name] = await profileScenario(appEnv, scenario);
    printProfile(f, profiles[f.name]!);
  }

  console.log('\nLetters and PDFs (in this process):');
  const letter = sampleLetter();
  const html = renderLetter(letter.draft, letter.context).html;
  const lettersPerSecond = await perSecond(3, () => renderLetter(letter.draft, letter.context));
  const pdfsPerSecond = await perSecond(3, () =>
    letterPdf(html, { title: 'DHR-2026-0042 (Mary)', date: '2026-11-22' }),
  );
  console.log(`  ${lettersPerSecond} letters/s (HTML, target 500), ${pdfsPerSecond} PDFs/s (target 20)`);
  const longLetter = await measureLongLetter();
  console.log(
    `  a letter of 200 areas: ${longLetter.offThreadMs} ms on the worker thread, the event loop waiting at most ${longLetter.offThreadLoopMaxMs} ms; on the event loop it would wait ${longLetter.onLoopMs} ms`,
  );
  await stopOffThread();

  console.log('\nStart-up on the embedded database (npm start):');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-bench-start-'));
  const firstStartMs = await timeToReady(dataDir);
  const restartMs = await timeToReady(dataDir);
  fs.rmSync(dataDir, { recursive: true, force: true });
  console.log(`  first start (migrations and demo data) ${firstStartMs} ms; restart ${restartMs} ms`);

  console.log('\nFailed sign-ins (in this process, embedded database):');
  const signInTiming = await measureSignInTiming(40);
  console.log(
    `  unknown email ${signInTiming.unknownEmailMs} ms, known email with a wrong password ${signInTiming.wrongPasswordMs} ms (mean of ${signInTiming.samples}); difference ${signInTiming.differenceMs} ms`,
  );

  console.log(`\nLoad at concurrency ${CONNECTIONS}, ${SECONDS} s each, against ${VOLUME.reviews} reviews:\n`);
  console.log(table(figures));
  const targetsMet = figures.every((f) => f.met !== false) && lettersPerSecond >= 500 && pdfsPerSecond >= 20;
  console.log(
    `\nletters: ${lettersPerSecond}/s (HTML), PDFs: ${pdfsPerSecond}/s; start-up to ready: ${firstStartMs} ms`,
  );
  console.log(
    `1 MB hostile recommendations import: ${importFigures.importMsMedian} ms; /health p99 meanwhile ${importFigures.healthP99} ms`,
  );
  console.log(targetsMet ? 'Every target met.' : 'Some targets missed (marked NO above).');

  fs.writeFileSync(
    output,
    JSON.stringify(
      {
        date: new Date().toISOString(),
        machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGiB: round(os.totalmem() / 2 ** 30) },
        node: process.version,
        volume: VOLUME,
        seed: { seconds: seedSeconds, steps },
        load: { connections: CONNECTIONS, seconds: SECONDS, baselineRps: baseline, scenarios: figures },
        letters: { htmlPerSecond: lettersPerSecond, pdfPerSecond: pdfsPerSecond, longLetter },
        startup: { firstStartMs, restartMs },
        signIn: signInTiming,
        recommendationsImport: importFigures,
        profiles,
        targetsMet,
      },
      null,
      2,
    ),
  );
  console.log(`Figures written to ${output}`);
}

main().catch((err) => {
  console.error(`The benchmark failed: ${(err as Error).message}`);
  process.exit(1);
});
