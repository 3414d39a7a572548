import type { Db } from '../../src/db/connect';

/**
 * Tables a refused request may still touch: a web session is renewed on every
 * request it makes (its row is kept, its times move).
 */
const ROWS_MAY_CHANGE = new Set(['web_sessions']);

/**
 * The whole database in one comparable value: the row count of every table in
 * the public schema and, for all but the tables above, a hash of every row. Two
 * equal fingerprints mean a request stored, changed and deleted nothing.
 */
export async function fingerprint(db: Db, options: { except?: string[] } = {}): Promise<Record<string, string>> {
  const tables = (
    await db('information_schema.tables')
      .where({ table_schema: 'public', table_type: 'BASE TABLE' })
      .orderBy('table_name')
      .pluck('table_name')
  ).filter((name: string) => !options.except?.includes(name));
  const sql = tables
    .map((name: string) =>
      ROWS_MAY_CHANGE.has(name)
        ? `select '${name}' as name, count(*)::text as n, '' as h from "${name}"`
        : `select '${name}' as name, count(*)::text as n, md5(coalesce(string_agg(x::text, '|' order by x::text), '')) as h from "${name}" x`,
    )
    .join(' union all ');
  const result = await db.raw(sql);
  const rows = (result.rows ?? result) as { name: string; n: string; h: string }[];
  return Object.fromEntries(rows.map((r) => [r.name, `${r.n} ${r.h}`]));
}
