import { createTestApp, meeting, pdf, submittedReview, type TestApp } from '../helpers/app';
import { story } from '../helpers/story';

const KENT_AREAS = [
  { text: 'Clarify the role of the IOPC in paragraph 8.1.' },
  { heading: 'Structure', text: 'Add an Equality and Diversity section.' },
  { heading: 'Structure', text: 'Remove the date of death from the report.' },
];

/**
 * One review's story, a test to a step, told on an app of its own: its steps move the clock to the
 * meeting's day. A step run alone, or after later ones, meets the review as the steps before leave it.
 */
describe('a review that goes "publish after changes"', () => {
  const mary = story(
    async () => ({ t: await createTestApp(), id: 0 }),
    (world) => world.t.close(),
  );

  mary.step('is notified by the CSP with a reference and is "notified"', async (world) => {
    const res = await world.t
      .api('kent')
      .post('/reviews', { pseudonym: 'Mary', yearOfDeath: 2025, notifiedOn: '2026-01-10' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      reference: expect.stringMatching(/^DHR-2026-\d{4}$/),
      pseudonym: 'Mary',
      state: 'notified',
      version: 1,
      notifiedOn: '2026-01-10',
      csp: { id: world.t.ids.kentCsp, name: 'Kent CSP' },
    });
    // Nothing to submit yet; whether to hold it can be recorded and its details corrected.
    expect(res.body.allowedEvents).toEqual(['RECORD_DECISION', 'EDIT_DETAILS']);
    expect(res.body.canAttachDocuments).toBe(true);
    world.id = res.body.id;
  });

  mary.step('cannot be submitted until the three documents are attached', async ({ t, id }) => {
    const early = await t.api('kent').event(id, { type: 'SUBMIT' });
    expect(early.status).toBe(409);
    expect(early.body.error).toMatch(/overview report, an executive summary and an action plan/);

    for (const kind of ['overview_report', 'executive_summary', 'action_plan']) {
      const up = await t.api('kent').upload(id, kind, pdf(kind), `${kind}.pdf`);
      expect(up.status).toBe(201);
      expect(up.body).toMatchObject({ kind, filename: `${kind}.pdf`, size: pdf(kind).length });
    }
    const review = await t.api('kent').get(`/reviews/${id}`);
    expect(review.body.allowedEvents).toEqual(['RECORD_DECISION', 'SUBMIT', 'REMOVE_DOCUMENT', 'EDIT_DETAILS']);
    expect(review.body.documents.map((d: { kind: string }) => d.kind)).toEqual([
      'overview_report',
      'executive_summary',
      'action_plan',
    ]);

    const submitted = await t.api('kent').event(id, { type: 'SUBMIT' });
    expect(submitted.status).toBe(200);
    expect(submitted.body.state).toBe('submitted');
  });

  mary.step('is scheduled, moved to a later meeting, and appears on that agenda', async ({ t, id }) => {
    const first = await meeting(t, '2026-04-15');
    const later = await meeting(t, '2026-05-20');
    expect((await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: first })).body.state).toBe('scheduled');
    const moved = await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: later });
    expect(moved.body).toMatchObject({ state: 'scheduled', meeting: { id: later, date: '2026-05-20' } });

    const agenda = await t.api('secretariat').get(`/panel-meetings/${later}`);
    expect(agenda.body).toMatchObject({ id: later, date: '2026-05-20' });
    expect(agenda.body.reviews.map((r: { id: number }) => r.id)).toContain(id);
    const old = await t.api('secretariat').get(`/panel-meetings/${first}`);
    expect(old.body.reviews).toEqual([]);
  });

  mary.step('is refused an outcome before the day of its meeting', async ({ t, id }) => {
    const early = await t.api('panel').event(id, {
      type: 'RECORD_OUTCOME',
      outcome: 'publish',
      commendations: '',
      areas: [],
    });
    expect(early.status).toBe(409);
    expect(early.body.error).toBe(
      'RECORD_OUTCOME is not possible now: the panel meeting has not taken place yet: its outcome can be recorded from the day of the meeting',
    );
    expect((await t.api('panel').get(`/reviews/${id}`)).body).toMatchObject({
      state: 'scheduled',
      allowedEvents: [],
    });
  });

  mary.step('gets an outcome from a panel member on the day, corrected before the letter goes', async ({ t, id }) => {
    await t.meetingDay('2026-05-20');
    const recorded = await t.api('panel').event(id, {
      type: 'RECORD_OUTCOME',
      outcome: 'publish_after_changes',
      commendations: 'A well-written and clearly structured report.',
      areas: KENT_AREAS.slice(0, 2),
    });
    expect(recorded.status).toBe(200);
    expect(recorded.body.state).toBe('letter_pending');
    expect(recorded.body.rounds).toHaveLength(1);

    const amended = await t.api('secretariat').event(id, {
      type: 'AMEND_OUTCOME',
      outcome: 'publish_after_changes',
      commendations: 'A well-written and clearly structured report.',
      areas: KENT_AREAS,
    });
    expect(amended.status).toBe(200);
    const [round] = amended.body.rounds;
    expect(round).toMatchObject({ number: 1, outcome: 'publish_after_changes', meeting: { date: '2026-05-20' } });
    expect(
      round.items.map((i: { heading: string | null; text: string; status: string }) => [i.heading, i.text, i.status]),
    ).toEqual([
      [null, KENT_AREAS[0]!.text, 'open'],
      ['Structure', KENT_AREAS[1]!.text, 'open'],
      ['Structure', KENT_AREAS[2]!.text, 'open'],
    ]);
  });

  mary.step(
    'has its letter sent, which queues the letter in the outbox and opens the revisions to the CSP',
    async ({ t, id }) => {
      const sent = await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
      expect(sent.status).toBe(200);
      expect(sent.body.state).toBe('revising');
      expect(sent.body.rounds[0].letterSentAt).not.toBeNull();
      const outbox = await t.db('outbox').where({ review_id: id }).orderBy('id');
      expect(outbox.map((m) => [m.kind, m.status])).toEqual([
        ['acknowledgement', 'queued'],
        ['review_submitted', 'queued'],
        ['publish_after_changes', 'queued'],
      ]);
      expect(outbox[2]).toMatchObject({ to: ['sam@kent.example'], cc: ['pcc@kent.example'], attach_letter: true });
      expect(sent.body.letters).toEqual([
        { id: expect.any(Number), kind: 'acknowledgement', round: null, status: 'sent', sentAt: expect.any(String) },
        {
          id: expect.any(Number),
          kind: 'publish_after_changes',
          round: 1,
          status: 'sent',
          sentAt: sent.body.rounds[0].letterSentAt,
        },
      ]);

      const csp = await t.api('kent').get(`/reviews/${id}`);
      expect(csp.body.allowedEvents).toEqual(['RESPOND_TO_ITEM', 'EDIT_DETAILS']);
      expect(csp.body.rounds[0].items[0]).toMatchObject({ status: 'open', statusText: 'To do' });
      expect(csp.body.stateText).toBe('Being revised');
    },
  );

  mary.step('lets the CSP answer each item and submit only when all are answered', async ({ t, id }) => {
    const items = (await t.api('kent').get(`/reviews/${id}`)).body.rounds[0].items;
    await t.api('kent').event(id, {
      type: 'RESPOND_TO_ITEM',
      itemId: items[0].id,
      response: 'Clarified.',
      reportReference: 'para 8.1',
    });
    const tooSoon = await t.api('kent').event(id, { type: 'SUBMIT_REVISIONS' });
    expect(tooSoon.status).toBe(409);
    expect(tooSoon.body.error).toMatch(/every revision item of the round must be addressed/);

    for (const item of items.slice(1)) {
      const res = await t
        .api('kent')
        .event(id, { type: 'RESPOND_TO_ITEM', itemId: item.id, response: `Done: ${item.text}` });
      expect(res.status).toBe(200);
    }
    // An answer already saved can still be changed, until the revisions are submitted.
    const changed = await t.api('kent').event(id, {
      type: 'RESPOND_TO_ITEM',
      itemId: items[0].id,
      response: 'Clarified.',
      reportReference: 'para 8.2',
    });
    expect(changed.status).toBe(200);
    const done = await t.api('kent').event(id, { type: 'SUBMIT_REVISIONS' });
    expect(done.status).toBe(200);
    expect(done.body.state).toBe('revisions_submitted');
    expect(done.body.rounds[0].items[0]).toMatchObject({
      status: 'addressed',
      response: 'Clarified.',
      reportReference: 'para 8.2',
    });
    const locked = await t
      .api('kent')
      .event(id, { type: 'RESPOND_TO_ITEM', itemId: items[0].id, response: 'Too late.' });
    expect(locked.status).toBe(409);
    // The secretariat's team mailbox is told the answers are in, with a link to check them.
    const notice = await t.db('outbox').where({ review_id: id, kind: 'revisions_submitted' }).first();
    expect(notice).toMatchObject({ to: ['dhr-enquiries@dhr-qa.example'], cc: [] });
    expect(notice.subject).toMatch(/^Revisions to DHR-2026-\d{4} \(Mary\) submitted by Kent CSP$/);
    expect(notice.text).toContain(`Check the answers: http://dhr-qa.test/reviews/${id}`);
  });

  mary.step(
    'lets the secretariat return an item with a reason, which the CSP sees and answers again',
    async ({ t, id }) => {
      const items = (await t.api('secretariat').get(`/reviews/${id}`)).body.rounds[0].items;
      await t.api('secretariat').event(id, { type: 'ACCEPT_ITEM', itemId: items[0].id });
      await t.api('secretariat').event(id, { type: 'ACCEPT_ITEM', itemId: items[1].id });
      const early = await t.api('secretariat').event(id, { type: 'CONFIRM_REVISIONS' });
      expect(early.status).toBe(409);
      expect(early.body.error).toMatch(/accepted or returned/);

      await t.api('secretariat').event(id, {
        type: 'RETURN_ITEM',
        itemId: items[2].id,
        reason: 'The date of death is still in the chronology.',
      });
      const confirmed = await t.api('secretariat').event(id, { type: 'CONFIRM_REVISIONS' });
      expect(confirmed.body.state).toBe('revising');
      // The CSP's contacts are told which item came back, by the letter's number, and why.
      const returned = await t.db('outbox').where({ review_id: id, kind: 'items_returned' }).first();
      expect(returned).toMatchObject({ to: ['sam@kent.example'], cc: [] });
      expect(returned.subject).toMatch(/^DHR-2026-\d{4} \(Mary\): 1 revision item returned$/);
      expect(returned.text).toContain(
        `Item 2b: ${KENT_AREAS[2]!.text}\nReturned because: The date of death is still in the chronology.`,
      );
      expect(returned.html).toContain('Returned because: The date of death is still in the chronology.');
      expect(returned.text).toContain(`submit your revisions again: http://dhr-qa.test/reviews/${id}/items`);

      const seen = (await t.api('kent').get(`/reviews/${id}`)).body.rounds[0].items[2];
      expect(seen).toMatchObject({ status: 'returned', note: 'The date of death is still in the chronology.' });
      await t
        .api('kent')
        .event(id, { type: 'RESPOND_TO_ITEM', itemId: items[2].id, response: 'Removed from the chronology too.' });
      expect((await t.api('kent').event(id, { type: 'SUBMIT_REVISIONS' })).body.state).toBe('revisions_submitted');
      await t.api('secretariat').event(id, { type: 'ACCEPT_ITEM', itemId: items[2].id });
      expect((await t.api('secretariat').event(id, { type: 'CONFIRM_REVISIONS' })).body.state).toBe('approved');
      const approval = await t.db('outbox').where({ review_id: id, kind: 'review_approved' }).first();
      expect(approval).toMatchObject({ to: ['sam@kent.example'] });
      expect(approval.subject).toMatch(/^DHR-2026-\d{4} \(Mary\) approved for publication$/);
    },
  );

  mary.step('is published by the CSP with its web link, after which nothing more can happen', async ({ t, id }) => {
    const bad = await t
      .api('kent')
      .event(id, { type: 'RECORD_PUBLICATION', url: 'javascript:alert(1)', publishedOn: '2026-03-01' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors).toEqual([
      { field: 'url', message: 'must be a web address starting with http:// or https://' },
    ]);
    // A publication date still to come is a slip of the keyboard.
    const future = await t.api('kent').event(id, {
      type: 'RECORD_PUBLICATION',
      url: 'https://www.kent.gov.uk/dhr/mary',
      publishedOn: '2026-06-30',
    });
    expect(future.status).toBe(422);
    expect(future.body.errors).toEqual([{ field: 'publishedOn', message: 'must be today or in the past' }]);

    const published = await t.api('kent').event(id, {
      type: 'RECORD_PUBLICATION',
      url: 'https://www.kent.gov.uk/dhr/mary',
      publishedOn: '2026-03-01',
    });
    expect(published.status).toBe(200);
    expect(published.body).toMatchObject({
      state: 'published',
      publication: { url: 'https://www.kent.gov.uk/dhr/mary', publishedOn: '2026-03-01' },
      allowedEvents: [],
    });
    expect((await t.api('secretariat').get(`/reviews/${id}`)).body.allowedEvents).toEqual([]);
    expect((await t.api('secretariat').event(id, { type: 'WITHDRAW', reason: 'x' })).status).toBe(409);
    const recorded = await t.db('outbox').where({ review_id: id, kind: 'publication_recorded' }).first();
    expect(recorded.to).toEqual(['dhr-enquiries@dhr-qa.example']);
    expect(recorded.text).toContain('on 1 March 2026 at https://www.kent.gov.uk/dhr/mary');
  });

  mary.step('keeps the whole history: who did what, when, from which state to which', async ({ t, id }) => {
    const { history, version } = (await t.api('secretariat').get(`/reviews/${id}`)).body;
    expect(history.map((h: { type: string }) => h.type)).toEqual([
      'NOTIFY',
      'ATTACH_DOCUMENT',
      'ATTACH_DOCUMENT',
      'ATTACH_DOCUMENT',
      'SUBMIT',
      'SCHEDULE',
      'SCHEDULE',
      'RECORD_OUTCOME',
      'AMEND_OUTCOME',
      'SEND_LETTER',
      'RESPOND_TO_ITEM',
      'RESPOND_TO_ITEM',
      'RESPOND_TO_ITEM',
      'RESPOND_TO_ITEM',
      'SUBMIT_REVISIONS',
      'ACCEPT_ITEM',
      'ACCEPT_ITEM',
      'RETURN_ITEM',
      'CONFIRM_REVISIONS',
      'RESPOND_TO_ITEM',
      'SUBMIT_REVISIONS',
      'ACCEPT_ITEM',
      'CONFIRM_REVISIONS',
      'RECORD_PUBLICATION',
    ]);
    expect(version).toBe(history.length);
    expect(history[4]).toMatchObject({
      from: 'notified',
      to: 'submitted',
      actor: { email: 'kent@test.example', role: 'csp' },
    });
    expect(history[7]).toMatchObject({
      type: 'RECORD_OUTCOME',
      actor: { email: 'panel@test.example', role: 'panel' },
    });
    expect(history[17]).toMatchObject({
      type: 'RETURN_ITEM',
      reason: 'The date of death is still in the chronology.',
    });
    const times = history.map((h: { at: string }) => h.at);
    expect([...times].sort()).toEqual(times);
  });
});

