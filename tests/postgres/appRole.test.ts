/**
 * The app's least-privilege role on a real PostgreSQL server: the schema owner migrates
 * and grants, the app connects as a role of its own, does its real work, and cannot
 * change the audit trails or a sent letter, nor remove the triggers that guard them.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex, { type Knex } from 'knex';
import { loadConfig } from '../../src/config';
import { seedDemo } from '../../src/demo/seed';
import { samplePdf } from '../../src/demo/samplePdf';
import { open } from '../../src/runtime';
import type { Services } from '../../src/services';
import { memoised } from '../helpers/app';
import { cli } from '../helpers/processes';

const serverUrl = process.env.TEST_DATABASE_URL!;
const suffix = `${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
const OWNER = `dhrqa_owner_${suffix}`;
const APP = `dhrqa_app_${suffix}`;

/** The test server's address, signed in as `user` to `database`. */
function urlFor(user: string, database: string): string {
  const url = new URL(serverUrl);
  url.username = user;
  url.password = '';
  url.pathname = `/${database}`;
  return url.toString();
}

/** The error a statement fails with, as { code, message }; fails the test if it succeeds. */
async function refusal(db: Knex, sql: string): Promise<{ code: string; message: string }> {
  try {
    await db.raw(sql);
  } catch (err) {
    const { code, message } = err as { code: string; message: string };
    return { code, message };
  }
  throw new Error(`expected to be refused: ${sql}`);
}

let admin: Knex;
const databases: string[] = [];
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-approle-'));

async function freshDatabase(): Promise<string> {
  const name = `dhrqa_role_${suffix}_${databases.length}`;
  await admin.raw(`CREATE DATABASE ${name} OWNER ${OWNER}`);
  databases.push(name);
  return name;
}

/** The app's services as they start in production, from the environment alone. */
const openApp = (env: Record<string, string>) => open(loadConfig({ NODE_ENV: 'test', DATA_DIR: dataDir, ...env }));

