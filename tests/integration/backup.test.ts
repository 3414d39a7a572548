import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import request from 'supertest';
import { createApp } from '../../src/app';
import { backup, codeMigrations, restore, type BackupSummary } from '../../src/db/backup';
import { connect, MIGRATIONS_DIR, type Db } from '../../src/db/connect';
import { seedPoliceForceAreas } from '../../src/demo/seed';
import { mailboxTransport } from '../../src/mail/transport';
import { createServices } from '../../src/services';
import {
  createTestApp,
  hackneyRecommendations,
  meeting,
  metPoliceAgency,
  PASSWORD,
  pdf,
  steppingClock,
  submittedReview,
  type TestApp,
} from '../helpers/app';
import { createTestDb } from '../helpers/db';
import { cli, freshAppData } from '../helpers/processes';

/** Text that must come back exactly: accents, typographic quotes, an emoji, a line break. */
const COMMENDATIONS = 'Café-level care — “thorough” and kind 😀\nA second line.';

let source: TestApp;
let folder: string;
let file: string;
let summary: BackupSummary;
const documents: { id: number; review: number; bytes: Buffer }[] = [];

/** A database as the services leave it: a full review journey, mail, recommendations with evidence. */
async function buildDatabase(t: TestApp) {
  const mary = await submittedReview(t, 'Mary');
  const when = await meeting(t);
  await t.api('secretariat').event(mary, { type: 'SCHEDULE', meetingId: when });
  const outcome = await t.api('panel').event(mary, {
    type: 'RECORD_OUTCOME',
    outcome: 'publish_after_changes',
    commendations: COMMENDATIONS,
    areas: [
      { text: 'Clarify paragraph 8.1.' },
      { heading: 'Structure', text: 'Add an Equality and Diversity section.' },
    ],
  });
  expect(outcome.status).toBe(200);
  expect((await t.api('secretariat').event(mary, { type: 'SEND_LETTER' })).status).toBe(200);
  // The acknowledgement, the team mailbox's notice of the submission, and the letter.
  expect((await t.services.mailWorker.runOnce()).sent).toBe(3);
  const items = (await t.api('kent').get(`/reviews/${mary}`)).body.rounds[0].items;
  await t
    .api('kent')
    .event(mary, { type: 'RESPOND_TO_ITEM', itemId: items[0].id, response: 'Clarified.', reportReference: 'para 8.1' });

  const anne = (await t.api('kent').post('/reviews', { pseudonym: 'Anne', yearOfDeath: 2025 })).body.id;
  const chronology = pdf('Anne chronology');
  const uploaded = await t.api('kent').upload(anne, 'chronology', chronology, 'chronology.pdf');
  expect(uploaded.status).toBe(201);
  documents.push({ id: uploaded.body.id, review: anne, bytes: chronology });

  expect((await t.api('secretariat').patch('/settings', { signatoryName: 'Jo Bloggs' })).status).toBe(200);

  await hackneyRecommendations(t, 'Hackney review');
  const agency = (await metPoliceAgency(t)).token;
  const [first] = (await request(t.app).get('/api/v1/recommendations').set('Authorization', `Bearer ${agency}`)).body;
  const link = first.agencies[0].id;
  const as = (req: request.Test) => req.set('Authorization', `Bearer ${agency}`);
  await as(request(t.app).post(`/api/v1/recommendation-agencies/${link}/response`)).send({ response: 'accepted' });
  const action = await as(request(t.app).post(`/api/v1/recommendation-agencies/${link}/actions`)).send({
    description: 'Update the DASH prompts',
    owner: 'Head of Public Protection',
    targetDate: '2026-09-30',
  });
  const evidence = await as(request(t.app).post(`/api/v1/actions/${action.body.id}/updates`))
    .field('on', '2026-03-10')
    .field('text', 'Prompts drafted and tested')
    .attach('file', pdf('attendance register'), 'attendance register.pdf');
  expect(evidence.status).toBe(201);
  await t.api('hackney').put(`/recommendations/${first.id}/themes`, { themes: ['Policing', 'Risk assessment'] });

  // Transient security state, which backups leave out: a failed sign-in and a browser session.
  await request(t.app).post('/api/v1/session').send({ email: 'kent@test.example', password: 'wrong' });
  const user = await t.db('users').where({ email: 'kent@test.example' }).first('id');
  const now = new Date('2026-03-02T10:00:00Z');
  await t.db('web_sessions').insert({
    id_hash: 'a'.repeat(64),
    user_id: user.id,
    created_at: now,
    last_seen_at: now,
    expires_at: new Date('2026-03-02T22:00:00Z'),
  });
}

