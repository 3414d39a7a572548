import type { Knex } from 'knex';

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('police_force_areas', (t) => {
    t.increments('id');
    t.text('name').notNullable().unique();
    t.text('pcc_name');
    t.text('pcc_email');
  });

  await knex.schema.createTable('csps', (t) => {
    t.increments('id');
    t.text('name').notNullable().unique();
    t.integer('police_force_area_id').notNullable().references('police_force_areas.id');
    t.jsonb('address_lines').notNullable().defaultTo('[]');
    // Ordered list of {name, email}; the first contact is the addressee of letters.
    t.jsonb('contacts').notNullable().defaultTo('[]');
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('users', (t) => {
    t.increments('id');
    t.text('email').notNullable();
    t.text('name').notNullable();
    t.text('role').notNullable();
    t.integer('csp_id').references('csps.id');
    t.integer('police_force_area_id').references('police_force_areas.id');
    t.text('password_hash').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });
  await knex.raw('CREATE UNIQUE INDEX users_email_unique ON users (lower(email))');
  await knex.raw(`ALTER TABLE users ADD CONSTRAINT users_role_scope CHECK (
    (role IN ('secretariat', 'panel') AND csp_id IS NULL AND police_force_area_id IS NULL)
    OR (role = 'csp' AND csp_id IS NOT NULL AND police_force_area_id IS NULL)
    OR (role = 'pcc' AND police_force_area_id IS NOT NULL AND csp_id IS NULL))`);

  await knex.schema.createTable('api_tokens', (t) => {
    t.increments('id');
    t.integer('user_id').notNullable().references('users.id').onDelete('CASCADE');
    t.text('token_hash').notNullable().unique();
    t.text('label').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true });
    t.timestamp('revoked_at', { useTz: true });
  });

  await knex.schema.createTable('panel_meetings', (t) => {
    t.increments('id');
    t.date('date').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  // One counter per year makes references like DHR-2026-0001 without gaps or races.
  await knex.schema.createTable('reference_counters', (t) => {
    t.integer('year').primary();
    t.integer('last').notNullable();
  });

  await knex.schema.createTable('reviews', (t) => {
    t.increments('id');
    t.text('reference').notNullable().unique();
    t.integer('csp_id').notNullable().references('csps.id');
    t.text('pseudonym').notNullable();
    t.integer('year_of_death');
    t.date('notified_on').notNullable();
    t.text('state').notNullable();
    t.jsonb('context').notNullable();
    t.integer('version').notNullable().defaultTo(1);
    t.integer('created_by').notNullable().references('users.id');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.index(['csp_id']);
    t.index(['state']);
  });
  // The meeting a review is scheduled for lives in the machine's context; expose it for queries.
  await knex.raw(
    "ALTER TABLE reviews ADD COLUMN meeting_id integer GENERATED ALWAYS AS ((context->>'meetingId')::integer) STORED",
  );
  await knex.raw('CREATE INDEX reviews_meeting_id ON reviews (meeting_id)');

  await knex.schema.createTable('documents', (t) => {
    t.increments('id');
    t.integer('review_id').notNullable().references('reviews.id');
    t.text('kind').notNullable();
    t.text('filename').notNullable();
    t.text('content_type').notNullable();
    t.integer('size').notNullable();
    t.text('sha256').notNullable();
    t.binary('content').notNullable();
    t.integer('uploaded_by').notNullable().references('users.id');
    t.timestamp('uploaded_at', { useTz: true }).notNullable();
    t.index(['review_id']);
  });

  await knex.schema.createTable('rounds', (t) => {
    t.increments('id');
    t.integer('review_id').notNullable().references('reviews.id');
    t.integer('number').notNullable();
    t.integer('panel_meeting_id').references('panel_meetings.id');
    t.text('outcome').notNullable();
    t.text('commendations').notNullable().defaultTo('');
    t.integer('recorded_by').notNullable().references('users.id');
    t.timestamp('recorded_at', { useTz: true }).notNullable();
    t.timestamp('letter_sent_at', { useTz: true });
    t.unique(['review_id', 'number']);
  });

  await knex.schema.createTable('revision_items', (t) => {
    t.increments('id');
    t.integer('round_id').notNullable().references('rounds.id').onDelete('CASCADE');
    t.integer('position').notNullable();
    t.text('heading');
    t.text('text').notNullable();
    t.text('status').notNullable().defaultTo('open');
    t.text('response');
    t.text('report_reference');
    t.text('note');
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('updated_at', { useTz: true }).notNullable();
    t.unique(['round_id', 'position']);
  });

  await knex.schema.createTable('review_events', (t) => {
    t.bigIncrements('id');
    t.integer('review_id').notNullable().references('reviews.id');
    t.text('type').notNullable();
    t.jsonb('payload').notNullable().defaultTo('{}');
    t.text('from_state');
    t.text('to_state').notNullable();
    t.integer('actor_id').notNullable().references('users.id');
    t.timestamp('at', { useTz: true }).notNullable();
    t.index(['review_id', 'id']);
  });

  await knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id');
    t.text('kind').notNullable();
    t.integer('review_id').references('reviews.id');
    t.jsonb('payload').notNullable();
    t.text('status').notNullable().defaultTo('queued');
    t.integer('attempts').notNullable().defaultTo(0);
    t.text('last_error');
    t.timestamp('available_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('sent_at', { useTz: true });
  });
  await knex.raw("CREATE INDEX outbox_due ON outbox (available_at) WHERE status = 'queued'");
}

export async function down(knex: Knex): Promise<void> {
  for (const table of [
    'outbox',
    'review_events',
    'revision_items',
    'rounds',
    'documents',
    'reviews',
    'reference_counters',
    'panel_meetings',
    'api_tokens',
    'users',
    'csps',
    'police_force_areas',
  ]) {
    await knex.schema.dropTableIfExists(table);
  }
}