beforeAll(async () => {
  admin = knex({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE ROLE ${OWNER} LOGIN`);
  await admin.raw(`CREATE ROLE ${APP} LOGIN`);
});

afterAll(async () => {
  for (const name of databases) await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.raw(`DROP ROLE IF EXISTS ${APP}`);
  await admin.raw(`DROP ROLE IF EXISTS ${OWNER}`);
  await admin.destroy();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('the app role, granted with the command line', () => {
  let database: string;
  let services: Services;
  let owner: Knex;

  beforeAll(async () => {
    database = await freshDatabase();
    // The owner migrates (the command line brings the schema up to date first) and grants.
    const granted = cli(['grant-app-role', '--role', APP], {
      DATABASE_URL: urlFor(OWNER, database),
      DATA_DIR: dataDir,
    });
    expect(granted.output).toContain(`Role ${APP} may now read and write`);
    expect(granted.status).toBe(0);
    // The app connects as its own role and, the schema being up to date, does not try to migrate.
    services = await openApp({ DATABASE_URL: urlFor(APP, database) });
    owner = knex({ client: 'pg', connection: urlFor(OWNER, database), pool: { min: 0, max: 1 } });
  }, 120_000);

  afterAll(async () => {
    await services?.db.destroy();
    await owner?.destroy();
  });

  /** The demo data, seeded through the app's role by the first test that needs it: it holds sent letters. */
  const demoSeeded = memoised(() => seedDemo(services, 'a demo password for the role test'));

  it('refuses a role that does not exist or that owns the tables', () => {
    const env = { DATABASE_URL: urlFor(OWNER, database), DATA_DIR: dataDir };
    const missing = cli(['grant-app-role', '--role', `${APP}_missing`], env);
    expect(missing.status).toBe(1);
    expect(missing.output).toContain(`There is no role "${APP}_missing"`);
    const ownerItself = cli(['grant-app-role', '--role', OWNER], env);
    expect(ownerItself.status).toBe(1);
    expect(ownerItself.output).toContain('the app needs a role of its own');
  });

  it('does the real work: reviews, events, a sent letter, a recommendation response', async () => {
    expect((await services.db.raw('select current_user as u')).rows[0].u).toBe(APP);
    await demoSeeded();
    const find = async (email: string) => (await services.accounts.findUserByEmail(email))!;
    const secretariat = await find('secretariat@dhr-qa.example');
    const kent = await find('csp.kent@dhr-qa.example');
    const agency = await find('agency.met@dhr-qa.example');

    // A new review, notified and with a document: events recorded in review_events.
    const review = await services.reviews.create(kent, { pseudonym: 'Role test' });
    await services.reviews.attachDocument(kent, review.id, {
      kind: 'overview_report',
      filename: 'overview.pdf',
      bytes: samplePdf('Role test overview'),
    });
    // Mary, submitted by the demo data, through the panel to a sent letter.
    const mary = await services.db('reviews').where({ pseudonym: 'Mary' }).first('id');
    const [meeting] = await services.db('panel_meetings').orderBy('date').limit(1).pluck('id');
    const send = (event: object) => services.reviews.sendEvent(secretariat, mary.id, event);
    await send({ type: 'SCHEDULE', meetingId: meeting });
    await send({
      type: 'RECORD_OUTCOME',
      outcome: 'publish_after_changes',
      commendations: 'A careful review.',
      areas: [{ text: 'Say more about the housing provider.' }],
    });
    const sent = await send({ type: 'SEND_LETTER' });
    expect(sent.state).toBe('revising');

    const [link] = await services
      .db('recommendation_agencies')
      .where({ organisation_id: agency.organisationId })
      .orderBy('id')
      .limit(1)
      .pluck('id');
    await services.recommendations.respond(agency, link, { response: 'accepted', rationale: 'We agree.' });

    // Sessions, the outbox and the reminders work too.
    const session = await services.accounts.signIn({
      email: 'csp.kent@dhr-qa.example',
      password: 'a demo password for the role test',
    });
    expect(await services.accounts.authenticate(session.token)).toMatchObject({ id: kent.id });
    await services.mailWorker.runOnce();
    await services.reminders.runOnce();

    const history = await services.db('review_events').where({ review_id: mary.id }).pluck('type');
    expect(history).toEqual(expect.arrayContaining(['SCHEDULE', 'RECORD_OUTCOME', 'SEND_LETTER']));
    expect(await services.db('recommendation_events').where({ type: 'RESPONDED' }).count('* as n')).toEqual([{ n: 1 }]);
    expect(await services.db('outbox').where({ status: 'sent' }).count('* as n')).not.toEqual([{ n: 0 }]);
  }, 120_000);

  it('may not update, delete or truncate the audit trails: permission denied', async () => {
    const db = services.db;
    const before = await db('review_events').count('* as n');
    for (const table of ['review_events', 'recommendation_events']) {
      for (const sql of [`UPDATE ${table} SET type = 'FORGED'`, `DELETE FROM ${table}`, `TRUNCATE ${table}`]) {
        const err = await refusal(db, sql);
        expect(err.code).toBe('42501');
        // The privilege check, not the trigger: the database refuses before any row is touched.
        expect(err.message).toContain(`permission denied for table ${table}`);
      }
    }
    expect(await db('review_events').count('* as n')).toEqual(before);
    expect(await db('review_events').where({ type: 'FORGED' }).count('* as n')).toEqual([{ n: 0 }]);
  });

  it('may not drop, disable or replace the triggers, nor switch triggers off for its session', async () => {
    const db = services.db;
    for (const sql of [
      'DROP TRIGGER review_events_append_only ON review_events',
      'ALTER TABLE review_events DISABLE TRIGGER review_events_append_only',
      'ALTER TABLE recommendation_events DISABLE TRIGGER ALL',
      'DROP TRIGGER letters_frozen ON letters',
      'ALTER TABLE letters DISABLE TRIGGER letters_frozen',
      'DROP TABLE review_events',
    ]) {
      const err = await refusal(db, sql);
      expect(err.code).toBe('42501');
      expect(err.message).toMatch(/must be owner of (table|relation)/);
    }
    const replaced = await refusal(
      db,
      `CREATE OR REPLACE FUNCTION letters_frozen() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
    );
    expect(replaced.code).toBe('42501');
    const replica = await refusal(db, 'SET session_replication_role = replica');
    expect(replica.code).toBe('42501');
    // Nor can it fake the migration history or add tables of its own.
    expect((await refusal(db, "INSERT INTO knex_migrations (name, batch) VALUES ('x.ts', 99)")).code).toBe('42501');
    expect((await refusal(db, 'CREATE TABLE mine (id int)')).code).toBe('42501');
    // The guards are all still there and enabled ('O': fires in origin and local sessions).
    const triggers = await owner('pg_trigger')
      .whereIn('tgname', ['review_events_append_only', 'recommendation_events_append_only', 'letters_frozen'])
      .orderBy('tgname')
      .select('tgname', 'tgenabled');
    expect(triggers).toEqual([
      { tgname: 'letters_frozen', tgenabled: 'O' },
      { tgname: 'recommendation_events_append_only', tgenabled: 'O' },
      { tgname: 'review_events_append_only', tgenabled: 'O' },
    ]);
  });

  it('may not change or remove a sent letter', async () => {
    await demoSeeded();
    const db = services.db;
    const letter = await db('letters').where({ status: 'sent' }).orderBy('id').first();
    expect(letter).toBeDefined();
    for (const sql of [
      `UPDATE letters SET html = '<p>Something else</p>' WHERE id = ${letter.id}`,
      `DELETE FROM letters WHERE id = ${letter.id}`,
    ]) {
      const err = await refusal(db, sql);
      expect(err.message).toContain(`letter ${letter.id} was sent and cannot change`);
    }
    const after = await db('letters').where({ id: letter.id }).first();
    expect(after.html_sha256).toBe(letter.html_sha256);
    expect(after.html).toBe(letter.html);
  });

  it("covers tables that later migrations add, through the owner's default privileges", async () => {
    await owner.raw('CREATE TABLE later_notes (id serial PRIMARY KEY, note text)');
    await services.db('later_notes').insert({ note: 'written by the app role' });
    expect(await services.db('later_notes').pluck('note')).toEqual(['written by the app role']);
  });
});

