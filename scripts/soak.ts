/**
 * Soak: the app as `npm start` runs it, under mixed load for a while, watching its
 * memory. Run with `npm run soak` (SOAK_SECONDS=600 by default, SOAK_CONCURRENCY=8).
 * Uses DATABASE_URL when set (demo data is added to an empty database and the demo
 * password is reset), otherwise a fresh embedded database in a temporary directory.
 * Prints the requests done, the errors, and the app's RSS at the start, the end and
 * its highest. Traffic goes to the app on localhost only; the load stops by itself.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startAppProcess } from './appProcess';

const SECONDS = Number(process.env.SOAK_SECONDS || 600);
const CONCURRENCY = Number(process.env.SOAK_CONCURRENCY || 8);
const SAMPLE_MS = 10_000;
const REQUEST_TIMEOUT_MS = 30_000;
/** Set when the app ends before the soak does: the load stops and the figures so far are printed. */
let ended: string | undefined;

function rssKb(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]);
}

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

async function startApp(env: NodeJS.ProcessEnv) {
  const app = await startAppProcess('src/server.ts', { ...process.env, PORT: '0', ...env }, 120_000);
  let stopping = false;
  // A crash mid-soak is a finding: say how the app ended and what it said last.
  void app.exited.then((code) => {
    if (stopping) return;
    ended = `the app ended during the soak (code ${code}); its last output:\n${app.output().split('\n').slice(-5).join('\n')}`;
  });
  const stop = async () => {
    stopping = true;
    await app.stop();
  };
  return { url: app.url, pid: app.pid, stop };
}

interface Stats {
  requests: number;
  errors: number;
  byStatus: Map<string, number>;
  latencies: number[];
}

async function timed(stats: Stats, what: () => Promise<Response>, ok: (status: number) => boolean) {
  const started = performance.now();
  let key: string;
  try {
    const res = await what();
    await res.arrayBuffer();
    key = String(res.status);
    if (!ok(res.status)) stats.errors++;
  } catch (err) {
    key = (err as Error).name;
    stats.errors++;
  }
  stats.requests++;
  stats.latencies.push(performance.now() - started);
  stats.byStatus.set(key, (stats.byStatus.get(key) ?? 0) + 1);
}

/** A browser session: the sign-in form with its CSRF token, then the session cookie. */
async function pageSession(base: string, email: string, password: string): Promise<string> {
  const form = await fetch(`${base}/sign-in`);
  const cookies = form.headers.getSetCookie().map((c) => c.split(';')[0]);
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await form.text())![1]!;
  const res = await fetch(`${base}/sign-in`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: cookies.join('; ') },
    body: new URLSearchParams({ _csrf: csrf, email, password, next: '/' }),
  });
  if (res.status !== 302) throw new Error(`page sign-in as ${email} answered ${res.status}`);
  return [...cookies, ...res.headers.getSetCookie().map((c) => c.split(';')[0])].join('; ');
}

