import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import request from 'supertest';
import { mailboxTransport, type Transport } from '../../src/mail/transport';
import type { WorkerOptions } from '../../src/mail/worker';
import type { Express } from 'express';
import { createApp } from '../../src/app';
import { samplePdf } from '../../src/demo/samplePdf';
import { createServices, type Services } from '../../src/services';
import type { Clock } from '../../src/core/clock';
import { createTestDb } from './db';
import { seed } from './seeds';

export const PASSWORD = 'correct horse battery staple';

/** A clock that starts at a fixed moment and moves one second each time it is read. */
export function steppingClock(
  start = '2026-03-02T09:00:00Z',
): Clock & { advance(ms: number): void; to(date: string): void; today(): string } {
  let t = new Date(start).getTime();
  return {
    now: () => new Date((t += 1000)),
    advance: (ms: number) => {
      t += ms;
    },
    /** Moves on to 09:00 on the given day (a panel meeting's, say), unless the clock is already past it. */
    to: (date: string) => {
      t = Math.max(t, new Date(`${date}T09:00:00Z`).getTime());
    },
    today: () => new Date(t).toISOString().slice(0, 10),
  };
}

export const ROLES_UNDER_TEST = [
  'secretariat',
  'panel',
  'kent',
  'hackney',
  'kentPcc',
  'metPcc',
  'commissioner',
] as const;
export type Who = (typeof ROLES_UNDER_TEST)[number];

/**
 * The app over a fresh database with a small world: Kent (Kent force area) and
 * Hackney (Metropolitan Police) CSPs, and one signed-in user per role and scope.
 */
