import type { Knex } from 'knex';

/**
 * A response reminder is now recorded once per part and due day (`link-<id>-<due day>`), so an
 * extension earns a fresh one. A part chased before under the old key (`link-<id>`) was chased
 * for its first due day: its record takes the new key, and it is not chased again for that day.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE reminders r
      SET period = r.period || '-' || to_char(ra.response_due_on, 'YYYY-MM-DD')
     FROM recommendation_agencies ra
    WHERE r.kind = 'recommendation_response_reminder'
      AND r.period = 'link-' || ra.id
      AND ra.response_due_on IS NOT NULL`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE reminders
      SET period = substring(period from '^(link-[0-9]+)-')
    WHERE kind = 'recommendation_response_reminder' AND period ~ '^link-[0-9]+-'`);
}