/** Every table of the schema but the migration bookkeeping, with its primary key. */
async function tables(db: Db): Promise<{ name: string; key: string[] }[]> {
  const { rows } = await db.raw(
    `SELECT c.relname AS name,
            array(SELECT a.attname::text FROM unnest(k.conkey) WITH ORDINALITY u(n, o)
                  JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = u.n ORDER BY u.o) AS key
       FROM pg_class c JOIN pg_namespace s ON s.oid = c.relnamespace
       JOIN pg_constraint k ON k.conrelid = c.oid AND k.contype = 'p'
      WHERE s.nspname = current_schema() AND c.relkind = 'r' AND c.relname NOT LIKE 'knex%'
      ORDER BY c.relname`,
  );
  return rows;
}

/** A table's rows as PostgreSQL writes them (bytea in full, as hex), in primary key order. */
async function contents(db: Db, table: { name: string; key: string[] }): Promise<string[]> {
  const order = table.key.map((k) => `t."${k}"`).join(', ');
  const { rows } = await db.raw(`SELECT row_to_json(t)::text AS row FROM "${table.name}" t ORDER BY ${order}`);
  return rows.map((r: { row: string }) => r.row);
}

async function rowCount(db: Db): Promise<number> {
  let n = 0;
  for (const t of await tables(db)) n += (await contents(db, t)).length;
  return n;
}

/** Collects a binary response as a Buffer. */
function binary(res: request.Response, done: (err: Error | null, body: Buffer) => void) {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
}

const gunzipLines = (f: string) => zlib.gunzipSync(fs.readFileSync(f)).toString('utf8').trimEnd().split('\n');
const writeLines = (f: string, lines: string[]) => fs.writeFileSync(f, zlib.gzipSync(lines.join('\n') + '\n'));

beforeAll(async () => {
  source = await createTestApp();
  await buildDatabase(source);
  folder = fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-backup-'));
  file = path.join(folder, 'dhr-qa.jsonl.gz');
  // Three rows a batch, so every table with more goes through the paging of reads and inserts.
  summary = await backup(source.db, file, { rowsPerRead: 3 });
}, 120_000);
afterAll(async () => {
  await source.close();
  fs.rmSync(folder, { recursive: true, force: true });
});

/** What a backup leaves out: who is signed in, failed sign-ins, and forms kept across a timed-out session. */
const TRANSIENT = ['web_sessions', 'sign_in_failures', 'kept_forms'];
/** Left out too, and not compared: the cache versions, which a restore's own writes move on. */
const DERIVED = ['cache_versions'];

describe('a backup', () => {
  it('holds every table but sessions, sign-in failures and kept forms, parents before children, readable by its owner only', async () => {
    const all = (await tables(source.db)).map((t) => t.name);
    const written = summary.tables.map((t) => t.table);
    expect([...written].sort()).toEqual(all.filter((t) => !TRANSIENT.includes(t) && !DERIVED.includes(t)));
    expect(written.indexOf('police_force_areas')).toBeLessThan(written.indexOf('csps'));
    expect(written.indexOf('reviews')).toBeLessThan(written.indexOf('documents'));
    expect(written.indexOf('letters')).toBeLessThan(written.indexOf('outbox'));
    expect(written.indexOf('recommendation_actions')).toBeLessThan(written.indexOf('action_updates'));
    const count = (table: string) => summary.tables.find((t) => t.table === table)!.rows;
    // Mary's three and Anne's chronology, and the published Hackney review's three.
    expect(count('documents')).toBe(7);
    // Mary's acknowledgement and feedback; Hackney's acknowledgement, feedback and confirmation of publication.
    expect(count('letters')).toBe(5);
    expect(count('recommendations')).toBe(17);
    expect(count('action_updates')).toBe(1);
    expect(summary.rows).toBe(summary.tables.reduce((n, t) => n + t.rows, 0));
    expect(summary.bytes).toBe(fs.statSync(file).size);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);

    const [header] = gunzipLines(file);
    expect(JSON.parse(header!)).toMatchObject({
      format: 'dhr-qa-backup',
      version: 1,
      migrations: (await source.db('knex_migrations').orderBy('id').pluck('name')) as string[],
    });
  });
});

