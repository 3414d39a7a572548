import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import knex from 'knex';
import { connect, migrate, MIGRATIONS_DIR, type Db } from '../../src/db/connect';

export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

/**
 * Names the migrated starting points by what they hold, so that a changed migration (or a
 * new PGlite, whose files a dump holds) makes new ones rather than reusing stale ones.
 */
function startingPointKey(): string {
  const hash = crypto.createHash('sha256');
  for (const file of fs.readdirSync(MIGRATIONS_DIR).sort()) {
    hash.update(file).update(fs.readFileSync(path.join(MIGRATIONS_DIR, file)));
  }
  const pglite = path.join(path.dirname(require.resolve('knex-pglite')), '..', '..', '@electric-sql', 'pglite');
  hash.update(fs.readFileSync(path.join(pglite, 'package.json')));
  return hash.digest('hex').slice(0, 12);
}

const imagePath = (key: string) => path.join(os.tmpdir(), `dhr-qa-test-image-${key}.tar`);
const templateName = (key: string) => `dhrqa_template_${key}`;

const admin = (serverUrl: string) => knex({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });

/**
 * Migrates once per run (Jest's global setup) what every test file starts from: a dump of an
 * embedded database, and a template database on the PostgreSQL server when there is one.
 * Migrating afresh for each file cost about 15 s a file on the embedded database.
 */
export async function prepareStartingPoints(): Promise<void> {
  const key = startingPointKey();
  if (!fs.existsSync(imagePath(key))) {
    const db = connect({});
    await migrate(db);
    const pglite = (await db.client.acquireConnection()) as { dumpDataDir(c: 'none'): Promise<Blob> };
    const image = Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
    await db.client.releaseConnection(pglite);
    await db.destroy();
    const partial = `${imagePath(key)}.${process.pid}`;
    fs.writeFileSync(partial, image);
    fs.renameSync(partial, imagePath(key));
  }
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) return;
  const server = admin(serverUrl);
  try {
    const name = templateName(key);
    const { rows } = await server.raw('SELECT datname FROM pg_database WHERE datname LIKE ?', ['dhrqa_template_%']);
    for (const { datname } of rows as { datname: string }[]) {
      if (datname !== name) await server.raw(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    if (rows.some((r: { datname: string }) => r.datname === name)) return;
    await server.raw(`CREATE DATABASE ${name}`);
    const url = new URL(serverUrl);
    url.pathname = `/${name}`;
    const db = connect({ databaseUrl: url.toString() });
    try {
      await migrate(db);
    } finally {
      await db.destroy();
    }
  } finally {
    await server.destroy();
  }
}

/**
 * A fresh, migrated database for one test file: an embedded one in memory, or, when
 * TEST_DATABASE_URL is set, a new database on that server, dropped afterwards. Each starts
 * from what `prepareStartingPoints` made; without it (a file run by other means) it migrates.
 */
export async function createTestDb(): Promise<{ db: Db; url?: string; destroy: () => Promise<void> }> {
  const key = startingPointKey();
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const image = fs.existsSync(imagePath(key)) ? new Blob([fs.readFileSync(imagePath(key))]) : undefined;
    const db = connect({ embeddedImage: image });
    if (!image) await migrate(db);
    return { db, destroy: () => db.destroy() };
  }
  const name = `dhrqa_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const server = admin(serverUrl);
  const template = templateName(key);
  const { rows } = await server.raw('SELECT 1 FROM pg_database WHERE datname = ?', [template]);
  await server.raw(rows.length ? `CREATE DATABASE ${name} TEMPLATE ${template}` : `CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = connect({ databaseUrl: url.toString() });
  if (!rows.length) await migrate(db);
  return {
    db,
    url: url.toString(),
    destroy: async () => {
      await db.destroy();
      await server.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await server.destroy();
    },
  };
}
