/**
 * Faults under load, with real parts: app and worker processes, PostgreSQL, an
 * SMTP server. Each test checks what a user would notice afterwards: every review
 * where its history says it is, every email delivered once.
 */
import request from 'supertest';
import { startCluster, type Cluster } from '../helpers/cluster';
import { createTestDb } from '../helpers/db';
import { startAppProcess, type AppProcess } from '../helpers/processes';
import { startSmtp } from '../helpers/smtp';
import {
  call,
  CLIENT_TIMEOUT_MS,
  deliveries,
  drive,
  EMAILS,
  eventually,
  inconsistencies,
  newTally,
  notifiedWithDocuments,
  PASSWORD,
  seedWorld,
  type World,
} from './load';

type Smtp = Awaited<ReturnType<typeof startSmtp>>;

/** Events each review gets before the load: NOTIFY and three documents. */
const SETUP_EVENTS = 4;

function env(databaseUrl: string, smtp: Smtp, workerIntervalSeconds = 1): NodeJS.ProcessEnv {
  return {
    DATABASE_URL: databaseUrl,
    DEMO: '0',
    SMTP_URL: smtp.url(),
    // Set alike on every instance, as the README asks.
    SESSION_SECRET: 'fault-tests-session-secret-of-forty-characters',
    PUBLIC_URL: 'http://dhr-qa.test',
    MAIL_FROM: 'DHR QA <dhr-qa@faults.example>',
    WORKER_INTERVAL_SECONDS: String(workerIntervalSeconds),
    MAIL_RETRY_SECONDS: '1',
    // The load uploads every review's documents at once as one CSP user; its limits are not what is tested here.
    UPLOADS_AT_ONCE: '100',
  };
}

const alive = (p: AppProcess) => {
  try {
    process.kill(p.pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Every outbox message delivered exactly once, nothing failed. */
async function expectMailDeliveredOnce(world: World, smtp: Smtp) {
  await eventually('every message sent', async () => (await deliveries(world.db, smtp.received)).notSent.length === 0);
  // A message sent twice would arrive after it was marked sent: give a second sender time to show itself.
  await new Promise((r) => setTimeout(r, 2000));
  const d = await deliveries(world.db, smtp.received);
  expect(d.notSent).toEqual([]);
  expect(d.missing).toEqual([]);
  expect(d.twice).toEqual([]);
  expect(d.unknown).toEqual([]);
  return d.outbox.length;
}

async function reviewsWithDocuments(apps: string[], world: World, n: number, name: string) {
  return Promise.all(
    Array.from({ length: n }, (_, i) => notifiedWithDocuments(apps[i % apps.length]!, world, `${name} ${i}`)),
  );
}

/** Stops whatever was started, in reverse order, even when a test fails half way. */
let cleanups: (() => Promise<unknown> | unknown)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});

async function onSharedServer() {
  const smtp = await startSmtp();
  cleanups.push(() => smtp.stop());
  const database = await createTestDb();
  cleanups.push(() => database.destroy());
  const world = await seedWorld(database.url!);
  cleanups.push(() => world.db.destroy());
  return { smtp, url: database.url!, world };
}

async function start(script: 'src/server.ts' | 'src/worker.ts', environment: NodeJS.ProcessEnv) {
  const p = await startAppProcess(script, environment);
  cleanups.push(() => p.stop());
  return p;
}

describe('two app processes and two workers on one PostgreSQL', () => {
  it('apply every event once, send every email once and keep every history consistent', async () => {
    const { smtp, url, world } = await onSharedServer();
    const [a, b] = await Promise.all([start('src/server.ts', env(url, smtp)), start('src/server.ts', env(url, smtp))]);
    await Promise.all([start('src/worker.ts', env(url, smtp)), start('src/worker.ts', env(url, smtp))]);
    const apps = [a!.url, b!.url];
    const reviewIds = await reviewsWithDocuments(apps, world, 8, 'Pair');

    // Ten SUBMITs of one review against the same version, half on each process: one wins.
    const race = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        call(apps[i % 2]!, world.tokens.kent, 'POST', `/api/v1/reviews/${reviewIds[0]}/events`, {
          type: 'SUBMIT',
          expectedVersion: SETUP_EVENTS,
        }),
      ),
    );
    expect(race.map((r) => r?.status).sort()).toEqual([200, ...Array(9).fill(409)]);

    const tally = newTally();
    tally.applied.set(reviewIds[0]!, new Map([[SETUP_EVENTS + 1, 'SUBMIT']]));
    await drive({ apps: () => apps, world, reviewIds, clientsPerReview: 2, steps: 8, tally });

    expect(tally.lost).toBe(0);
    expect(Object.fromEntries(tally.other)).toEqual({});
    expect(tally.conflicts).toBeGreaterThan(0);
    expect(await inconsistencies(world.db, tally)).toEqual([]);
    // Nothing was applied that a client was not told about.
    for (const id of reviewIds) {
      const { version } = await world.db('reviews').where({ id }).first('version');
      expect(version).toBe(SETUP_EVENTS + tally.applied.get(id)!.size);
    }
    expect(await world.db('outbox').distinct('kind').pluck('kind')).toContain('acknowledgement');
    await expectMailDeliveredOnce(world, smtp);
  }, 150_000);
});

