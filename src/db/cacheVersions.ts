import { AsyncLocalStorage } from 'node:async_hooks';
import type { Knex } from 'knex';
import type { Conn, Db } from './connect';

/**
 * Rarely changing data kept in the process, each named by its row in cache_versions: every
 * write to its tables moves its version on (a trigger, in the writer's transaction: see the
 * migration cache_versions), whichever process or person makes it.
 */
export type CacheName = 'settings' | 'directory' | 'house_templates' | 'stage_targets';
export type CacheVersions = Partial<Record<CacheName, number>>;

/**
 * Every cache's version, as a JSON object: a scalar subselect that the session and token
 * lookups add to their one statement, so a request learns the versions without a round trip.
 */
export const VERSIONS_SQL = `(select coalesce(json_object_agg(name, version), '{}'::json) from cache_versions)`;

/** The versions one cache's reading carries: its own, read in the same statement as the data. */
export const versionOf = (name: CacheName) =>
  `coalesce((select version from cache_versions where name = '${name}'), 0)`;

/** What the request being served read with its session: the database it came from, and the versions. */
const request = new AsyncLocalStorage<{ db: Db; versions: CacheVersions }>();

/** Runs the rest of a request (Express's `next`) knowing the versions read with its session. */
export function withVersions<T>(db: Db, versions: unknown, run: () => T): T {
  const known = versions && typeof versions === 'object' ? (versions as CacheVersions) : {};
  return request.run({ db, versions: known }, run);
}

/**
 * A copy of a kept value (plain JSON: settings, rows), so that a caller changing what it was
 * given changes nothing for the next one. JSON rather than structuredClone, whose objects can
 * come from another realm than the caller's (as under a test runner's VM) and so compare unequal.
 */
export const copyOf = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

const isTransaction = (conn: Conn) => (conn as Knex.Transaction).isTransaction === true;

/**
 * A value read from the database and kept in the process. It is served again while the
 * request being served saw, with its session, a version no newer than the one kept; anything
 * else (a newer version, a read outside a signed-in request: the mail worker, the command
 * line, a signed-out page) reads it afresh, with its version, in one statement. A reading made
 * inside a transaction is kept only when its version is the one the request saw before the
 * transaction began: a transaction that wrote the data moved the version on, and may yet undo.
 */
export function processCache<T>(db: Db, name: CacheName, load: (conn: Conn) => Promise<{ value: T; version: number }>) {
  let kept: { value: T; version: number } | null = null;
  /** The reading outside a transaction under way, which callers that find the copy stale meanwhile share. */
  let reading: Promise<{ value: T; version: number }> | null = null;
  return {
    async get(conn: Conn = db): Promise<T> {
      const seen = request.getStore();
      const version = seen?.db === db ? Number(seen.versions[name] ?? 0) : undefined;
      if (kept && version !== undefined && kept.version >= version) return kept.value;
      if (isTransaction(conn)) {
        const fresh = await load(conn);
        if (fresh.version === version) kept = fresh;
        return fresh.value;
      }
      // Many requests find the copy stale at once after a change (a page reads the directory more
      // than once, and so does every request under way): one reading serves them all. One begun
      // before the version this request saw is not enough for it, and it reads again.
      if (!reading) {
        const started = load(conn).finally(() => {
          if (reading === started) reading = null;
        });
        reading = started;
      }
      let fresh = await reading;
      if (version !== undefined && fresh.version < version) fresh = await load(conn);
      if (!kept || fresh.version >= kept.version) kept = fresh;
      return fresh.value;
    },
    /** After this process changed the data: the next reading goes to the database. */
    forget(): void {
      kept = null;
      reading = null;
    },
  };
}
