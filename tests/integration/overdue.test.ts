/**
 * What is overdue follows the stage clocks: a review is overdue the day after its current
 * stage passes its target (time on hold not counted), on its page, on the dashboard, under the
 * reviews list's filter and for the reminders alike. Each test has an app of its own, because
 * each moves the clock on.
 */
import { createTestApp, meeting, submittedReview, type TestApp } from '../helpers/app';
import { rows, section } from '../helpers/page';
import { signedIn } from '../helpers/web';

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t.close());

type Who = Parameters<TestApp['api']>[0];
async function send(who: Who, id: number, body: object) {
  const res = await t.api(who).event(id, body);
  if (res.status !== 200) throw new Error(`${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** The clock the review's page shows running (not ended, on hold or stopped), and the day kept on the review. */
async function runningAndKept(id: number) {
  const clocks = (await t.api('secretariat').get(`/reviews/${id}`)).body.clocks as {
    stage: string;
    endedOn: string | null;
    status: string;
    dueOn: string | null;
  }[];
  const running = clocks.find((c) => c.endedOn === null && ['on_track', 'due_soon', 'overdue'].includes(c.status));
  const kept = await t.db('reviews').where({ id }).first('clock_stage', 'clock_due_on');
  return {
    page: running ? { stage: running.stage, dueOn: running.dueOn } : null,
    kept: kept.clock_stage ? { stage: kept.clock_stage, dueOn: kept.clock_due_on } : null,
  };
}

/** Asserts that the review keeps the due day its page shows, and returns it. */
async function keptAsShown(id: number) {
  const { page, kept } = await runningAndKept(id);
  expect(kept).toEqual(page);
  return kept;
}

const overdueOnDashboard = async () =>
  section((await (await signedIn(t, 'secretariat')).get('/dashboard')).text, 'overdue');

describe('the due day each review keeps', () => {
  it('agrees with the clocks on its page after every change: on hold, resumed, items returned, details corrected', async () => {
    const created = (await t.api('kent').post('/reviews', { pseudonym: 'Ada', notifiedOn: '2026-02-02' })).body;
    // Notified on 2 February: 183 days to submit.
    expect(await keptAsShown(created.id)).toEqual({ stage: 'notification_to_submission', dueOn: '2026-08-04' });
    await send('secretariat', created.id, {
      type: 'EDIT_DETAILS',
      pseudonym: 'Ada',
      yearOfDeath: null,
      notifiedOn: '2026-01-05',
    });
    expect(await keptAsShown(created.id)).toEqual({ stage: 'notification_to_submission', dueOn: '2026-07-07' });

    const id = await submittedReview(t, 'Bea');
    expect(await keptAsShown(id)).toEqual({ stage: 'submission_to_panel', dueOn: '2026-04-27' });
    await send('secretariat', id, { type: 'SCHEDULE', meetingId: await meeting(t, '2026-03-18') });
    await t.meetingDay('2026-03-18');
    const recorded = await send('panel', id, {
      type: 'RECORD_OUTCOME',
      outcome: 'publish_after_changes',
      commendations: '',
      areas: [{ text: 'Name the agencies.' }, { text: 'Add a tribute.' }],
    });
    // 15 working days from 18 March, over Good Friday and Easter Monday.
    expect(await keptAsShown(id)).toEqual({ stage: 'panel_to_letter', dueOn: '2026-04-10' });
    await send('secretariat', id, { type: 'PAUSE', category: 'inquest', reason: 'The inquest' });
    expect(await keptAsShown(id)).toBeNull();
    await t.meetingDay('2026-03-25');
    await send('secretariat', id, { type: 'RESUME' });
    // A week on hold: five working days later.
    expect(await keptAsShown(id)).toEqual({ stage: 'panel_to_letter', dueOn: '2026-04-17' });
    await send('secretariat', id, { type: 'SEND_LETTER' });
    expect(await keptAsShown(id)).toEqual({ stage: 'letter_to_revisions', dueOn: '2026-04-22' });

    const [first, second] = recorded.rounds[0].items as { id: number }[];
    for (const item of [first!, second!])
      await send('kent', id, { type: 'RESPOND_TO_ITEM', itemId: item.id, response: 'Done.' });
    await send('kent', id, { type: 'SUBMIT_REVISIONS' });
    expect(await keptAsShown(id)).toBeNull();
    await t.meetingDay('2026-04-01');
    await send('secretariat', id, { type: 'ACCEPT_ITEM', itemId: first!.id });
    await send('secretariat', id, { type: 'RETURN_ITEM', itemId: second!.id, reason: 'Not yet.' });
    await send('secretariat', id, { type: 'CONFIRM_REVISIONS' });
    // Items returned start the CSP's clock again, from the day they went back.
    expect(await keptAsShown(id)).toEqual({ stage: 'letter_to_revisions', dueOn: '2026-04-29' });
    await send('kent', id, { type: 'RESPOND_TO_ITEM', itemId: second!.id, response: 'Done now.' });
    await send('kent', id, { type: 'SUBMIT_REVISIONS' });
    await send('secretariat', id, { type: 'ACCEPT_ITEM', itemId: second!.id });
    await send('secretariat', id, { type: 'CONFIRM_REVISIONS' });
    expect(await keptAsShown(id)).toEqual({ stage: 'approval_to_publication', dueOn: '2026-04-29' });
    await send('kent', id, {
      type: 'RECORD_PUBLICATION',
      url: 'https://kent.example/dhr/bea',
      publishedOn: '2026-04-01',
    });
    expect(await keptAsShown(id)).toBeNull();
  });

  it('moves with the bank holidays when the secretariat changes them, and is filled in for reviews from before', async () => {
    const id = await submittedReview(t, 'Cara');
    await send('secretariat', id, { type: 'SCHEDULE', meetingId: await meeting(t) });
    await send('panel', id, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: '', areas: [] });
    // 15 working days from Monday 2 March.
    expect(await keptAsShown(id)).toEqual({ stage: 'panel_to_letter', dueOn: '2026-03-23' });

    const current = (await t.api('secretariat').get('/stage-targets')).body;
    const saved = await t.api('secretariat').put('/stage-targets', {
      targets: current.current.targets,
      dueSoonDays: current.current.dueSoonDays,
      bankHolidays: [...current.bankHolidays, { date: '2026-03-10', name: 'A day of mourning' }],
      expectedVersion: current.current.version,
    });
    expect(saved.status).toBe(201);
    expect(await keptAsShown(id)).toEqual({ stage: 'panel_to_letter', dueOn: '2026-03-24' });

    // A database from before the days were kept: measured when the app starts.
    await t
      .db('reviews')
      .update({ clock_stage: null, clock_started_on: null, clock_due_on: null, clock_overdue_from: null });
    await t.services.stageTargets.refreshDue(t.db, { missingOnly: true });
    expect(await keptAsShown(id)).toEqual({ stage: 'panel_to_letter', dueOn: '2026-03-24' });
  });
});

describe('what is overdue', () => {
  it('is a review whose stage passed its target the day before, on the dashboard and under the filter, and not while on hold', async () => {
    const id = await submittedReview(t, 'Dora');
    await send('secretariat', id, { type: 'SCHEDULE', meetingId: await meeting(t) });
    await send('panel', id, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: '', areas: [] });
    const s = await signedIn(t, 'secretariat');

    await t.meetingDay('2026-03-23');
    expect(await overdueOnDashboard()).toContain('Nothing is overdue.');
    expect(rows((await s.get('/reviews?overdue=true')).text)).not.toContain('Dora');

    await t.meetingDay('2026-03-25');
    const overdue = await overdueOnDashboard();
    expect(overdue).toMatch(/Overdue \(1\)/);
    expect(overdue).toMatch(/Dora.*Panel to letter: 2 working days over target.*23 March 2026/);
    expect(rows((await signedIn(t, 'secretariat').then((p) => p.get('/reviews?overdue=true'))).text)).toContain('Dora');
    const api = await t.api('secretariat').get('/reviews?overdue=true');
    expect(api.body.map((r: { pseudonym: string }) => r.pseudonym)).toEqual(['Dora']);

    await send('secretariat', id, { type: 'PAUSE', category: 'criminal_trial', reason: 'The trial' });
    expect(await overdueOnDashboard()).toContain('Nothing is overdue.');
    expect((await t.api('secretariat').get('/reviews?overdue=true')).body).toEqual([]);
  });

  it('comes on the next working day after a working-day target, on the page, in the list and for the alert alike', async () => {
    const id = await submittedReview(t, 'Gwen');
    await send('secretariat', id, { type: 'SCHEDULE', meetingId: await meeting(t, '2026-06-05') });
    await t.meetingDay('2026-06-05');
    await send('panel', id, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: '', areas: [] });
    // 15 working days from Friday 5 June: three weeks, to Friday 26 June.
    expect((await keptAsShown(id))!.dueOn).toBe('2026-06-26');
    await t.meetingDay('2026-06-27');
    const clock = async () =>
      ((await t.api('secretariat').get(`/reviews/${id}`)).body.clocks as { stage: string; status: string }[]).find(
        (c) => c.stage === 'panel_to_letter',
      )!.status;
    expect(await clock()).toBe('due_soon');
    expect((await t.api('secretariat').get('/reviews?overdue=true')).body).toEqual([]);
    expect((await t.services.reminders.runOnce()).draftLetterAlerts).toBe(0);
    await t.meetingDay('2026-06-29');
    expect(await clock()).toBe('overdue');
    expect((await t.api('secretariat').get('/reviews?overdue=true')).body).toHaveLength(1);
    expect((await t.services.reminders.runOnce()).draftLetterAlerts).toBe(1);
  });

  it('reminds the CSP again when items it was sent back are still open after the target', async () => {
    const id = await submittedReview(t, 'Edna');
    await send('secretariat', id, { type: 'SCHEDULE', meetingId: await meeting(t) });
    const recorded = await send('panel', id, {
      type: 'RECORD_OUTCOME',
      outcome: 'publish_after_changes',
      commendations: '',
      areas: [{ text: 'Add a tribute.' }],
    });
    await send('secretariat', id, { type: 'SEND_LETTER' });
    const item = recorded.rounds[0].items[0].id as number;
    await send('kent', id, { type: 'RESPOND_TO_ITEM', itemId: item, response: 'Added.' });
    await send('kent', id, { type: 'SUBMIT_REVISIONS' });
    await send('secretariat', id, { type: 'RETURN_ITEM', itemId: item, reason: 'The tribute is missing.' });
    await send('secretariat', id, { type: 'CONFIRM_REVISIONS' });

    // 28 days from 2 March, when the items went back.
    await t.meetingDay('2026-03-30');
    expect((await t.services.reminders.runOnce()).revisionReminders).toBe(0);
    await t.meetingDay('2026-03-31');
    expect((await t.services.reminders.runOnce()).revisionReminders).toBe(1);
    expect((await t.services.reminders.runOnce()).revisionReminders).toBe(0);
    const mail = (await t.api('secretariat').get(`/mail?reviewId=${id}`)).body as { kind: string }[];
    expect(mail.filter((m) => m.kind === 'revision_reminder')).toHaveLength(1);
  });
});

describe('the dashboard headline', () => {
  it('gives the median time from panel meeting to letter over the last twelve months', async () => {
    const s = await signedIn(t, 'secretariat');
    expect(section((await s.get('/dashboard')).text, 'headline')).toContain('No feedback letter has been sent');
    const id = await submittedReview(t, 'Fran');
    await send('secretariat', id, { type: 'SCHEDULE', meetingId: await meeting(t) });
    await send('panel', id, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: '', areas: [] });
    await t.meetingDay('2026-03-06');
    await send('secretariat', id, { type: 'SEND_LETTER' });
    const headline = section((await (await signedIn(t, 'panel')).get('/dashboard')).text, 'headline');
    expect(headline).toContain('a median of 4 working days after the panel meeting; 9 in 10 within 4 working days');
    expect(headline).toContain('100% met the target');
  });
});