describe('a review that goes "resubmit", then round 2, then "publish"', () => {
  // An app of its own: the test moves the clock on to its second meeting.
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('runs two rounds, needs a revised report to resubmit, and is published', async () => {
    const id = await submittedReview(t, 'Ben');
    const m1 = await meeting(t);
    const m2 = await meeting(t, '2026-07-01');
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: m1 });
    await t.api('panel').event(id, {
      type: 'RECORD_OUTCOME',
      outcome: 'resubmit',
      commendations: '',
      areas: [{ text: 'Involve the family and add a tribute.' }],
    });
    const sent = await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    expect(sent.body.state).toBe('revising');

    const [item] = sent.body.rounds[0].items;
    await t
      .api('kent')
      .event(id, { type: 'RESPOND_TO_ITEM', itemId: item.id, response: 'The family met the chair twice.' });
    const noReport = await t.api('kent').event(id, { type: 'SUBMIT_REVISIONS' });
    expect(noReport.status).toBe(409);
    expect(noReport.body.error).toMatch(/revised report/);

    expect((await t.api('kent').upload(id, 'revised_report', pdf('revised'))).status).toBe(201);
    const resubmitted = await t.api('kent').event(id, { type: 'SUBMIT_REVISIONS' });
    expect(resubmitted.body.state).toBe('resubmitted');

    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: m2 });
    await t.meetingDay('2026-07-01');
    const round2 = await t
      .api('panel')
      .event(id, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: 'Much improved.', areas: [] });
    expect(
      round2.body.rounds.map((r: { number: number; outcome: string; meeting: { id: number } }) => [
        r.number,
        r.outcome,
        r.meeting.id,
      ]),
    ).toEqual([
      [1, 'resubmit', m1],
      [2, 'publish', m2],
    ]);
    expect(round2.body.rounds[1].items).toEqual([]);
    const approved = await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    expect(approved.body.state).toBe('approved');
    expect((await t.db('outbox').where({ review_id: id }).orderBy('id')).map((m) => m.kind)).toEqual([
      'acknowledgement',
      'review_submitted',
      'resubmit',
      'revisions_submitted',
      'publish',
    ]);

    const published = await t
      .api('kent')
      .event(id, { type: 'RECORD_PUBLICATION', url: 'http://kent.example/ben', publishedOn: '2026-03-01' });
    expect(published.body.state).toBe('published');
  });
});