describe('restoring into an empty database', () => {
  let target: Awaited<ReturnType<typeof createTestDb>>;
  let restored: Awaited<ReturnType<typeof restore>>;
  beforeAll(async () => {
    target = await createTestDb();
    restored = await restore(target.db, file, { rowsPerInsert: 3 });
  }, 60_000);
  afterAll(() => target.destroy());

  it('gives back every table row for row, files and all', async () => {
    expect(restored.rows).toBe(summary.rows);
    expect(restored.tables).toEqual(summary.tables);
    let compared = 0;
    for (const table of await tables(source.db)) {
      if (DERIVED.includes(table.name)) continue;
      const expected = TRANSIENT.includes(table.name) ? [] : await contents(source.db, table);
      const actual = await contents(target.db, table);
      expect({ table: table.name, rows: actual }).toEqual({ table: table.name, rows: expected });
      compared += actual.length;
    }
    expect(compared).toBe(summary.rows);
    // The sent letter's PDF still matches the SHA-256 recorded when it was sent.
    const letters = await target.db('letters').whereNotNull('pdf').orderBy('id').select('pdf', 'pdf_sha256');
    expect(letters).toHaveLength(5);
    for (const letter of letters) {
      expect(Buffer.from(letter.pdf).subarray(0, 5).toString()).toBe('%PDF-');
      expect(crypto.createHash('sha256').update(letter.pdf).digest('hex')).toBe(letter.pdf_sha256);
    }
  });

  it('is a working app: the same sign-ins and tokens, the same files, and new records get fresh ids', async () => {
    // A restore of its own, so that the records made here leave the shared one as the backup had it.
    const own = await createTestDb();
    await restore(own.db, file);
    // Within the twelve hours of the tokens signed in before the backup.
    const clock = steppingClock('2026-03-02T15:00:00Z');
    const mailDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dhr-qa-restored-mail-'));
    const services = createServices(own.db, {
      clock,
      maxUploadBytes: 1024 * 1024,
      sessionTtlHours: 12,
      transport: mailboxTransport(mailDir),
      mailFrom: 'DHR QA <dhr-qa@test.example>',
      publicUrl: 'http://dhr-qa.test',
    });
    const app = createApp(services);
    try {
      const signIn = await request(app)
        .post('/api/v1/session')
        .send({ email: 'kent@test.example', password: PASSWORD });
      expect(signIn.status).toBe(200);
      const kent = (req: request.Test) => req.set('Authorization', `Bearer ${signIn.body.token}`);
      // A token issued before the backup still works.
      const before = await request(source.app)
        .get('/api/v1/reviews')
        .set('Authorization', `Bearer ${source.tokens.kent}`);
      const after = await request(app).get('/api/v1/reviews').set('Authorization', `Bearer ${source.tokens.kent}`);
      expect(after.status).toBe(200);
      expect(after.body).toEqual(before.body);

      const [doc] = documents;
      const download = await kent(request(app).get(`/api/v1/reviews/${doc!.review}/documents/${doc!.id}`))
        .buffer(true)
        .parse(binary);
      expect(download.status).toBe(200);
      expect(Buffer.compare(download.body, doc!.bytes)).toBe(0);

      const maxReview = (await source.db('reviews').max('id as m').first())!.m;
      const maxDocument = (await source.db('documents').max('id as m').first())!.m;
      const maxEvent = Number((await source.db('review_events').max('id as m').first())!.m);
      const created = await kent(request(app).post('/api/v1/reviews')).send({ pseudonym: 'After the restore' });
      expect(created.status).toBe(201);
      expect(created.body.id).toBe(maxReview + 1);
      expect(created.body.reference).toBe('DHR-2026-0004');
      const upload = await kent(request(app).post(`/api/v1/reviews/${created.body.id}/documents`))
        .field('kind', 'overview_report')
        .attach('file', pdf('new'), 'overview.pdf');
      expect(upload.status).toBe(201);
      expect(upload.body.id).toBe(maxDocument + 1);
      const events = await own.db('review_events').where({ review_id: created.body.id }).pluck('id');
      expect(Math.min(...events.map(Number))).toBe(maxEvent + 1);
    } finally {
      services.transport.close();
      fs.rmSync(mailDir, { recursive: true, force: true });
      await own.destroy();
    }
  }, 60_000);

  it('is refused the second time, because the database is no longer empty, and changes nothing', async () => {
    const rows = await rowCount(target.db);
    await expect(restore(target.db, file)).rejects.toThrow(
      /The database is not empty \(.*reviews.*\)\. A backup is restored only into an empty database/,
    );
    expect(await rowCount(target.db)).toBe(rows);
  });
});

