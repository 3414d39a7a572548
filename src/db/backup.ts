import crypto from 'node:crypto';
/**
 * Backups that work the same on the embedded database (PGlite) and on PostgreSQL.
 *
 * A backup is a gzip-compressed file of JSON lines:
 *   {"format":"dhr-qa-backup","version":1,"createdAt",...,"migrations":[...],"tables":[...],"sequences":{...}}
 *   {"table":"police_force_areas","columns":["id","name",...],"rows":43}
 *   {"id":1,"name":"Avon and Somerset",...}            one line per row, as many as the table line says
 *   ...                                               every table, parents before children
 *   {"end":true,"tables":24,"rows":1234}
 *
 * Values are PostgreSQL's own JSON output (row_to_json): timestamps as ISO 8601 with their
 * offset and microseconds, dates as YYYY-MM-DD, jsonb as JSON, numbers exactly as stored;
 * bytea (documents, letter PDFs, evidence) as base64. A restore hands each batch of row lines
 * to PostgreSQL as they are (json_to_recordset), so nothing is rounded on the way through.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import zlib from 'node:zlib';
import { MIGRATIONS_DIR, type Conn, type Db } from './connect';

export const BACKUP_FORMAT = 'dhr-qa-backup';
export const BACKUP_VERSION = 1;

/**
 * Tables a backup leaves out. The knex_migrations tables are the schema's bookkeeping: the
 * header lists the migrations and a restore re-creates them by running those migrations.
 * Browser sessions and failed sign-ins are short-lived security state (hours, minutes): a
 * restore should not sign anyone in, and everyone simply signs in again. API tokens are kept:
 * integrations use them for months. The cache versions only say when the processes' copies of
 * rarely changing data were last invalidated: a restore's own writes move them on.
 */
export const EXCLUDED_TABLES = [
  'knex_migrations',
  'knex_migrations_lock',
  'web_sessions',
  'sign_in_failures',
  'kept_forms',
  'cache_versions',
];

/** Rows per query when reading: few for tables holding files (a document may be 20 MB). */
const ROWS_PER_READ = 1000;
const ROWS_PER_READ_WITH_FILES = 10;
/** A restore inserts a batch when it reaches this many rows or characters of JSON. */
const ROWS_PER_INSERT = 1000;
const CHARS_PER_INSERT = 8 * 1024 * 1024;

/** Smaller batches than these defaults let a test go through every page of a small database. */
export interface BatchOptions {
  rowsPerRead?: number;
  rowsPerInsert?: number;
}

/** A backup or restore that cannot go ahead; the message says why and what to do. */
export class BackupError extends Error {}

export interface TableCount {
  table: string;
  rows: number;
}

export interface BackupSummary {
  file: string;
  bytes: number;
  createdAt: string;
  migrations: string[];
  tables: TableCount[];
  rows: number;
}

interface Column {
  name: string;
  /** The SQL type, as format_type writes it (e.g. "timestamp with time zone"). */
  type: string;
  bytea: boolean;
}

interface Table {
  name: string;
  /** Columns a row is written and restored with; generated columns are computed again. */
  columns: Column[];
  primaryKey: Column[];
  /** Tables this one has foreign keys to. */
  references: string[];
}

interface Sequence {
  name: string;
  table: string;
  column: string;
}

