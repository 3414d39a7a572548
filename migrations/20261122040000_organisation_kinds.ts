import type { Knex } from 'knex';
import { ORGANISATION_KINDS, organisationKind } from '../src/recommendations/kinds';

/**
 * The kind of each body recommendations are addressed to (police, GP practice, ...),
 * for the national view. Existing organisations get the kind their name suggests;
 * new ones get it when they are created, and the secretariat can change it.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.schema.alterTable('organisations', (t) => {
    t.text('kind').notNullable().defaultTo('other');
    t.index(['kind']);
  });
  const list = ORGANISATION_KINDS.map((k) => `'${k}'`).join(', ');
  await knex.raw(`ALTER TABLE organisations ADD CONSTRAINT organisations_kind CHECK (kind IN (${list}))`);
  const rows: { id: number; name: string }[] = await knex('organisations').select('id', 'name');
  for (const row of rows) {
    const kind = organisationKind(row.name);
    if (kind !== 'other') await knex('organisations').where({ id: row.id }).update({ kind });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('ALTER TABLE organisations DROP CONSTRAINT organisations_kind');
  await knex.schema.alterTable('organisations', (t) => {
    t.dropIndex(['kind']);
    t.dropColumn('kind');
  });
}