describe('a restore that cannot go ahead', () => {
  let target: Awaited<ReturnType<typeof createTestDb>>;
  beforeAll(async () => {
    target = await createTestDb();
  });
  afterAll(() => target.destroy());
  const empty = async () => expect(await rowCount(target.db)).toBe(0);

  it('refuses a missing file, a file that is not a backup, and a backup of another kind', async () => {
    await expect(restore(target.db, path.join(folder, 'missing.gz'))).rejects.toThrow(
      /^There is no file .*missing\.gz\.$/,
    );
    const text = path.join(folder, 'notes.txt');
    fs.writeFileSync(text, 'just some notes\n');
    await expect(restore(target.db, text)).rejects.toThrow(
      /notes\.txt is not a DHR QA backup \(it is not gzip-compressed\)/,
    );
    const other = path.join(folder, 'other.gz');
    writeLines(other, ['{"hello":"world"}']);
    await expect(restore(target.db, other)).rejects.toThrow(/other\.gz is not a DHR QA backup\.$/);
    await empty();
  });

  it('refuses a file cut short, leaving the database empty', async () => {
    const bytes = fs.readFileSync(file);
    const cut = path.join(folder, 'cut.gz');
    fs.writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.8)));
    await expect(restore(target.db, cut)).rejects.toThrow(/cut\.gz is damaged or incomplete/);
    await empty();

    // Cut at a line, then compressed again: the row counts show what is missing.
    const lines = gunzipLines(file);
    const short = path.join(folder, 'short.gz');
    writeLines(short, lines.slice(0, lines.length - 3));
    await expect(restore(target.db, short)).rejects.toThrow(/short\.gz is incomplete: it ends at line/);
    await empty();
  });

  it('refuses a damaged row near the end, undoing every table already inserted', async () => {
    const lines = gunzipLines(file);
    lines[lines.length - 2] = '{"id": 1, "broken';
    const damaged = path.join(folder, 'damaged.gz');
    writeLines(damaged, lines);
    await expect(restore(target.db, damaged)).rejects.toThrow(
      new RegExp(`damaged\\.gz is damaged: line ${lines.length - 1} is not valid JSON`),
    );
    await empty();
  });

  it('refuses a backup from a version with migrations this one does not have, saying which', async () => {
    const lines = gunzipLines(file);
    const header = JSON.parse(lines[0]!);
    header.migrations.push('20300101000000_future.ts');
    lines[0] = JSON.stringify(header);
    const newer = path.join(folder, 'newer.gz');
    writeLines(newer, lines);
    await expect(restore(target.db, newer)).rejects.toThrow(
      'The backup was made by a newer or different version of DHR QA: this version does not have its migrations 20300101000000_future.ts.',
    );
    await empty();
  });

  it('refuses a database the server has started on, saying how to get an empty one', async () => {
    // A database of its own: the others here must stay empty.
    const started = await createTestDb();
    try {
      await seedPoliceForceAreas(started.db);
      const areas = await started.db('police_force_areas').count('* as n');
      await expect(restore(started.db, file)).rejects.toThrow(
        'The database is not empty (police_force_areas hold rows). A backup is restored only into an empty database. ' +
          'For the embedded database, set DATA_DIR to a new folder; for PostgreSQL, create a new database and set ' +
          'DATABASE_URL to it. Do not start the server on it first: start-up adds data.',
      );
      expect(await started.db('police_force_areas').count('* as n')).toEqual(areas);
      expect(Number((await started.db('users').count('* as n'))[0]!.n)).toBe(0);
    } finally {
      await started.destroy();
    }
  });
});