interface Header {
  format: string;
  version: number;
  createdAt: string;
  migrations: string[];
  tables: string[];
  /** The next value of each serial or identity sequence when the backup was made. */
  sequences: Record<string, string>;
}

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`;

async function rows<T>(conn: Conn, sql: string, bindings: unknown[] = []): Promise<T[]> {
  const result = await conn.raw(sql, bindings as never);
  return result.rows as T[];
}

/** The tables of the public schema, read from the catalogue so new tables are included. */
async function describeTables(conn: Conn): Promise<Map<string, Table>> {
  const columns = await rows<{ table: string; name: string; type: string; base: string; generated: boolean }>(
    conn,
    `SELECT c.relname AS "table", a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type,
            t.typname AS base, a.attgenerated <> '' AS generated
       FROM pg_attribute a
       JOIN pg_class c ON c.oid = a.attrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       JOIN pg_type t ON t.oid = a.atttypid
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY c.relname, a.attnum`,
  );
  const tables = new Map<string, Table>();
  for (const c of columns) {
    if (EXCLUDED_TABLES.includes(c.table)) continue;
    let table = tables.get(c.table);
    if (!table) tables.set(c.table, (table = { name: c.table, columns: [], primaryKey: [], references: [] }));
    if (!c.generated) table.columns.push({ name: c.name, type: c.type, bytea: c.base === 'bytea' });
  }
  const keys = await rows<{ table: string; name: string }>(
    conn,
    `SELECT c.relname AS "table", a.attname AS name
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
       CROSS JOIN LATERAL unnest(k.conkey) WITH ORDINALITY AS u(attnum, position)
       JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = u.attnum
      WHERE k.contype = 'p' AND n.nspname = current_schema()
      ORDER BY c.relname, u.position`,
  );
  for (const k of keys) {
    const table = tables.get(k.table);
    const column = table?.columns.find((c) => c.name === k.name);
    if (table && column) table.primaryKey.push(column);
  }
  const references = await rows<{ table: string; references: string }>(
    conn,
    `SELECT DISTINCT c.relname AS "table", r.relname AS "references"
       FROM pg_constraint k
       JOIN pg_class c ON c.oid = k.conrelid
       JOIN pg_class r ON r.oid = k.confrelid
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE k.contype = 'f' AND n.nspname = current_schema() AND c.oid <> r.oid`,
  );
  for (const r of references) {
    const table = tables.get(r.table);
    if (!table) continue;
    if (!tables.has(r.references))
      throw new BackupError(`Table ${r.table} refers to ${r.references}, which backups leave out.`);
    table.references.push(r.references);
  }
  return tables;
}

/** Parents before children (foreign keys), otherwise alphabetical, so restores insert in a valid order. */
function dependencyOrder(tables: Map<string, Table>): Table[] {
  const done = new Set<string>();
  const order: Table[] = [];
  while (order.length < tables.size) {
    const ready = [...tables.values()].filter((t) => !done.has(t.name) && t.references.every((r) => done.has(r)));
    if (ready.length === 0) {
      const left = [...tables.keys()].filter((name) => !done.has(name));
      throw new BackupError(
        `The foreign keys of these tables form a cycle, which backups cannot order: ${left.join(', ')}`,
      );
    }
    for (const t of ready) {
      done.add(t.name);
      order.push(t);
    }
  }
  return order;
}

/** Serial and identity sequences of the tables a backup holds. */
async function describeSequences(conn: Conn, tables: Map<string, Table>): Promise<Sequence[]> {
  const found = await rows<Sequence>(
    conn,
    `SELECT s.relname AS name, t.relname AS "table", a.attname AS "column"
       FROM pg_class s
       JOIN pg_namespace n ON n.oid = s.relnamespace
       JOIN pg_depend d ON d.objid = s.oid AND d.classid = 'pg_class'::regclass
                       AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i')
       JOIN pg_class t ON t.oid = d.refobjid
       JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = d.refobjsubid
      WHERE s.relkind = 'S' AND n.nspname = current_schema()
      ORDER BY s.relname`,
  );
  return found.filter((s) => tables.has(s.table));
}

async function appliedMigrations(conn: Conn): Promise<string[] | null> {
  const [{ present }] = await rows<{ present: boolean }>(
    conn,
    "SELECT to_regclass('knex_migrations') IS NOT NULL AS present",
  );
  if (!present) return null;
  return (await rows<{ name: string }>(conn, 'SELECT name FROM knex_migrations ORDER BY id')).map((r) => r.name);
}

/** The migrations this version of the code has, in the order knex runs them. */
export function codeMigrations(): string[] {
  return fs
    .readdirSync(MIGRATIONS_DIR)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .sort();
}

/**
 * Writes a backup of every table to `file`. On PostgreSQL it reads one snapshot
 * (REPEATABLE READ, read only), so it is consistent while the app runs.
 * The file appears only once complete, and only its owner can read it: it holds
 * personal data and password hashes.
 */
export async function backup(db: Db, file: string, batches: BatchOptions = {}): Promise<BackupSummary> {
  const target = path.resolve(file);
  const folder = path.dirname(target);
  if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory())
    throw new BackupError(`The folder ${folder} does not exist.`);
  if (fs.existsSync(target) && fs.statSync(target).isDirectory()) throw new BackupError(`${target} is a folder.`);
  // A name no earlier run can have left behind, opened only if it does not exist ('wx'): a file
  // there already (with wider permissions, say) is never written into.
  const partial = `${target}.partial-${process.pid}-${crypto.randomBytes(6).toString('hex')}`;
  const counts: TableCount[] = [];
  let header: Header | undefined;
  try {
    await db.transaction(
      async (trx) => {
        const migrations = await appliedMigrations(trx);
        if (!migrations || migrations.length === 0)
          throw new BackupError('The database has no schema yet: there is nothing to back up.');
        const tables = dependencyOrder(await describeTables(trx));
        const sequences: Record<string, string> = {};
        for (const s of await describeSequences(trx, new Map(tables.map((t) => [t.name, t])))) {
          const [{ next }] = await rows<{ next: string }>(
            trx,
            `SELECT (CASE WHEN is_called THEN last_value + 1 ELSE last_value END)::text AS next FROM ${ident(s.name)}`,
          );
          sequences[s.name] = next;
        }
        header = {
          format: BACKUP_FORMAT,
          version: BACKUP_VERSION,
          createdAt: new Date().toISOString(),
          migrations,
          tables: tables.map((t) => t.name),
          sequences,
        };
        const first = header;
        async function* lines() {
          yield `${JSON.stringify(first)}\n`;
          let total = 0;
          for (const table of tables) {
            const [{ n }] = await rows<{ n: number }>(trx, `SELECT count(*)::int AS n FROM ${ident(table.name)}`);
            yield `${JSON.stringify({ table: table.name, columns: table.columns.map((c) => c.name), rows: n })}\n`;
            let written = 0;
            for await (const batch of readTable(trx, table, batches.rowsPerRead)) {
              written += batch.length;
              yield batch.join('\n') + '\n';
            }
            // Cannot differ inside one snapshot; checked so a broken read never yields a quiet gap.
            if (written !== n) throw new BackupError(`Table ${table.name} changed while it was read.`);
            counts.push({ table: table.name, rows: n });
            total += n;
          }
          yield `${JSON.stringify({ end: true, tables: tables.length, rows: total })}\n`;
        }
        await pipeline(lines, zlib.createGzip(), fs.createWriteStream(partial, { mode: 0o600, flags: 'wx' }));
      },
      { isolationLevel: 'repeatable read', readOnly: true },
    );
    fs.renameSync(partial, target);
  } catch (err) {
    fs.rmSync(partial, { force: true });
    throw err;
  }
  return {
    file: target,
    bytes: fs.statSync(target).size,
    createdAt: header!.createdAt,
    migrations: header!.migrations,
    tables: counts,
    rows: counts.reduce((n, c) => n + c.rows, 0),
  };
}

/** A table's rows as JSON lines, a batch at a time, in primary key order (keyset pagination). */
async function* readTable(conn: Conn, table: Table, rowsPerRead?: number): AsyncGenerator<string[]> {
  const values = table.columns
    .map((c) =>
      c.bytea
        ? `translate(encode(s.${ident(c.name)}, 'base64'), E'\\n', '') AS ${ident(c.name)}`
        : `s.${ident(c.name)} AS ${ident(c.name)}`,
    )
    .join(', ');
  const line = `(SELECT row_to_json(r)::text FROM (SELECT ${values}) r) AS line`;
  const from = `FROM ${ident(table.name)} s`;
  if (table.primaryKey.length === 0) {
    // No key to page by (no table has none today): read it in one go.
    yield (await rows<{ line: string }>(conn, `SELECT ${line} ${from}`)).map((r) => r.line);
    return;
  }
  const key = table.primaryKey.map((c) => `s.${ident(c.name)}`).join(', ');
  const keyText = table.primaryKey.map((c, i) => `s.${ident(c.name)}::text AS k${i}`).join(', ');
  const after = `(${key}) > (${table.primaryKey.map((c) => `?::${c.type}`).join(', ')})`;
  const limit = rowsPerRead ?? (table.columns.some((c) => c.bytea) ? ROWS_PER_READ_WITH_FILES : ROWS_PER_READ);
  let last: string[] | null = null;
  for (;;) {
    const batch: Array<Record<string, string>> = await rows(
      conn,
      `SELECT ${line}, ${keyText} ${from} ${last ? `WHERE ${after}` : ''} ORDER BY ${key} LIMIT ${limit}`,
      last ?? [],
    );
    if (batch.length === 0) return;
    yield batch.map((r) => r.line!);
    const end = batch[batch.length - 1]!;
    last = table.primaryKey.map((_, i) => end[`k${i}`]!);
    if (batch.length < limit) return;
  }
}

export interface RestoreSummary {
  file: string;
  createdAt: string;
  migrations: string[];
  /** Migrations run after the restore because the backup came from an older version. */
  migratedSince: string[];
  tables: TableCount[];
  rows: number;
}

/** The lines of a gzip-compressed file, with clear errors for a file that is not one or is cut short. */
async function* readLines(file: string): AsyncGenerator<string> {
  const source = fs.createReadStream(file);
  const gunzip = zlib.createGunzip();
  source.on('error', (err) => gunzip.destroy(err));
  source.pipe(gunzip);
  gunzip.setEncoding('utf8');
  let rest = '';
  let any = false;
  try {
    for await (const chunk of gunzip as AsyncIterable<string>) {
      any = true;
      const parts = (rest + chunk).split('\n');
      rest = parts.pop()!;
      yield* parts;
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'Z_DATA_ERROR' && !any)
      throw new BackupError(`${file} is not a DHR QA backup (it is not gzip-compressed).`);
    if (code === 'Z_BUF_ERROR' || code === 'Z_DATA_ERROR')
      throw new BackupError(`${file} is damaged or incomplete: restore from another copy of the backup.`);
    throw err;
  } finally {
    source.destroy();
    gunzip.destroy();
  }
  if (rest) yield rest;
}

function parseLine(text: string | undefined, file: string, lineNumber: number): Record<string, unknown> {
  if (text === undefined) throw new BackupError(`${file} is incomplete: it ends at line ${lineNumber - 1}.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new BackupError(`${file} is damaged: line ${lineNumber} is not valid JSON.`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new BackupError(`${file} is damaged: line ${lineNumber} is not a row or a table.`);
  return value as Record<string, unknown>;
}