async function apiToken(base: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (res.status !== 200) throw new Error(`API sign-in as ${email} answered ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

async function main() {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-soak-'));
  const password = crypto.randomBytes(12).toString('hex');
  const app = await startApp({ DATA_DIR: dataDir, DEMO: '1', DEMO_PASSWORD: password, NODE_ENV: 'development' });
  console.log(`soak: ${SECONDS} s at concurrency ${CONCURRENCY} against ${app.url} (pid ${app.pid})`);
  console.log(`database: ${process.env.DATABASE_URL ? 'PostgreSQL (DATABASE_URL)' : 'embedded'}`);
  try {
    const base = app.url;
    const secretariat = await apiToken(base, 'secretariat@dhr-qa.example', password);
    const kent = await apiToken(base, 'csp.kent@dhr-qa.example', password);
    const cookie = await pageSession(base, 'secretariat@dhr-qa.example', password);
    const auth = (token: string) => ({ authorization: `Bearer ${token}` });
    const json = (token: string) => ({ ...auth(token), 'content-type': 'application/json' });
    const get = (url: string, headers: Record<string, string>) =>
      fetch(`${base}${url}`, { headers, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const post = (url: string, token: string, body: object) =>
      fetch(`${base}${url}`, {
        method: 'POST',
        headers: json(token),
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });

    const stats: Stats = { requests: 0, errors: 0, byStatus: new Map(), latencies: [] };
    const samples: { at: number; kb: number }[] = [];
    const startedAt = Date.now();
    const sample = () => {
      if (ended) return;
      const kb = rssKb(app.pid);
      samples.push({ at: Math.round((Date.now() - startedAt) / 1000), kb });
      console.log(`  ${String(samples.at(-1)!.at).padStart(4)} s  RSS ${mb(kb)}  requests ${stats.requests}`);
    };
    sample();
    const sampler = setInterval(sample, SAMPLE_MS);
    const deadline = startedAt + SECONDS * 1000;

    // Each client notifies a review of its own and pauses and resumes it, between reads of
    // the API and of pages: each event is a transaction with its history row.
    const client = async (n: number) => {
      const created = await post('/api/v1/reviews', kent, { pseudonym: `Soak ${n} ${Date.now()}` });
      const reviewId = ((await created.json()) as { id: number }).id;
      for (let i = 0; Date.now() < deadline && !ended; i++) {
        switch (i % 6) {
          case 0:
            await timed(
              stats,
              () => get('/api/v1/reviews?limit=50', auth(secretariat)),
              (s) => s === 200,
            );
            break;
          case 1:
            await timed(
              stats,
              () => get(`/api/v1/reviews/${reviewId}`, auth(kent)),
              (s) => s === 200,
            );
            break;
          case 2:
            await timed(
              stats,
              () => get('/dashboard', { cookie }),
              (s) => s === 200,
            );
            break;
          case 3: {
            // PAUSE and RESUME in turn; the one client of this review never races itself.
            const type = i % 12 === 3 ? 'PAUSE' : 'RESUME';
            const body = type === 'PAUSE' ? { type, reason: 'Soak test' } : { type };
            await timed(
              stats,
              () => post(`/api/v1/reviews/${reviewId}/events`, secretariat, body),
              (s) => s === 200,
            );
            break;
          }
          case 4:
            await timed(
              stats,
              () => get(`/reviews/${reviewId}`, { cookie }),
              (s) => s === 200,
            );
            break;
          default:
            await timed(
              stats,
              () => get('/api/v1/panel-meetings', auth(secretariat)),
              (s) => s === 200,
            );
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, (_, n) => client(n)));
    clearInterval(sampler);
    sample();

    const elapsed = (Date.now() - startedAt) / 1000;
    const sorted = stats.latencies.sort((a, b) => a - b);
    const pct = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!.toFixed(1);
    const max = Math.max(...samples.map((s) => s.kb));
    console.log('\nsoak figures');
    console.log(`  duration        ${elapsed.toFixed(0)} s at concurrency ${CONCURRENCY}`);
    console.log(`  requests        ${stats.requests} (${(stats.requests / elapsed).toFixed(1)}/s)`);
    console.log(`  errors          ${stats.errors}`);
    console.log(`  answers         ${JSON.stringify(Object.fromEntries(stats.byStatus))}`);
    console.log(`  latency         p50 ${pct(50)} ms, p99 ${pct(99)} ms`);
    // The first sample follows start-up and demo seeding; the second, ten seconds into the load, is
    // the app warmed up: memory is flat when the end is close to that.
    console.log(`  RSS before load ${mb(samples[0]!.kb)}`);
    console.log(
      `  RSS start       ${mb((samples[1] ?? samples[0]!).kb)} (after ${(samples[1] ?? samples[0]!).at} s of load)`,
    );
    console.log(`  RSS end         ${mb(samples.at(-1)!.kb)}`);
    console.log(`  RSS max         ${mb(max)}`);
    if (ended) console.log(`\n${ended}`);
    if (stats.errors > 0 || ended) process.exitCode = 1;
  } finally {
    await app.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(`soak failed: ${(err as Error).message}`);
  process.exit(1);
});
