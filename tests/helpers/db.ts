import crypto from 'node:crypto';
import knex from 'knex';
import { connect, migrate, type Db } from '../../src/db/connect';

export const onPostgres = Boolean(process.env.TEST_DATABASE_URL);

/**
 * A fresh, migrated database for one test file: an in-memory embedded database,
 * or, when TEST_DATABASE_URL is set, a new database on that server that is dropped
 * afterwards.
 */
export async function createTestDb(): Promise<{ db: Db; url?: string; destroy: () => Promise<void> }> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const db = connect({});
    await migrate(db);
    return { db, destroy: () => db.destroy() };
  }
  const name = `dhrqa_test_${process.pid}_${crypto.randomBytes(4).toString('hex')}`;
  const admin = knex({ client: 'pg', connection: serverUrl, pool: { min: 0, max: 1 } });
  await admin.raw(`CREATE DATABASE ${name}`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const db = connect({ databaseUrl: url.toString() });
  await migrate(db);
  return {
    db,
    url: url.toString(),
    destroy: async () => {
      await db.destroy();
      await admin.raw(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.destroy();
    },
  };
}