function checkHeader(value: Record<string, unknown>, file: string): Header {
  if (value.format !== BACKUP_FORMAT) throw new BackupError(`${file} is not a DHR QA backup.`);
  if (value.version !== BACKUP_VERSION)
    throw new BackupError(
      `${file} is a backup in format version ${String(value.version)}; this version of DHR QA reads version ${BACKUP_VERSION}.`,
    );
  const strings = (v: unknown) => Array.isArray(v) && v.every((s) => typeof s === 'string');
  if (
    typeof value.createdAt !== 'string' ||
    !strings(value.migrations) ||
    !strings(value.tables) ||
    typeof value.sequences !== 'object' ||
    value.sequences === null
  )
    throw new BackupError(`${file} is damaged: its first line is not a complete backup header.`);
  return value as unknown as Header;
}

/**
 * Refuses a backup, or a database, whose schema this version cannot reach with its own
 * migrations. Both must then be a prefix of the code's list, so one is a prefix of the other.
 */
function checkMigrations(backupMigrations: string[], code: string[], applied: string[]): void {
  const unknown = backupMigrations.filter((m) => !code.includes(m));
  if (unknown.length)
    throw new BackupError(
      `The backup was made by a newer or different version of DHR QA: this version does not have its migrations ${unknown.join(', ')}.`,
    );
  backupMigrations.forEach((m, i) => {
    if (code[i] !== m)
      throw new BackupError(
        `The backup's migrations are not in this version's order: it has ${m} where this version has ${code[i]}.`,
      );
  });
  const foreign = applied.filter((m) => !code.includes(m));
  if (foreign.length || applied.some((m, i) => code[i] !== m))
    throw new BackupError(
      `The database was migrated by a newer or different version of DHR QA (${foreign.join(', ') || 'in another order'}): restore into a new database.`,
    );
}