describe('a backup made before the latest migration', () => {
  it('is restored at its own schema, which is then brought up to date', async () => {
    const older = await createTestDb();
    const target = await createTestDb();
    try {
      await older.db.migrate.down({ directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] });
      await seedPoliceForceAreas(older.db);
      const olderFile = path.join(folder, 'older.jsonl.gz');
      const code = codeMigrations();
      expect((await backup(older.db, olderFile)).migrations).toEqual(code.slice(0, -1));

      const restored = await restore(target.db, olderFile);
      expect(restored.migratedSince).toEqual(code.slice(-1));
      expect(await target.db('knex_migrations').orderBy('id').pluck('name')).toEqual(code);
      const areas = (db: Db) => db('police_force_areas').orderBy('id').select('id', 'name', 'pcc_name', 'pcc_email');
      expect(await areas(target.db)).toEqual(await areas(older.db));
      expect((await areas(target.db)).length).toBe(43);
    } finally {
      await older.destroy();
      await target.destroy();
    }
  });
});

describe('the command line', () => {
  it('backs up the demo data and restores it into a new data folder', async () => {
    const from = await freshAppData('dhr-qa-backup-from-');
    const to = await freshAppData('dhr-qa-backup-to-');
    const demoFile = path.join(folder, 'demo.jsonl.gz');
    try {
      expect(cli(['seed-demo', '--password', 'a demo password'], from.env).status).toBe(0);
      const backedUp = cli(['backup', demoFile], from.env);
      expect(backedUp.output).toMatch(/^Backed up [\d,]+ rows from \d+ tables to .*demo\.jsonl\.gz \([\d.]+ kB\):/);
      expect(backedUp.status).toBe(0);
      expect(backedUp.output).toMatch(/^ {2}police_force_areas +43$/m);

      const restored = cli(['restore', demoFile], to.env);
      expect(restored.output).toMatch(/^Restored [\d,]+ rows into \d+ tables from .*demo\.jsonl\.gz \(backed up at /);
      expect(restored.status).toBe(0);
      const counts = (output: string) => output.split('\n').filter((l) => /^ {2}\w+ +[\d,]+$/.test(l));
      expect(counts(restored.output)).toEqual(counts(backedUp.output));

      const again = cli(['restore', demoFile], to.env);
      expect(again.status).toBe(1);
      expect(again.output).toMatch(/^The database is not empty/);
      const missing = cli(['restore', path.join(folder, 'nowhere.gz')], to.env);
      expect(missing.status).toBe(1);
      expect(missing.output.trim()).toBe(`There is no file ${path.join(folder, 'nowhere.gz')}.`);
      expect(cli(['backup'], to.env).output.trim()).toBe('Usage: npm run cli -- backup <file>');

      const open = (env: NodeJS.ProcessEnv, dataDir: string) =>
        connect({ databaseUrl: env.DATABASE_URL, embeddedDir: path.join(dataDir, 'db') });
      const a = open(from.env, from.dataDir);
      const b = open(to.env, to.dataDir);
      try {
        for (const table of await tables(a)) {
          if (DERIVED.includes(table.name)) continue;
          const expected = TRANSIENT.includes(table.name) ? [] : await contents(a, table);
          expect({ table: table.name, rows: await contents(b, table) }).toEqual({ table: table.name, rows: expected });
        }
      } finally {
        await a.destroy();
        await b.destroy();
      }
    } finally {
      await from.remove();
      await to.remove();
    }
  }, 240_000);
});