describe('an app process killed with SIGKILL in the middle of a burst', () => {
  it('leaves no half-applied event, and the mail its requests queued goes out once', async () => {
    const { smtp, url, world } = await onSharedServer();
    // The apps' own senders are slowed right down so that the two workers send the mail: a sender
    // killed while holding messages keeps them for its five-minute lease, longer than a test should wait.
    const [a, b] = await Promise.all([
      start('src/server.ts', env(url, smtp, 3600)),
      start('src/server.ts', env(url, smtp, 3600)),
    ]);
    await Promise.all([start('src/worker.ts', env(url, smtp)), start('src/worker.ts', env(url, smtp))]);
    const reviewIds = await reviewsWithDocuments([a!.url, b!.url], world, 8, 'Kill');

    let live = [a!.url, b!.url];
    let answers = 0;
    let restarted: Promise<AppProcess> | undefined;
    const tally = newTally();
    await drive({
      apps: () => live,
      world,
      reviewIds,
      clientsPerReview: 2,
      steps: 8,
      tally,
      onAnswer: () => {
        // Mid-burst, once events are in flight on this process: about sixteen requests are, half of them
        // here. Three at least, so that not all of them can have been answered as the process dies.
        if (++answers < 40 || restarted || (tally.sending.get(a!.url) ?? 0) < 3) return;
        process.kill(a!.pid, 'SIGKILL');
        live = [b!.url];
        restarted = start('src/server.ts', env(url, smtp, 3600)).then((again) => {
          live = [again.url, b!.url];
          return again;
        });
      },
    });
    const again = await restarted!;
    expect(alive(a!)).toBe(false);

    // The requests that died with the process may or may not have been applied; nothing else may differ.
    expect(tally.lost).toBeGreaterThan(0);
    expect(Object.fromEntries(tally.other)).toEqual({});
    expect(await inconsistencies(world.db, tally)).toEqual([]);
    let unacknowledged = 0;
    for (const id of reviewIds) {
      const { version } = await world.db('reviews').where({ id }).first('version');
      unacknowledged += version - SETUP_EVENTS - (tally.applied.get(id)?.size ?? 0);
    }
    expect(unacknowledged).toBeGreaterThanOrEqual(0);
    expect(unacknowledged).toBeLessThanOrEqual(tally.lost);

    // The restarted process serves the reviews where the database left them.
    for (const id of reviewIds) {
      const res = await call(again.url, world.tokens.secretariat, 'GET', `/api/v1/reviews/${id}`);
      const row = await world.db('reviews').where({ id }).first('state', 'version');
      expect({ state: res!.body.state, version: res!.body.version }).toEqual(row);
    }
    expect(await expectMailDeliveredOnce(world, smtp)).toBeGreaterThanOrEqual(reviewIds.length);
  }, 150_000);
});

describe('SMTP down for a while under load', () => {
  it('queues the mail and sends each message once when SMTP is back', async () => {
    const { smtp, url, world } = await onSharedServer();
    const [a, b] = await Promise.all([start('src/server.ts', env(url, smtp)), start('src/server.ts', env(url, smtp))]);
    await start('src/worker.ts', env(url, smtp));
    const apps = [a!.url, b!.url];
    const reviewIds = await reviewsWithDocuments(apps, world, 6, 'Smtp');

    await smtp.stop();
    const tally = newTally();
    // SUBMIT, schedule, outcome, SEND_LETTER: an acknowledgement, the team mailbox's notice and a letter for each review.
    await drive({ apps: () => apps, world, reviewIds, clientsPerReview: 1, steps: 4, tally });
    expect(Object.fromEntries(tally.other)).toEqual({});
    await eventually('the senders to fail at least once', async () =>
      Boolean(await world.db('outbox').whereNotNull('last_error').first()),
    );
    expect(smtp.received).toHaveLength(0);
    const queued = await world.db('outbox').count('* as n');
    expect(Number(queued[0]!.n)).toBe(reviewIds.length * 3);

    await smtp.start();
    await drive({ apps: () => apps, world, reviewIds, clientsPerReview: 1, steps: 2, tally });
    expect(await expectMailDeliveredOnce(world, smtp)).toBe(reviewIds.length * 3);
    expect(await world.db('outbox').where({ status: 'failed' })).toHaveLength(0);
    expect(await inconsistencies(world.db, tally)).toEqual([]);
  }, 120_000);
});

