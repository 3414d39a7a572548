import { createTestApp, meeting, pdf, submittedReview, type TestApp } from '../helpers/app';

/**
 * Each test has an app of its own: reminders are sent for every review that is due, and
 * each test moves the clock on by weeks, so reviews and days of one test would be another's.
 */
let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
  // Reminders go the day after a stage passes its target: these targets, in calendar days.
  const current = (await t.api('secretariat').get('/stage-targets')).body;
  const saved = await t.api('secretariat').put('/stage-targets', {
    targets: {
      ...current.current.targets,
      panel_to_letter: { days: 10, unit: 'days' },
      letter_to_revisions: { days: 20, unit: 'days' },
      approval_to_publication: { days: 30, unit: 'days' },
    },
    dueSoonDays: 5,
    bankHolidays: current.bankHolidays,
  });
  expect(saved.status).toBe(201);
});
afterEach(() => t.close());

const DAY = 86_400_000;
const none = { draftLetterAlerts: 0, revisionReminders: 0, publicationReminders: 0, recommendationReminders: 0 };

/** Moves the clock on by whole days and signs everyone in again. */
async function later(days: number) {
  t.clock.advance(days * DAY);
  await t.renewTokens();
}

const mailKinds = async (reviewId: number) =>
  (await t.api('secretariat').get(`/mail?reviewId=${reviewId}`)).body.map((m: { kind: string }) => m.kind).reverse();

describe('reminders', () => {
  it('alerts the secretariat once when a letter is still a draft the day after its target', async () => {
    const id = await submittedReview(t, 'Mary');
    // The test clock starts on 2 March 2026; the meeting is on 2 March.
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t, '2026-03-02') });
    await t.api('panel').event(id, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: '', areas: [] });

    await later(9);
    expect(await t.services.reminders.runOnce()).toEqual(none);
    await later(2);
    expect(await t.services.reminders.runOnce()).toEqual({ ...none, draftLetterAlerts: 1 });
    expect(await t.services.reminders.runOnce()).toEqual(none);

    const alert = (await t.api('secretariat').get(`/mail?reviewId=${id}`)).body[0];
    expect(alert).toMatchObject({ kind: 'draft_letter_alert', to: ['dhr-enquiries@dhr-qa.example'] });
    expect(alert.subject).toMatch(/still in draft 11 days after the panel meeting/);
    const history = (await t.api('secretariat').get(`/reviews/${id}`)).body.history;
    expect(history.at(-1)).toMatchObject({
      type: 'DRAFT_LETTER_ALERT_SENT',
      from: 'letter_pending',
      to: 'letter_pending',
      actor: { email: null, role: 'system' },
    });
    await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
  });

  it('reminds the CSP of open revision items after the target and again each target’s length, listing only what is outstanding', async () => {
    const id = await submittedReview(t, 'Nina');
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t) });
    const recorded = await t.api('panel').event(id, {
      type: 'RECORD_OUTCOME',
      outcome: 'publish_after_changes',
      commendations: '',
      areas: [{ text: 'Remove the date of death.' }, { heading: 'Structure', text: 'Add a tribute from the family.' }],
    });
    await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    const [first] = recorded.body.rounds[0].items;
    await t.api('kent').event(id, { type: 'RESPOND_TO_ITEM', itemId: first.id, response: 'Removed.' });

    await later(19);
    expect((await t.services.reminders.runOnce()).revisionReminders).toBe(0);
    await later(2);
    expect((await t.services.reminders.runOnce()).revisionReminders).toBe(1);
    expect((await t.services.reminders.runOnce()).revisionReminders).toBe(0);
    await later(10);
    expect((await t.services.reminders.runOnce()).revisionReminders).toBe(0);
    await later(10);
    expect((await t.services.reminders.runOnce()).revisionReminders).toBe(1);

    expect(await mailKinds(id)).toEqual([
      'acknowledgement',
      'review_submitted',
      'publish_after_changes',
      'revision_reminder',
      'revision_reminder',
    ]);
    const review = (await t.api('kent').get(`/reviews/${id}`)).body;
    const reminder = review.letters.find((l: { kind: string }) => l.kind === 'revision_reminder');
    const letter = (await t.api('kent').get(`/letters/${reminder.id}`)).body;
    expect(letter.text).toContain('Structure: Add a tribute from the family.');
    expect(letter.text).not.toContain('Remove the date of death.');
    expect(review.history.filter((h: { type: string }) => h.type === 'REVISION_REMINDER_SENT')).toHaveLength(2);
  });

  it('stops reminding once the items are answered, and while a review is on hold', async () => {
    const id = await submittedReview(t, 'Olga');
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t) });
    const recorded = await t.api('panel').event(id, {
      type: 'RECORD_OUTCOME',
      outcome: 'publish_after_changes',
      commendations: '',
      areas: [{ text: 'Add a tribute.' }],
    });
    await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    await t.api('secretariat').event(id, { type: 'PAUSE', category: 'inquest', reason: 'Inquest' });
    await later(25);
    await t.services.reminders.runOnce();
    expect(await mailKinds(id)).toEqual(['acknowledgement', 'review_submitted', 'publish_after_changes']);
    await t.api('secretariat').event(id, { type: 'RESUME' });
    await t
      .api('kent')
      .event(id, { type: 'RESPOND_TO_ITEM', itemId: recorded.body.rounds[0].items[0].id, response: 'Added.' });
    await t.services.reminders.runOnce();
    expect(await mailKinds(id)).toEqual(['acknowledgement', 'review_submitted', 'publish_after_changes']);
  });

  it('reminds the CSP to record publication the day after the approval-to-publication target', async () => {
    const id = await submittedReview(t, 'Pia');
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t) });
    await t
      .api('panel')
      .event(id, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: 'Exemplary.', areas: [] });
    await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    // Other reviews of this file are due reminders too: count this one's mail.
    await later(29);
    await t.services.reminders.runOnce();
    expect(await mailKinds(id)).toEqual(['acknowledgement', 'review_submitted', 'publish']);
    await later(2);
    await t.services.reminders.runOnce();
    await t.services.reminders.runOnce();
    expect(await mailKinds(id)).toEqual(['acknowledgement', 'review_submitted', 'publish', 'publication_reminder']);

    const published = await t
      .api('kent')
      .event(id, { type: 'RECORD_PUBLICATION', url: 'https://kent.example/dhr/pia', publishedOn: '2026-03-02' });
    expect(published.body.state).toBe('published');
    expect(await mailKinds(id)).toEqual([
      'acknowledgement',
      'review_submitted',
      'publish',
      'publication_reminder',
      'publication_confirmation',
      'publication_recorded',
    ]);
    await later(60);
    await t.services.reminders.runOnce();
    expect(await mailKinds(id)).toHaveLength(6);
  });

  it('lets an uploaded revised report through without reminders getting in the way', async () => {
    // Reminders only add letters and audit entries: the review's version, and so its clients, are undisturbed.
    const id = await submittedReview(t, 'Quin');
    const before = (await t.api('kent').get(`/reviews/${id}`)).body.version;
    await later(100);
    await t.services.reminders.runOnce();
    expect((await t.api('kent').get(`/reviews/${id}`)).body.version).toBe(before);
    expect((await t.api('kent').upload(id, 'chronology', pdf('chronology'))).status).toBe(201);
  });
});
