/**
 * Fills an empty, migrated PostgreSQL database with a national-scale-plus volume
 * for the benchmark: 300 CSPs, 20,000 reviews in every state, up to 5 rounds each,
 * 200,000 revision items, 400,000 review events and 2,000 panel meetings.
 *
 * Rows are made inside PostgreSQL with generate_series, one statement per table,
 * so the volume is written in seconds rather than through 600,000 round trips.
 * Each review's rows agree with its state: its rounds, their letters and items,
 * and a history whose last event leads to the state it is in.
 */
import { POLICE_FORCE_AREAS } from '../../src/demo/policeForceAreas';
import { samplePdf } from '../../src/demo/samplePdf';
import type { Db } from '../../src/db/connect';
import { hashPassword, hashToken } from '../../src/services/passwords';

export const VOLUME = { csps: 300, reviews: 20_000, items: 200_000, events: 400_000, meetings: 2_000 };
const EVENTS_PER_REVIEW = VOLUME.events / VOLUME.reviews;
export const BENCH_PASSWORD = 'bench password for load tests';

/** Tokens are derived from the user id so the load generator can name any CSP's token. */
export const benchToken = (userId: number) => `bench_${String(userId).padStart(6, '0')}_load_test_token`;

export interface SeedStep {
  name: string;
  rows: number;
  ms: number;
}

/**
 * The share of reviews in each state, in percent, as one might see nationally with a
 * long tail of published reviews. The plan assigns states by (id * 37) % 100.
 */
const STATE_PLAN: [string, number][] = [
  ['notified', 8],
  ['submitted', 8],
  ['scheduled', 8],
  ['letter_pending', 5],
  ['revising', 15],
  ['revisions_submitted', 8],
  ['resubmitted', 6],
  ['approved', 8],
  ['published', 28],
  ['withdrawn', 3],
  ['on_hold', 3],
];

function stateCase(): string {
  let upper = 0;
  const whens = STATE_PLAN.map(([state, share]) => {
    upper += share;
    return `WHEN (i * 37) % 100 < ${upper} THEN '${state}'`;
  });
  return `CASE ${whens.join(' ')} END`;
}