describe('starting the app as its role', () => {
  it('refuses to start on a schema it cannot migrate, and migrates with MIGRATION_DATABASE_URL', async () => {
    const database = await freshDatabase();
    const app = urlFor(APP, database);
    await expect(openApp({ DATABASE_URL: app })).rejects.toThrow(
      /schema is not up to date and DATABASE_URL's role may not change it: set MIGRATION_DATABASE_URL/,
    );

    // The owner migrates and grants; the app serves as its own role.
    const first = await openApp({ DATABASE_URL: app, MIGRATION_DATABASE_URL: urlFor(OWNER, database) });
    try {
      const may = async (table: string, what: string) =>
        (await first.db.raw('select has_table_privilege(current_user, ?, ?) as yes', [table, what])).rows[0].yes;
      expect(await may('review_events', 'INSERT')).toBe(true);
      expect(await may('review_events', 'UPDATE')).toBe(false);
      expect(await may('review_events', 'DELETE')).toBe(false);
      expect(await may('review_events', 'TRUNCATE')).toBe(false);
      expect(await may('reviews', 'UPDATE')).toBe(true);
      await first.db('panel_meetings').insert({ date: '2026-12-01' });
      expect((await refusal(first.db, "UPDATE recommendation_events SET type = 'FORGED'")).message).toContain(
        'permission denied',
      );
    } finally {
      await first.db.destroy();
    }

    // Up to date now: the app alone starts without migrating.
    const again = await openApp({ DATABASE_URL: app });
    try {
      expect(await again.db('panel_meetings').pluck('date')).toHaveLength(1);
    } finally {
      await again.db.destroy();
    }
  }, 120_000);
});