describe('pausing and withdrawing', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('pauses a review with a reason and resumes it where it was', async () => {
    const id = await submittedReview(t, 'Cara');
    const paused = await t
      .api('secretariat')
      .event(id, { type: 'PAUSE', category: 'criminal_trial', reason: 'Criminal trial in progress' });
    expect(paused.body).toMatchObject({
      state: 'on_hold',
      pausedFrom: 'submitted',
      allowedEvents: ['RESUME', 'WITHDRAW', 'EDIT_DETAILS'],
    });
    const resumed = await t.api('secretariat').event(id, { type: 'RESUME' });
    expect(resumed.body).toMatchObject({ state: 'submitted', pausedFrom: null });
  });

  it('withdraws a review with a reason', async () => {
    const created = await t.api('kent').post('/reviews', { pseudonym: 'Dee' });
    const res = await t.api('secretariat').event(created.body.id, { type: 'WITHDRAW', reason: 'Notified in error' });
    expect(res.body.state).toBe('withdrawn');
    expect(res.body.history.at(-1)).toMatchObject({
      type: 'WITHDRAW',
      from: 'notified',
      to: 'withdrawn',
      reason: 'Notified in error',
    });
    expect(res.body.allowedEvents).toEqual(['REINSTATE']);
  });

  it('reinstates a withdrawn review, with a reason, to where it was; only the secretariat may', async () => {
    const id = await submittedReview(t, 'Eve');
    await t.api('secretariat').event(id, { type: 'PAUSE', category: 'inquest', reason: 'Inquest' });
    const withdrawn = await t.api('secretariat').event(id, { type: 'WITHDRAW', reason: 'Withdrawn by mistake' });
    expect(withdrawn.body).toMatchObject({ state: 'withdrawn', withdrawnFrom: 'on_hold' });
    expect((await t.api('kent').event(id, { type: 'REINSTATE', reason: 'Please' })).status).toBe(403);
    const noReason = await t.api('secretariat').event(id, { type: 'REINSTATE', reason: ' ' });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors).toEqual([{ field: 'reason', message: 'must not be empty' }]);

    const back = await t.api('secretariat').event(id, { type: 'REINSTATE', reason: 'Withdrawn in error' });
    expect(back.status).toBe(200);
    // Back on hold, and still resumable to where it was paused from.
    expect(back.body).toMatchObject({ state: 'on_hold', pausedFrom: 'submitted', withdrawnFrom: null });
    expect(back.body.history.at(-1)).toMatchObject({
      type: 'REINSTATE',
      from: 'withdrawn',
      to: 'on_hold',
      reason: 'Withdrawn in error',
    });
    expect((await t.api('secretariat').event(id, { type: 'RESUME' })).body.state).toBe('submitted');
  });
});