const HOW_TO_GET_AN_EMPTY_DATABASE =
  'A backup is restored only into an empty database. For the embedded database, set DATA_DIR to a new folder; ' +
  'for PostgreSQL, create a new database and set DATABASE_URL to it. Do not start the server on it first: start-up adds data.';

async function tablesWithRows(conn: Conn): Promise<string[]> {
  const tables = await rows<{ name: string }>(
    conn,
    `SELECT c.relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = current_schema() AND c.relkind = 'r' AND c.relname NOT LIKE 'knex\\_migrations%'
        AND c.relname <> 'cache_versions'
      ORDER BY c.relname`,
  );
  const full: string[] = [];
  for (const { name } of tables) {
    const [{ has }] = await rows<{ has: boolean }>(conn, `SELECT EXISTS (SELECT 1 FROM ${ident(name)}) AS has`);
    if (has) full.push(name);
  }
  return full;
}

/**
 * Restores a backup into an empty database: migrates it to the backup's schema, inserts every
 * row in one transaction (all or nothing), moves every sequence past the restored ids, then
 * runs any migrations the code has that the backup did not.
 */
export async function restore(db: Db, file: string, batches: BatchOptions = {}): Promise<RestoreSummary> {
  const source = path.resolve(file);
  if (!fs.existsSync(source)) throw new BackupError(`There is no file ${source}.`);
  if (!fs.statSync(source).isFile()) throw new BackupError(`${source} is not a file.`);
  try {
    fs.accessSync(source, fs.constants.R_OK);
  } catch {
    throw new BackupError(`${source} cannot be read: check its permissions.`);
  }
  const lines = readLines(source)[Symbol.asyncIterator]();
  let lineNumber = 0;
  const next = async () => {
    const { value, done } = await lines.next();
    lineNumber++;
    return done ? undefined : value;
  };
  try {
    const header = checkHeader(parseLine(await next(), source, 1), source);
    const full = await tablesWithRows(db);
    if (full.length)
      throw new BackupError(
        `The database is not empty (${full.join(', ')} hold rows). ${HOW_TO_GET_AN_EMPTY_DATABASE}`,
      );
    const applied = (await appliedMigrations(db)) ?? [];
    checkMigrations(header.migrations, codeMigrations(), applied);

    // Bring the schema to exactly the backup's, so the later migrations, data changes and all, run over
    // the restored rows as they would have over the original. Undoing migrations here loses nothing:
    // the database is empty.
    const options = { directory: MIGRATIONS_DIR, loadExtensions: ['.ts'] };
    for (let done = applied.length; done > header.migrations.length; done--) await db.migrate.down(options);
    for (let done = applied.length; done < header.migrations.length; done++) await db.migrate.up(options);

    const counts = await db.transaction(async (trx) => {
      const again = await tablesWithRows(trx);
      if (again.length)
        throw new BackupError(
          `The database is not empty (${again.join(', ')} hold rows). ${HOW_TO_GET_AN_EMPTY_DATABASE}`,
        );
      const tables = await describeTables(trx);
      const counts: TableCount[] = [];
      for (const name of header.tables) {
        const at = lineNumber + 1;
        const start = parseLine(await next(), source, at);
        if (start.table !== name || !Array.isArray(start.columns) || typeof start.rows !== 'number')
          throw new BackupError(`${source} is damaged: line ${at} should start the table ${name}.`);
        const table = tables.get(name);
        if (!table) throw new BackupError(`The backup has a table ${name} that this database does not.`);
        const columns = start.columns as string[];
        const expected = table.columns.map((c) => c.name);
        if (columns.length !== expected.length || !columns.every((c) => expected.includes(c)))
          throw new BackupError(
            `The backup's table ${name} has the columns ${columns.join(', ')}; this database has ${expected.join(', ')}.`,
          );
        const insert = insertSql(table);
        let batch: string[] = [];
        let chars = 0;
        for (let i = 0; i < start.rows; i++) {
          const text = await next();
          parseLine(text, source, lineNumber);
          batch.push(text!);
          chars += text!.length;
          if (batch.length >= (batches.rowsPerInsert ?? ROWS_PER_INSERT) || chars >= CHARS_PER_INSERT) {
            await trx.raw(insert, [`[${batch.join(',')}]`]);
            batch = [];
            chars = 0;
          }
        }
        if (batch.length) await trx.raw(insert, [`[${batch.join(',')}]`]);
        counts.push({ table: name, rows: start.rows });
      }
      const end = parseLine(await next(), source, lineNumber + 1);
      const total = counts.reduce((n, c) => n + c.rows, 0);
      if (end.end !== true || end.tables !== counts.length || end.rows !== total)
        throw new BackupError(`${source} is damaged: its last line does not match its contents.`);
      if ((await next()) !== undefined) throw new BackupError(`${source} is damaged: it goes on after its end.`);
      await restoreSequences(trx, tables, header.sequences);
      return counts;
    });

    const before = header.migrations.length;
    await db.migrate.latest(options);
    const after = (await appliedMigrations(db)) ?? [];
    return {
      file: source,
      createdAt: header.createdAt,
      migrations: header.migrations,
      migratedSince: after.slice(before),
      tables: counts,
      rows: counts.reduce((n, c) => n + c.rows, 0),
    };
  } finally {
    await lines.return?.(undefined);
  }
}

