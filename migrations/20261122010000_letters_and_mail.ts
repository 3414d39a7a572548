import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('settings', (t) => {
    t.text('key').primary();
    t.jsonb('value').notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('letters', (t) => {
    t.increments('id');
    t.integer('review_id').notNullable().references('reviews.id');
    t.integer('round_id').references('rounds.id').onDelete('CASCADE');
    t.text('kind').notNullable();
    t.text('status').notNullable().defaultTo('draft');
    // The free-text parts the secretariat may edit before sending.
    t.jsonb('fields').notNullable().defaultTo('{}');
    t.text('html');
    t.text('text');
    t.binary('pdf');
    t.text('html_sha256');
    t.text('text_sha256');
    t.text('pdf_sha256');
    t.integer('sent_by').references('users.id');
    t.timestamp('sent_at', { useTz: true });
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['review_id']);
  });
  await knex.raw("CREATE UNIQUE INDEX letters_one_draft_per_round ON letters (round_id) WHERE status = 'draft'");
  // A letter that went out is a record: the database itself refuses to change or remove it.
  await knex.raw(`
    CREATE FUNCTION letters_frozen() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.status = 'sent' THEN
        RAISE EXCEPTION 'letter % was sent and cannot change', OLD.id USING ERRCODE = 'integrity_constraint_violation';
      END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END $$`);
  await knex.raw(
    'CREATE TRIGGER letters_frozen BEFORE UPDATE OR DELETE ON letters FOR EACH ROW EXECUTE FUNCTION letters_frozen()',
  );

  await knex.schema.alterTable('outbox', (t) => {
    t.integer('letter_id').references('letters.id');
    t.text('template');
    t.jsonb('to').notNullable().defaultTo('[]');
    t.jsonb('cc').notNullable().defaultTo('[]');
    t.text('reply_to');
    t.text('subject');
    t.text('html');
    t.text('text');
    // Attach the letter's PDF when sending.
    t.boolean('attach_letter').notNullable().defaultTo(false);
    t.text('message_id');
    t.timestamp('locked_until', { useTz: true });
  });
  await knex.raw('DROP INDEX outbox_due');
  await knex.raw("CREATE INDEX outbox_due ON outbox (available_at) WHERE status IN ('queued', 'sending')");
  await knex.raw('CREATE INDEX outbox_review ON outbox (review_id)');

  // Reminders already sent: one row per review, kind and period makes every reminder go once.
  await knex.schema.createTable('reminders', (t) => {
    t.increments('id');
    t.integer('review_id').notNullable().references('reviews.id');
    t.text('kind').notNullable();
    t.text('period').notNullable();
    t.timestamp('sent_at', { useTz: true }).notNullable();
    t.unique(['review_id', 'kind', 'period']);
  });

  // Reminders are written by the system itself, not by a person.
  await knex.schema.alterTable('review_events', (t) => {
    t.integer('actor_id').nullable().alter();
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex('review_events').whereNull('actor_id').delete();
  await knex.schema.alterTable('review_events', (t) => {
    t.integer('actor_id').notNullable().alter();
  });
  await knex.schema.dropTable('reminders');
  await knex.raw('DROP INDEX outbox_review');
  await knex.raw('DROP INDEX outbox_due');
  await knex.schema.alterTable('outbox', (t) => {
    for (const c of [
      'letter_id',
      'template',
      'to',
      'cc',
      'reply_to',
      'subject',
      'html',
      'text',
      'attach_letter',
      'message_id',
      'locked_until',
    ]) {
      t.dropColumn(c);
    }
  });
  await knex.raw("CREATE INDEX outbox_due ON outbox (available_at) WHERE status = 'queued'");
  await knex.schema.dropTable('letters');
  await knex.raw('DROP FUNCTION letters_frozen');
  await knex.schema.dropTable('settings');
}