export async function createTestApp(
  options: { transport?: Transport; worker?: Partial<WorkerOptions>; twoFactorRequired?: boolean } = {},
) {
  const database = await createTestDb();
  const clock = steppingClock();
  const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-mail-'));
  const services = createServices(database.db, {
    clock,
    maxUploadBytes: 1024 * 1024,
    sessionTtlHours: 12,
    transport: options.transport ?? mailboxTransport(mailDir),
    mailFrom: 'DHR QA <dhr-qa@test.example>',
    publicUrl: 'http://dhr-qa.test',
    worker: { baseDelayMs: 60_000, ...options.worker },
    // Tests sign in with passwords alone unless they are about the second factor.
    twoFactorRequired: options.twoFactorRequired ?? false,
  });
  const app = createApp(services);
  const { db } = services;

  const [kentArea] = await db('police_force_areas')
    .insert({ name: 'Kent', pcc_name: 'Police and Crime Commissioner for Kent', pcc_email: 'pcc@kent.example' })
    .returning('id');
  const [metArea] = await db('police_force_areas')
    .insert({
      name: 'Metropolitan Police',
      pcc_name: "Mayor's Office for Policing and Crime",
      pcc_email: 'mopac@london.example',
    })
    .returning('id');
  const [kentCsp] = await db('csps')
    .insert({
      name: 'Kent CSP',
      police_force_area_id: kentArea.id,
      address_lines: JSON.stringify(['Invicta House', 'Maidstone', 'ME14 1XX']),
      contacts: JSON.stringify([{ name: 'Sam Okafor', email: 'sam@kent.example' }]),
    })
    .returning('id');
  const [hackneyCsp] = await db('csps')
    .insert({
      name: 'Hackney CSP',
      police_force_area_id: metArea.id,
      address_lines: JSON.stringify(['Hackney Town Hall', 'London', 'E8 1EA']),
      contacts: JSON.stringify([{ name: 'Jo Adeyemi', email: 'jo@hackney.example' }]),
    })
    .returning('id');

  const people: Record<Who, { email: string; role: string; cspId?: number; policeForceAreaId?: number }> = {
    secretariat: { email: 'secretariat@test.example', role: 'secretariat' },
    panel: { email: 'panel@test.example', role: 'panel' },
    kent: { email: 'kent@test.example', role: 'csp', cspId: kentCsp.id },
    hackney: { email: 'hackney@test.example', role: 'csp', cspId: hackneyCsp.id },
    kentPcc: { email: 'pcc@test.example', role: 'pcc', policeForceAreaId: kentArea.id },
    metPcc: { email: 'mopac@test.example', role: 'pcc', policeForceAreaId: metArea.id },
    commissioner: { email: 'commissioner@test.example', role: 'commissioner' },
  };
  const tokens = {} as Record<Who, string>;
  for (const who of ROLES_UNDER_TEST) {
    await services.accounts.createUser({ ...people[who], name: `Test ${who}`, password: PASSWORD });
  }
  /** Signs everyone in afresh: tests that move the clock past the session lifetime need it. */
  async function renewTokens() {
    for (const who of ROLES_UNDER_TEST) {
      const res = await request(app).post('/api/v1/session').send({ email: people[who].email, password: PASSWORD });
      tokens[who] = res.body.token;
    }
  }
  await renewTokens();

  const api = (who: Who) => ({
    get: (url: string) => request(app).get(`/api/v1${url}`).set('Authorization', `Bearer ${tokens[who]}`),
    post: (url: string, body?: object) =>
      request(app).post(`/api/v1${url}`).set('Authorization', `Bearer ${tokens[who]}`).send(body),
    put: (url: string, body?: object) =>
      request(app).put(`/api/v1${url}`).set('Authorization', `Bearer ${tokens[who]}`).send(body),
    patch: (url: string, body?: object) =>
      request(app).patch(`/api/v1${url}`).set('Authorization', `Bearer ${tokens[who]}`).send(body),
    event: (reviewId: number, body: object) =>
      request(app).post(`/api/v1/reviews/${reviewId}/events`).set('Authorization', `Bearer ${tokens[who]}`).send(body),
    upload: (reviewId: number, kind: string, bytes: Buffer, filename = `${kind}.pdf`, replaces?: string) => {
      const req = request(app)
        .post(`/api/v1/reviews/${reviewId}/documents`)
        .set('Authorization', `Bearer ${tokens[who]}`)
        .field('kind', kind);
      if (replaces !== undefined) req.field('replaces', replaces);
      return req.attach('file', bytes, filename);
    },
  });

  return {
    app: app as Express,
    services: services as Services,
    db,
    clock,
    api,
    tokens,
    renewTokens,
    /** Moves the clock on to a panel meeting's day, when its outcomes can be recorded, and signs everyone in again. */
    async meetingDay(date: string) {
      clock.to(date);
      await renewTokens();
    },
    ids: { kentArea: kentArea.id, metArea: metArea.id, kentCsp: kentCsp.id, hackneyCsp: hackneyCsp.id },
    mailDir,
    close: async () => {
      await database.destroy();
      fs.rmSync(mailDir, { recursive: true, force: true });
    },
  };
}

export type TestApp = Awaited<ReturnType<typeof createTestApp>>;

/**
 * Makes a fixture at its first use and hands every later caller the same one: each test that
 * needs it asks for it, so it is there whether that test runs first, last or alone.
 */
export function memoised<T>(make: () => Promise<T>): () => Promise<T> {
  let made: Promise<T> | undefined;
  return () => (made ??= make());
}

/**
 * Makes apps for one test file and closes them when its tests are done: an app of its own for a
 * test that moves the clock or changes a setting the others read, so that it neither disturbs
 * them nor depends on what they left. Call it at the top of the file.
 */
export function appsForThisFile(defaults: Parameters<typeof createTestApp>[0] = {}) {
  const made: TestApp[] = [];
  afterAll(async () => {
    for (const t of made) await t.close();
  });
  return async (options = defaults): Promise<TestApp> => {
    const t = await createTestApp(options);
    made.push(t);
    return t;
  };
}

export const pdf = (label = 'report') => samplePdf(`Test document ${label}`);

