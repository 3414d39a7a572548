import type { Knex } from 'knex';

/**
 * A withdrawn review can be reinstated to the state it was withdrawn from, which the
 * machine now keeps in its context (withdrawnFrom). Reviews withdrawn before then have
 * it from their history: the state their last WITHDRAW event left. One withdrawn while
 * on hold had forgotten where it was paused from; that comes from its last PAUSE event,
 * so that once reinstated it can be resumed.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    UPDATE reviews r
       SET context = jsonb_set(r.context, '{withdrawnFrom}', to_jsonb(e.from_state))
      FROM (SELECT DISTINCT ON (review_id) review_id, from_state
              FROM review_events
             WHERE type = 'WITHDRAW'
             ORDER BY review_id, id DESC) e
     WHERE e.review_id = r.id AND r.state = 'withdrawn' AND r.context->'withdrawnFrom' IS NULL`);
  await knex.raw(`
    UPDATE reviews r
       SET context = jsonb_set(r.context, '{pausedFrom}', to_jsonb(p.from_state))
      FROM (SELECT DISTINCT ON (review_id) review_id, from_state
              FROM review_events
             WHERE type = 'PAUSE'
             ORDER BY review_id, id DESC) p
     WHERE p.review_id = r.id AND r.state = 'withdrawn'
       AND r.context->>'withdrawnFrom' = 'on_hold'
       AND (r.context->'pausedFrom' IS NULL OR r.context->'pausedFrom' = 'null'::jsonb)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`UPDATE reviews SET context = context - 'withdrawnFrom'`);
}
