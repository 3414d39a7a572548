import { createPipeline } from '../../src/services/pipeline';
import { STATES } from '../../src/workflow/types';
import { createTestApp, meeting, submittedReview, type TestApp, type Who } from '../helpers/app';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const DAY = 86_400_000;

/** Moves the clock on by whole days and signs everyone in again. */
async function later(days: number) {
  t.clock.advance(days * DAY);
  await t.renewTokens();
}

async function send(who: Who, id: number, body: object) {
  const res = await t.api(who).event(id, body);
  if (res.status !== 200) throw new Error(`${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.state as string;
}

const NON_FINAL = STATES.filter((s) => !['published', 'closed', 'not_reviewed', 'withdrawn'].includes(s));

describe('pipeline statistics', () => {
  it('are all zeros and no medians before there is any review', async () => {
    const stats = await createPipeline(t.db).stats(t.clock.now());
    expect(stats.counts.map((c) => c.state)).toEqual([...STATES]);
    expect(stats.counts.every((c) => c.count === 0)).toBe(true);
    expect(stats.counts.find((c) => c.state === 'scheduled')!.label).toBe('Scheduled for a panel meeting');
    expect(stats.stages.map((s) => s.state)).toEqual(NON_FINAL);
    expect(stats.stages.every((s) => s.medianDays === null && s.samples === 0)).toBe(true);
  });

  it('count the reviews in each state and give the median days spent per visit to each state', async () => {
    // Day 0: A, B and C are notified and submitted at once; D is only notified.
    const a = await submittedReview(t, 'Anna');
    const b = await submittedReview(t, 'Bea');
    const c = await submittedReview(t, 'Cara');
    expect((await t.api('kent').post('/reviews', { pseudonym: 'Dee' })).status).toBe(201);
    const april = await meeting(t, '2026-04-15');
    const may = await meeting(t, '2026-05-20');

    await later(4); // day 4: B waited 4 days to be scheduled
    expect(await send('secretariat', b, { type: 'SCHEDULE', meetingId: april })).toBe('scheduled');

    await later(6); // day 10: A waited 10 days; B goes on hold after 6 days scheduled
    expect(await send('secretariat', a, { type: 'SCHEDULE', meetingId: april })).toBe('scheduled');
    expect(await send('secretariat', b, { type: 'PAUSE', category: 'criminal_trial', reason: 'Criminal trial' })).toBe(
      'on_hold',
    );

    await later(2); // day 12: A is moved to another meeting and gets a reminder: still one visit to "scheduled"
    expect(await send('secretariat', a, { type: 'SCHEDULE', meetingId: may })).toBe('scheduled');
    await t.db('review_events').insert({
      review_id: a,
      type: 'TEST_REMINDER_SENT',
      payload: JSON.stringify({}),
      from_state: 'scheduled',
      to_state: 'scheduled',
      actor_id: null,
      at: t.clock.now(),
    });

    await later(4); // day 16: C waited 16 days; B resumes after 6 days on hold
    expect(await send('secretariat', c, { type: 'SCHEDULE', meetingId: april })).toBe('scheduled');
    expect(await send('secretariat', b, { type: 'RESUME' })).toBe('scheduled');

    await later(2); // day 18: C is withdrawn after 2 days scheduled
    expect(await send('secretariat', c, { type: 'WITHDRAW', reason: 'Duplicate notification' })).toBe('withdrawn');

    await later(2); // day 20: now
    const stats = await createPipeline(t.db).stats(t.clock.now());

    const counts = Object.fromEntries(stats.counts.map((s) => [s.state, s.count]));
    expect(counts).toEqual({
      notified: 1,
      decision_submitted: 0,
      decision_scheduled: 0,
      decision_letter_pending: 0,
      submitted: 0,
      scheduled: 2,
      letter_pending: 0,
      revising: 0,
      revisions_submitted: 0,
      resubmitted: 0,
      approved: 0,
      published: 0,
      closed: 0,
      not_reviewed: 0,
      withdrawn: 1,
      on_hold: 0,
    });
    expect(stats.counts.map((s) => s.label)).toEqual([
      'Notified',
      'Declined by the CSP, waiting for the panel',
      'Declined by the CSP, scheduled for a panel meeting',
      "Declined by the CSP, waiting for the panel's letter",
      'Submitted',
      'Scheduled for a panel meeting',
      'Waiting for its feedback letter',
      'Being revised',
      'Waiting for its revisions to be checked',
      'Resubmitted',
      'Approved for publication',
      'Published',
      'Closed',
      'Not held: the panel agreed with the decision',
      'Withdrawn',
      'On hold',
    ]);

    const stages = Object.fromEntries(stats.stages.map((s) => [s.state, [s.medianDays, s.samples]]));
    expect(stages).toEqual({
      // A, B and C for seconds, D for 20 days and counting: median of (0, 0, 0, 20)
      notified: [0, 4],
      decision_submitted: [null, 0],
      decision_scheduled: [null, 0],
      decision_letter_pending: [null, 0],
      // 4 (B), 10 (A), 16 (C)
      submitted: [10, 3],
      // 6 (B), 10 (A, still open), 2 (C), 4 (B again, still open): median of (2, 4, 6, 10)
      scheduled: [5, 4],
      letter_pending: [null, 0],
      revising: [null, 0],
      revisions_submitted: [null, 0],
      resubmitted: [null, 0],
      approved: [null, 0],
      on_hold: [6, 1],
    });
    expect(stats.stages.find((s) => s.state === 'on_hold')!.label).toBe('On hold');

    // Open visits are measured up to the moment asked about.
    const tenDaysOn = await createPipeline(t.db).stats(new Date(t.clock.now().getTime() + 10 * DAY));
    const scheduled = tenDaysOn.stages.find((s) => s.state === 'scheduled')!;
    // 6, 20 (A), 2, 14 (B): median of (2, 6, 14, 20)
    expect(scheduled).toMatchObject({ medianDays: 10, samples: 4 });
    expect(tenDaysOn.stages.find((s) => s.state === 'submitted')!.medianDays).toBe(10);
  });

  it('give the median to one decimal place', async () => {
    // An app of its own: the medians above are of the reviews made there.
    const own = await createTestApp();
    try {
      const x = await submittedReview(own, 'Edie');
      const y = await submittedReview(own, 'Fay');
      const pause = async (id: number, hours: number) => {
        own.clock.advance(hours * 3600_000);
        await own.renewTokens();
        const res = await own
          .api('secretariat')
          .event(id, { type: 'PAUSE', category: 'inquest', reason: 'Awaiting inquest' });
        expect(res.body.state).toBe('on_hold');
      };
      await pause(x, 36); // Edie waited a day and a half to be paused
      await pause(y, 114); // Fay waited six and a quarter days
      own.clock.advance(30 * 3600_000); // now Edie has been on hold 6 days, Fay a day and a quarter
      const stats = await createPipeline(own.db).stats(own.clock.now());
      // Submitted: 1.5 and 6.25 days, whose median, 3.875, is rounded to 3.9.
      expect(stats.stages.find((s) => s.state === 'submitted')).toMatchObject({ medianDays: 3.9, samples: 2 });
      // On hold: 6 and 1.25 days, whose median, 3.625, is rounded to 3.6.
      expect(stats.stages.find((s) => s.state === 'on_hold')).toMatchObject({ medianDays: 3.6, samples: 2 });
    } finally {
      await own.close();
    }
  });
});