/** One INSERT for a batch of row lines; bytea columns arrive as base64 text. */
function insertSql(table: Table): string {
  const names = table.columns.map((c) => ident(c.name)).join(', ');
  const values = table.columns
    .map((c) => (c.bytea ? `decode(x.${ident(c.name)}, 'base64')` : `x.${ident(c.name)}`))
    .join(', ');
  const shape = table.columns.map((c) => `${ident(c.name)} ${c.bytea ? 'text' : c.type}`).join(', ');
  // OVERRIDING SYSTEM VALUE keeps the backup's ids in identity columns too.
  return `INSERT INTO ${ident(table.name)} (${names}) OVERRIDING SYSTEM VALUE
          SELECT ${values} FROM json_to_recordset(?::json) AS x(${shape})`;
}

/** Each sequence continues after the larger of the backup's next value and the restored ids. */
async function restoreSequences(conn: Conn, tables: Map<string, Table>, saved: Record<string, string>): Promise<void> {
  for (const s of await describeSequences(conn, tables)) {
    await conn.raw(
      `SELECT setval(?::regclass, greatest(?::bigint, (SELECT coalesce(max(${ident(s.column)}), 0) + 1 FROM ${ident(s.table)})), false)`,
      [ident(s.name), saved[s.name] ?? '1'],
    );
  }
}

function tableLines(tables: TableCount[]): string {
  const width = Math.max(...tables.map((t) => t.table.length));
  return tables.map((t) => `  ${t.table.padEnd(width)}  ${t.rows.toLocaleString('en-GB').padStart(9)}`).join('\n');
}

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/** What the command line prints after a backup. */
export function describeBackup(s: BackupSummary): string {
  return [
    `Backed up ${s.rows.toLocaleString('en-GB')} rows from ${s.tables.length} tables to ${s.file} (${size(s.bytes)}):`,
    tableLines(s.tables),
    `Schema: ${s.migrations.length} migrations, the last ${s.migrations[s.migrations.length - 1]}.`,
  ].join('\n');
}

/** What the command line prints after a restore. */
export function describeRestore(s: RestoreSummary): string {
  return [
    `Restored ${s.rows.toLocaleString('en-GB')} rows into ${s.tables.length} tables from ${s.file} (backed up at ${s.createdAt}):`,
    tableLines(s.tables),
    s.migratedSince.length
      ? `Then brought the schema up to date: ${s.migratedSince.join(', ')}.`
      : `Schema: ${s.migrations.length} migrations, the last ${s.migrations[s.migrations.length - 1]}.`,
  ].join('\n');
}