export async function seedVolume(db: Db, progress: (step: SeedStep) => void): Promise<SeedStep[]> {
  const steps: SeedStep[] = [];
  const step = async (name: string, run: () => Promise<number>) => {
    const started = Date.now();
    const rows = await run();
    const done = { name, rows, ms: Date.now() - started };
    steps.push(done);
    progress(done);
  };
  const rowCount = (result: { rowCount?: number | null }) => result.rowCount ?? 0;
  const passwordHash = await hashPassword(BENCH_PASSWORD);

  await step('police force areas', async () => {
    await db('police_force_areas').insert(
      POLICE_FORCE_AREAS.map((area, i) => ({
        name: area.name,
        pcc_name: area.pccName,
        pcc_email: `office@pcc${i + 1}.example`,
      })),
    );
    return POLICE_FORCE_AREAS.length;
  });

  await step('CSPs', async () =>
    rowCount(
      await db.raw(
        `INSERT INTO csps (id, name, police_force_area_id, address_lines, contacts)
         SELECT i, 'Community Safety Partnership ' || lpad(i::text, 3, '0'),
                1 + (i % ${POLICE_FORCE_AREAS.length}),
                jsonb_build_array('Civic Centre', i || ' High Street', 'Town ' || i, 'AB' || i || ' 1CD'),
                jsonb_build_array(jsonb_build_object('name', 'Coordinator ' || i, 'email', 'dhr@csp' || i || '.example'))
         FROM generate_series(1, ?) AS i`,
        [VOLUME.csps],
      ),
    ),
  );

  await step('users', async () => {
    await db('users').insert([
      {
        email: 'secretariat@bench.example',
        name: 'Bench Secretariat',
        role: 'secretariat',
        password_hash: passwordHash,
      },
      { email: 'panel@bench.example', name: 'Bench Panel', role: 'panel', password_hash: passwordHash },
    ]);
    const csp = await db.raw(
      `INSERT INTO users (email, name, role, csp_id, password_hash)
       SELECT 'csp' || i || '@bench.example', 'Coordinator ' || i, 'csp', i, ? FROM generate_series(1, ?) AS i`,
      [passwordHash, VOLUME.csps],
    );
    const pcc = await db.raw(
      `INSERT INTO users (email, name, role, police_force_area_id, password_hash)
       SELECT 'pcc' || id || '@bench.example', 'PCC office ' || id, 'pcc', id, ? FROM police_force_areas`,
      [passwordHash],
    );
    return 2 + rowCount(csp) + rowCount(pcc);
  });

  await step('API tokens', async () => {
    const users = await db('users').select('id');
    await db.batchInsert(
      'api_tokens',
      users.map((u) => ({
        user_id: u.id,
        token_hash: hashToken(benchToken(u.id)),
        label: 'benchmark',
        created_at: new Date(),
      })),
      500,
    );
    return users.length;
  });

  await step('panel meetings', async () =>
    rowCount(
      await db.raw(
        `INSERT INTO panel_meetings (id, date) SELECT i, DATE '2021-01-04' + i FROM generate_series(1, ?) AS i`,
        [VOLUME.meetings],
      ),
    ),
  );

  // The plan: each review's CSP, state and number of rounds, kept for the statements below.
  await step('review plan', async () => {
    await db.raw(
      `CREATE TEMP TABLE plan AS
       SELECT i, 1 + (i % ${VOLUME.csps}) AS csp_id, state,
              CASE WHEN state IN ('notified', 'submitted', 'scheduled', 'withdrawn') THEN 0 ELSE 1 + (i % 5) END AS rounds,
              TIMESTAMPTZ '2021-01-01 09:00Z' + i * INTERVAL '2 hours' AS created_at
       FROM (SELECT i, ${stateCase()} AS state FROM generate_series(1, ?) AS i) s`,
      [VOLUME.reviews],
    );
    await db.raw('ALTER TABLE plan ADD PRIMARY KEY (i)');
    return VOLUME.reviews;
  });

  await step('reviews', async () =>
    rowCount(
      await db.raw(
        `INSERT INTO reviews (id, reference, csp_id, pseudonym, year_of_death, notified_on, state, context, version,
                              created_by, created_at, updated_at)
         SELECT p.i, 'DHR-B-' || lpad(p.i::text, 5, '0'), p.csp_id, 'Person ' || p.i, 2020 + (p.i % 5),
                p.created_at::date, p.state,
                jsonb_build_object(
                  'meetingId', CASE WHEN p.state IN ('notified', 'submitted') THEN NULL ELSE 1 + (p.i % ${VOLUME.meetings}) END,
                  'round', p.rounds,
                  'outcome', CASE WHEN p.rounds = 0 THEN NULL
                                  WHEN p.state = 'resubmitted' THEN 'resubmit'
                                  WHEN p.state IN ('approved', 'published') THEN 'publish'
                                  ELSE 'publish_after_changes' END,
                  'letterSentAt', CASE WHEN p.rounds = 0 OR p.state = 'letter_pending' THEN NULL
                                       ELSE to_jsonb(p.created_at + p.rounds * INTERVAL '37 days') END,
                  'pausedFrom', CASE WHEN p.state = 'on_hold' THEN 'revising' END,
                  'publication', CASE WHEN p.state = 'published' THEN jsonb_build_object(
                      'url', 'https://csp' || p.csp_id || '.example/dhr/' || p.i,
                      'publishedOn', (p.created_at + INTERVAL '300 days')::date) END),
                ${EVENTS_PER_REVIEW}, u.id, p.created_at, p.created_at + INTERVAL '300 days'
         FROM plan p JOIN users u ON u.csp_id = p.csp_id`,
      ),
    ),
  );

  await step('documents', async () => {
    const pdf = samplePdf('Overview report');
    return rowCount(
      await db.raw(
        `INSERT INTO documents (review_id, kind, filename, content_type, size, sha256, content, uploaded_by, uploaded_at)
         SELECT p.i, k.kind, k.kind || '.pdf', 'application/pdf', ?, md5(k.kind), ?, r.created_by, p.created_at + INTERVAL '20 days'
         FROM plan p JOIN reviews r ON r.id = p.i
         CROSS JOIN (VALUES ('overview_report'), ('executive_summary'), ('action_plan')) AS k(kind)
         WHERE p.state <> 'notified'`,
        [pdf.length, pdf],
      ),
    );
  });

  await step('rounds', async () =>
    rowCount(
      await db.raw(
        `INSERT INTO rounds (review_id, number, panel_meeting_id, outcome, commendations, recorded_by, recorded_at, letter_sent_at)
         SELECT p.i, n, 1 + ((p.i + n) % ${VOLUME.meetings}),
                CASE WHEN n < p.rounds OR p.state = 'resubmitted' THEN 'resubmit'
                     WHEN p.state IN ('approved', 'published') THEN 'publish'
                     ELSE 'publish_after_changes' END,
                'The panel commended the clear chronology.', 1, p.created_at + n * INTERVAL '30 days',
                CASE WHEN n = p.rounds AND p.state = 'letter_pending' THEN NULL
                     ELSE p.created_at + n * INTERVAL '37 days' END
         FROM plan p CROSS JOIN LATERAL generate_series(1, p.rounds) AS n`,
      ),
    ),
  );

  await step('revision items', async () => {
    const { count } = (await db('rounds').count({ count: '*' }).first()) as { count: number };
    const perRound = Math.ceil(VOLUME.items / Number(count));
    // The last few rounds get one item fewer, so the total is exact.
    const surplus = perRound * Number(count) - VOLUME.items;
    return rowCount(
      await db.raw(
        `INSERT INTO revision_items (round_id, position, heading, text, status, response, created_at, updated_at)
         SELECT r.id, pos, CASE WHEN pos % 4 = 0 THEN 'Chronology' END,
                'Item ' || pos || ': the report should say more about what agencies knew and when, and how '
                  || 'the family were involved in the review.',
                s.status, CASE WHEN s.status <> 'open' THEN 'Added to section ' || pos || ' of the report.' END,
                r.recorded_at, r.recorded_at
         FROM rounds r JOIN plan p ON p.i = r.review_id
         CROSS JOIN LATERAL (SELECT CASE
              WHEN r.number < p.rounds THEN 'accepted'
              WHEN p.state IN ('revising', 'letter_pending', 'on_hold', 'resubmitted') THEN 'open'
              WHEN p.state = 'revisions_submitted' THEN 'addressed'
              ELSE 'accepted' END AS status) s
         CROSS JOIN LATERAL generate_series(1, ? - CASE WHEN r.id <= ? THEN 1 ELSE 0 END) AS pos`,
        [perRound, surplus],
      ),
    );
  });

  await step('letters', async () => {
    const pdf = samplePdf('Letter');
    return rowCount(
      await db.raw(
        `INSERT INTO letters (review_id, round_id, kind, status, fields, html, text, pdf, html_sha256, text_sha256,
                              pdf_sha256, sent_by, sent_at, created_at, updated_at)
         SELECT r.review_id, r.id, r.outcome, CASE WHEN r.letter_sent_at IS NULL THEN 'draft' ELSE 'sent' END,
                jsonb_build_object('salutation', 'Dear Coordinator', 'commendations', r.commendations, 'extraParagraph', ''),
                CASE WHEN r.letter_sent_at IS NOT NULL THEN '<p>Dear Coordinator</p><p>The panel met.</p>' END,
                CASE WHEN r.letter_sent_at IS NOT NULL THEN 'Dear Coordinator. The panel met.' END,
                CASE WHEN r.letter_sent_at IS NOT NULL THEN ?::bytea END,
                md5('h'), md5('t'), md5('p'),
                CASE WHEN r.letter_sent_at IS NOT NULL THEN 1 END, r.letter_sent_at, r.recorded_at, r.recorded_at
         FROM rounds r`,
        [pdf],
      ),
    );
  });

  // Each review's history: NOTIFY, documents, submission, then rounds of outcome, letter and
  // answers, padded to the same length; the last event leads to the review's state.
  await step('review events', async () =>
    rowCount(
      await db.raw(
        `INSERT INTO review_events (review_id, type, payload, from_state, to_state, actor_id, at)
         SELECT p.i,
                CASE WHEN n = 1 THEN 'NOTIFY'
                     WHEN n = ${EVENTS_PER_REVIEW} THEN CASE p.state
                       WHEN 'notified' THEN 'ATTACH_DOCUMENT' WHEN 'submitted' THEN 'SUBMIT'
                       WHEN 'scheduled' THEN 'SCHEDULE' WHEN 'letter_pending' THEN 'RECORD_OUTCOME'
                       WHEN 'revising' THEN 'SEND_LETTER' WHEN 'revisions_submitted' THEN 'SUBMIT_REVISIONS'
                       WHEN 'resubmitted' THEN 'SUBMIT' WHEN 'approved' THEN 'CONFIRM_REVISIONS'
                       WHEN 'published' THEN 'RECORD_PUBLICATION' WHEN 'withdrawn' THEN 'WITHDRAW'
                       ELSE 'PAUSE' END
                     WHEN p.state = 'notified' THEN 'ATTACH_DOCUMENT'
                     ELSE (ARRAY['ATTACH_DOCUMENT', 'ATTACH_DOCUMENT', 'ATTACH_DOCUMENT', 'SUBMIT', 'SCHEDULE',
                                 'RECORD_OUTCOME', 'SEND_LETTER'])[1 + (n - 2) % 7] END,
                jsonb_build_object('note', 'step ' || n),
                CASE WHEN n = 1 THEN NULL ELSE 'notified' END,
                CASE WHEN n = ${EVENTS_PER_REVIEW} THEN p.state ELSE 'notified' END,
                r.created_by, p.created_at + n * INTERVAL '1 day'
         FROM plan p JOIN reviews r ON r.id = p.i
         CROSS JOIN generate_series(1, ${EVENTS_PER_REVIEW}) AS n`,
      ),
    ),
  );

  await step('sent mail', async () =>
    rowCount(
      await db.raw(
        `INSERT INTO outbox (kind, review_id, payload, status, attempts, available_at, created_at, sent_at, letter_id,
                             template, "to", cc, subject, html, text, message_id)
         SELECT 'letter', l.review_id, '{}', 'sent', 1, l.sent_at, l.sent_at, l.sent_at, l.id, 'letter',
                '["dhr@csp.example"]', '["office@pcc.example"]', 'Feedback from the QA panel', '<p>Letter</p>', 'Letter',
                '<letter-' || l.id || '@bench.example>'
         FROM letters l WHERE l.status = 'sent'`,
      ),
    ),
  );

  await step('sequences and statistics', async () => {
    for (const table of ['csps', 'panel_meetings', 'reviews']) {
      await db.raw(`SELECT setval(pg_get_serial_sequence(?, 'id'), (SELECT max(id) FROM ??))`, [table, table]);
    }
    // As autovacuum would on a live database: statistics, and the visibility map that lets
    // counts be answered from indexes alone.
    await db.raw('VACUUM ANALYZE');
    return 0;
  });
  return steps;
}