/** Notifies a review of the CSP (Kent's unless told), attaches the three submission documents and submits it. */
export async function submittedReview(
  t: TestApp,
  pseudonym = 'Mary',
  csp: 'kent' | 'hackney' = 'kent',
): Promise<number> {
  const created = await t.api(csp).post('/reviews', { pseudonym });
  const id = created.body.id as number;
  for (const kind of ['overview_report', 'executive_summary', 'action_plan']) {
    const res = await t.api(csp).upload(id, kind, pdf(kind));
    if (res.status !== 201) throw new Error(`upload ${kind}: ${res.status} ${JSON.stringify(res.body)}`);
  }
  const submitted = await t.api(csp).event(id, { type: 'SUBMIT' });
  if (submitted.status !== 200) throw new Error(`submit: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  return id;
}

/**
 * A meeting on the given date, by default today's (so its outcomes can be recorded at once:
 * a test of a later meeting moves the clock to its day with `t.clock.to`). Returns its id.
 */
export async function meeting(t: TestApp, date = t.clock.today()): Promise<number> {
  const res = await t.api('secretariat').post('/panel-meetings', { date });
  return res.body.id;
}

/**
 * A review of the CSP taken through its real steps as far as `until`, by the secretariat
 * (which may act for any CSP): notified, submitted, approved (the panel content for it to be
 * published, its letter sent), published, or withdrawn. Returns its id.
 */
export async function reviewAt(
  t: TestApp,
  cspId: number,
  until: 'notified' | 'submitted' | 'approved' | 'published' | 'withdrawn',
  pseudonym: string,
): Promise<number> {
  const done = (res: request.Response, step: string) => {
    if (res.status >= 300) throw new Error(`${step}: ${res.status} ${JSON.stringify(res.body)}`);
    return res;
  };
  const s = t.api('secretariat');
  const id = done(await s.post('/reviews', { cspId, pseudonym }), 'notify').body.id as number;
  if (until === 'withdrawn') done(await s.event(id, { type: 'WITHDRAW', reason: 'Notified in error' }), 'withdraw');
  if (until === 'notified' || until === 'withdrawn') return id;
  for (const kind of ['overview_report', 'executive_summary', 'action_plan']) {
    done(await s.upload(id, kind, pdf(kind)), `upload ${kind}`);
  }
  done(await s.event(id, { type: 'SUBMIT' }), 'submit');
  if (until === 'submitted') return id;
  done(await s.event(id, { type: 'SCHEDULE', meetingId: await meeting(t, '2026-02-20') }), 'schedule');
  const outcome = { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: 'A thorough review.', areas: [] };
  done(await t.api('panel').event(id, outcome), 'outcome');
  done(await s.event(id, { type: 'SEND_LETTER' }), 'send the letter');
  if (until === 'approved') return id;
  const publication = { type: 'RECORD_PUBLICATION', url: 'https://csp.example/dhr', publishedOn: '2026-03-01' };
  done(await s.event(id, publication), 'publication');
  return id;
}

/** The Hackney DHR's recommendations, imported by the Hackney CSP into a published review of its own; returns its id. */
export async function hackneyRecommendations(t: TestApp, pseudonym = 'Hackney'): Promise<number> {
  const id = await reviewAt(t, t.ids.hackneyCsp, 'published', pseudonym);
  const content = seed('hackney-dhr-2023-recommendations.txt');
  const imported = await t.api('hackney').post(`/reviews/${id}/recommendations/import`, {
    format: 'text',
    content,
    dryRun: false,
  });
  if (!imported.body.saved) throw new Error(`import: ${imported.status} ${JSON.stringify(imported.body)}`);
  return id;
}

/**
 * A signed-in user of the Metropolitan Police Service, an agency the Hackney
 * recommendations are addressed to (import them first).
 */
export async function metPoliceAgency(
  t: TestApp,
  email = 'met@test.example',
): Promise<{ organisationId: number; token: string }> {
  const org = await t.db('organisations').where({ name_key: 'metropolitanpoliceservice' }).first('id');
  await t.services.accounts.createUser({
    email,
    name: 'MPS lead',
    role: 'agency',
    organisationId: org.id,
    password: PASSWORD,
  });
  const session = await request(t.app).post('/api/v1/session').send({ email, password: PASSWORD });
  return { organisationId: org.id, token: session.body.token };
}