describe('PostgreSQL restarted under load', () => {
  let cluster: Cluster;
  beforeAll(async () => {
    cluster = await startCluster();
  });
  afterAll(() => cluster.remove());

  it('answers 503 while it is down, keeps the processes alive, and works again once it is back', async () => {
    const smtp = await startSmtp();
    cleanups.push(() => smtp.stop());
    const url = cluster.createDatabase('faults');
    const world = await seedWorld(url);
    cleanups.push(() => world.db.destroy());
    // The app's own sender is slowed right down: the mail after the outage must come from the worker.
    const app = await start('src/server.ts', env(url, smtp, 3600));
    const worker = await start('src/worker.ts', env(url, smtp));
    const reviewIds = await reviewsWithDocuments([app.url], world, 4, 'Restart');
    const browser = request.agent(app.url);
    const signInPage = await browser.get('/sign-in');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(signInPage.text)![1];
    const signIn = await browser
      .post('/sign-in')
      .type('form')
      .send({ _csrf: csrf, email: EMAILS.secretariat, password: PASSWORD, next: '/' });
    expect(signIn.status).toBe(302);

    const tally = newTally();
    let answers = 0;
    await drive({
      apps: () => [app.url],
      world,
      reviewIds,
      clientsPerReview: 2,
      steps: 4,
      tally,
      onAnswer: () => {
        if (++answers === 8) cluster.stop('fast');
      },
    });
    // Requests in flight when it stopped, and those after, were answered: 503, never a hang or a 500.
    expect(tally.lost).toBe(0);
    expect([...tally.other.keys()]).toEqual([503]);

    // While it is down, everything that needs the database answers 503 (before the client gives up).
    for (let round = 0; round < 3; round++) {
      const answers = await Promise.all([
        call(app.url, world.tokens.secretariat, 'GET', '/api/v1/reviews'),
        call(app.url, world.tokens.secretariat, 'GET', `/api/v1/reviews/${reviewIds[0]}`),
        call(app.url, world.tokens.kent, 'POST', `/api/v1/reviews/${reviewIds[1]}/events`, { type: 'SUBMIT' }),
        call(app.url, undefined, 'POST', '/api/v1/session', { email: EMAILS.kent, password: PASSWORD }),
        call(app.url, undefined, 'GET', '/ready'),
      ]);
      expect(answers.map((r) => r?.status)).toEqual([503, 503, 503, 503, 503]);
      expect(answers[0]!.body.error).toMatch(/unavailable|database/i);
      const page = await browser.get('/dashboard').timeout(CLIENT_TIMEOUT_MS);
      expect(page.status).toBe(503);
      expect(page.text).toContain('Sorry, the service is unavailable');
      expect((await call(app.url, undefined, 'GET', '/health'))?.status).toBe(200);
    }
    expect(alive(app) && alive(worker)).toBe(true);

    cluster.start();
    await eventually(
      'the app to be ready again',
      async () => (await call(app.url, undefined, 'GET', '/ready'))?.status === 200,
      30_000,
    );
    expect((await browser.get('/dashboard').timeout(CLIENT_TIMEOUT_MS)).status).toBe(200);
    const after = newTally();
    await drive({ apps: () => [app.url], world, reviewIds, clientsPerReview: 1, steps: 3, tally: after });
    expect(Object.fromEntries(after.other)).toEqual({});
    expect(after.lost).toBe(0);
    expect([...after.applied.values()].reduce((n, v) => n + v.size, 0)).toBe(reviewIds.length * 3);
    expect(await inconsistencies(world.db, newTally())).toEqual([]);
    // The worker lived through it and sends what is queued since.
    const late = await notifiedWithDocuments(app.url, world, 'After the restart');
    expect(
      (await call(app.url, world.tokens.kent, 'POST', `/api/v1/reviews/${late}/events`, { type: 'SUBMIT' }))?.status,
    ).toBe(200);
    expect(await expectMailDeliveredOnce(world, smtp)).toBeGreaterThan(reviewIds.length);
    expect(alive(app) && alive(worker)).toBe(true);
    // Logs name the failure, never a stack trace.
    expect(app.output() + worker.output()).not.toMatch(/\n\s+at /);
  }, 120_000);
});
