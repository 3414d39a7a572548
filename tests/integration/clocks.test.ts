/**
 * Stage clocks as the secretariat, the CSP and the PCC meet them: each review's time at each
 * stage against its target, pauses with a reason from the list, and the targets themselves,
 * versioned and edited by the secretariat.
 */
import { addCalendarDays, addDays } from '../../src/clocks/days';
import { SHIPPED_BANK_HOLIDAYS } from '../../src/clocks/defaults';
import { appsForThisFile, meeting, submittedReview, type TestApp } from '../helpers/app';
import { errorSummary, inputValue, isChecked, section, tags, visible } from '../helpers/page';
import { signedIn } from '../helpers/web';

/**
 * Each test has an app of its own: they move the clock through the weeks a review takes, or
 * change the targets the others measure against.
 */
const ownApp = appsForThisFile();

async function send(t: TestApp, who: Parameters<TestApp['api']>[0], id: number, body: object) {
  const res = await t.api(who).event(id, body);
  if (res.status !== 200) throw new Error(`${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

type Clock = { stage: string; round: number | null; elapsed: number; status: string; dueOn: string | null };
const clocksOf = async (t: TestApp, who: Parameters<TestApp['api']>[0], id: number) =>
  (await t.api(who).get(`/reviews/${id}`)).body.clocks as (Clock & Record<string, unknown>)[];

/**
 * A Kent review notified and submitted on 2 March 2026, assessed at the meeting of 18 March,
 * whose letter went on 15 April: 18 working days over Easter, against a target of 15.
 */
async function lateLetter(t: TestApp): Promise<number> {
  const late = await submittedReview(t, 'Ruth');
  await send(t, 'secretariat', late, { type: 'SCHEDULE', meetingId: await meeting(t, '2026-03-18') });
  await t.meetingDay('2026-03-18');
  await send(t, 'panel', late, {
    type: 'RECORD_OUTCOME',
    outcome: 'publish_after_changes',
    commendations: '',
    areas: [{ text: 'Name the agencies.' }],
  });
  await t.meetingDay('2026-04-15');
  await send(t, 'secretariat', late, { type: 'SEND_LETTER' });
  return late;
}

describe("a review's clocks", () => {
  it('measures each stage in its unit, bank holidays left out, and says which targets were missed', async () => {
    const t = await ownApp();
    const id = await lateLetter(t);
    const clocks = await clocksOf(t, 'secretariat', id);
    expect(clocks.map((c) => [c.stage, c.elapsed, c.status])).toEqual([
      ['notification_to_submission', 0, 'met'],
      ['submission_to_panel', 16, 'met'],
      ['panel_to_letter', 18, 'missed'],
      ['letter_to_revisions', 0, 'on_track'],
    ]);
    expect(clocks[2]).toMatchObject({
      name: 'Panel to letter',
      round: 1,
      startedOn: '2026-03-18',
      endedOn: '2026-04-15',
      target: { days: 15, unit: 'working_days' },
      targetVersion: 0,
    });
    expect(clocks[3]).toMatchObject({ dueOn: '2026-05-13', target: { days: 28, unit: 'days' } });

    const page = await (await signedIn(t, 'kent')).get(`/reviews/${id}`);
    const table = section(page.text, 'time-taken');
    expect(table).toContain('Panel to letter 18 March 2026 15 April 2026 18 working days 15 working days Missed');
    expect(table).toContain('Letter to revisions 15 April 2026 Due by 13 May 2026 0 days 28 days On track');
    expect(tags(page.text)).toContainEqual({ text: 'Missed', colour: 'orange' });
  });

  it('stops while the review is on hold, saying why only to those the reason is shared with', async () => {
    const t = await ownApp();
    const id = await lateLetter(t);
    await t.meetingDay('2026-04-20');
    await send(t, 'secretariat', id, { type: 'PAUSE', category: 'inquest', reason: 'The inquest opens in June.' });
    await t.meetingDay('2026-04-30');
    const office = (await clocksOf(t, 'secretariat', id)).at(-1)!;
    expect(office).toMatchObject({ stage: 'letter_to_revisions', status: 'paused', pausedFor: 'inquest' });
    expect(office).toMatchObject({ elapsed: 5, pausedDays: 10, dueOn: null });
    // The CSP sees that the clock stopped, not why, until the secretariat shares the reason.
    expect((await clocksOf(t, 'kent', id)).at(-1)).toMatchObject({ status: 'paused', pausedFor: null });
    const csp = await (await signedIn(t, 'kent')).get(`/reviews/${id}`);
    expect(section(csp.text, 'time-taken')).toContain(
      'Letter to revisions 15 April 2026 Paused 5 days (10 days on hold not counted) 28 days On hold',
    );
    expect(visible(csp.text)).not.toContain('Inquest');

    await send(t, 'secretariat', id, { type: 'RESUME' });
    await t.meetingDay('2026-05-11');
    // 26 days since the letter, 10 on hold: 16 of 28, 12 left.
    expect((await clocksOf(t, 'secretariat', id)).at(-1)).toMatchObject({
      status: 'on_track',
      elapsed: 16,
      dueOn: '2026-05-23',
    });
    const office2 = await (await signedIn(t, 'secretariat')).get(`/reviews/${id}`);
    expect(visible(office2.text)).toContain('Put on hold');
    expect(visible(office2.text)).toContain('Inquest. Reason: The inquest opens in June.');
  });

  it('asks why a review is put on hold, from the list, on the page and through the API', async () => {
    const t = await ownApp();
    const id = await submittedReview(t, 'Hold');
    const none = await t.api('secretariat').event(id, { type: 'PAUSE', reason: 'Waiting' });
    expect(none.status).toBe(422);
    expect(none.body.errors).toEqual([{ field: 'category', message: 'is required' }]);
    const unknown = await t.api('secretariat').event(id, { type: 'PAUSE', category: 'holiday', reason: 'Waiting' });
    expect(unknown.body.errors[0]).toMatchObject({
      field: 'category',
      message: expect.stringMatching(/^must be one of criminal_trial, inquest/),
    });

    const s = await signedIn(t, 'secretariat');
    const form = await s.get(`/reviews/${id}`);
    expect(visible(form.text)).toContain('Why is the review on hold? Criminal trial Inquest IOPC investigation');
    const bad = await s.form(`/reviews/${id}/events`, { type: 'PAUSE', reason: 'Trial in May', category: '' });
    expect(bad.status).toBe(422);
    expect(errorSummary(bad.text)).toEqual(['Select why the review is on hold']);
    expect(inputValue(bad.text, 'reason')).toBe('Trial in May');
    const good = await s.form(`/reviews/${id}/events`, {
      type: 'PAUSE',
      reason: 'Trial in May',
      category: 'criminal_trial',
    });
    expect(good.status).toBe(302);
    expect((await t.api('secretariat').get(`/reviews/${id}`)).body.state).toBe('on_hold');
  });
});

describe('the stage targets', () => {
  const TARGETS = {
    notification_to_submission: { days: 183, unit: 'days' },
    submission_to_panel: { days: 56, unit: 'days' },
    panel_to_letter: { days: 10, unit: 'working_days' },
    letter_to_revisions: { days: 28, unit: 'days' },
    approval_to_publication: { days: 28, unit: 'days' },
  };

  it('are read by the panel and changed by the secretariat alone, each change a new version', async () => {
    const t = await ownApp();
    const shipped = (await t.api('panel').get('/stage-targets')).body;
    expect(shipped.current).toMatchObject({
      version: 0,
      targets: { panel_to_letter: { days: 15, unit: 'working_days' } },
    });
    expect(shipped.bankHolidays).toContainEqual({ date: '2026-12-28', name: 'Boxing Day (substitute day)' });
    expect((await t.api('kent').get('/stage-targets')).status).toBe(403);
    const body = { targets: TARGETS, dueSoonDays: 3, bankHolidays: [{ date: '2026-12-25', name: 'Christmas Day' }] };
    expect((await t.api('panel').put('/stage-targets', body)).status).toBe(403);

    const bad = await t.api('secretariat').put('/stage-targets', {
      ...body,
      targets: { ...TARGETS, panel_to_letter: { days: 0, unit: 'weeks' } },
      bankHolidays: [{ date: '2026-02-30', name: 'Nonsense' }],
    });
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual([
      'targets.panel_to_letter.days',
      'targets.panel_to_letter.unit',
      'bankHolidays.0.date',
    ]);
    const holidays = async (bankHolidays: unknown) =>
      (await t.api('secretariat').put('/stage-targets', { ...body, bankHolidays })).body.errors;
    expect(await holidays([])).toEqual([{ field: 'bankHolidays', message: 'must list at least one bank holiday' }]);
    expect(await holidays([{ date: '2026-12-25', name: 'Christmas\nDay' }])).toEqual([
      { field: 'bankHolidays.0.name', message: 'must be on one line' },
    ]);
    expect((await t.api('secretariat').put('/stage-targets', { ...body, targets: [] })).body.errors).toEqual([
      { field: 'targets', message: expect.stringMatching(/^must be an object with a target for each stage/) },
    ]);
    expect((await t.api('secretariat').get('/stage-targets')).body.versions).toHaveLength(1);

    const saved = await t.api('secretariat').put('/stage-targets', body);
    expect(saved.status).toBe(201);
    expect(saved.body.current).toMatchObject({ version: 1, dueSoonDays: 3, savedBy: expect.any(String) });
    expect(saved.body.versions.map((v: { version: number }) => v.version)).toEqual([0, 1]);
    expect(saved.body.bankHolidays).toEqual([{ date: '2026-12-25', name: 'Christmas Day' }]);

    // The same sent twice makes one version; a change made to an older version is refused, not lost.
    expect((await t.api('secretariat').put('/stage-targets', body)).status).toBe(200);
    const stale = await t.api('secretariat').put('/stage-targets', { ...body, dueSoonDays: 4, expectedVersion: 0 });
    expect(stale.status).toBe(409);
    expect(stale.body.error).toMatch(/^The targets have changed since you opened them/);
    const [first, second] = await Promise.all(
      [6, 7].map((dueSoonDays) =>
        t.api('secretariat').put('/stage-targets', { ...body, dueSoonDays, expectedVersion: 1 }),
      ),
    );
    expect([first!.status, second!.status].sort()).toEqual([201, 409]);
    expect((await t.api('secretariat').get('/stage-targets')).body.versions).toHaveLength(3);
  });

  it('keep a running stage to the target it began with, and give a stage begun after the change the new one', async () => {
    const t = await ownApp();
    const id = await lateLetter(t);
    // The letter went on 15 April (or before today): the change is saved the next day at the soonest.
    await t.meetingDay(addCalendarDays(t.clock.today(), 1));
    const changed = await t.api('secretariat').put('/stage-targets', {
      targets: { ...TARGETS, letter_to_revisions: { days: 21, unit: 'days' } },
      dueSoonDays: 5,
      bankHolidays: [{ date: '2026-12-25', name: 'Christmas Day' }],
    });
    const version = changed.body.current.version as number;
    const running = (await clocksOf(t, 'secretariat', id)).find((c) => c.stage === 'letter_to_revisions')!;
    expect(running).toMatchObject({ target: { days: 28 }, endedOn: null });
    expect(running.targetVersion).toBeLessThan(version);

    const later = await submittedReview(t, 'Later');
    await send(t, 'secretariat', later, { type: 'SCHEDULE', meetingId: await meeting(t) });
    await send(t, 'panel', later, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: '', areas: [] });
    expect((await clocksOf(t, 'secretariat', later)).find((c) => c.stage === 'panel_to_letter')).toMatchObject({
      targetVersion: version,
      target: { days: 10, unit: 'working_days' },
      elapsed: 0,
      status: 'on_track',
    });
  });

  it('are edited on a page that shows every mistake at once, keeps what was typed and lists the versions', async () => {
    const t = await ownApp();
    const { current, bankHolidays } = (await t.api('secretariat').get('/stage-targets')).body;
    const s = await signedIn(t, 'secretariat');
    expect(visible((await s.get('/admin')).text)).toContain('Stage targets');
    const page = await s.get('/admin/stage-targets');
    expect(page.status).toBe(200);
    expect(inputValue(page.text, 'panel_to_letter-days')).toBe(String(current.targets.panel_to_letter.days));
    expect(isChecked(page.text, 'panel_to_letter-unit-working_days')).toBe(true);
    expect(isChecked(page.text, 'letter_to_revisions-unit')).toBe(true);

    const fields = {
      ...Object.fromEntries(
        Object.entries(TARGETS).flatMap(([s, v]) => [
          [`${s}-days`, String(v.days)],
          [`${s}-unit`, v.unit],
        ]),
      ),
      dueSoonDays: '5',
      bankHolidays: '2026-12-25 Christmas Day\n2026-12-28 Boxing Day (substitute day)',
      expectedVersion: String(current.version),
    };
    const bad = await s.form('/admin/stage-targets', {
      ...fields,
      'panel_to_letter-days': 'ten',
      'submission_to_panel-days': '',
      bankHolidays: '2026-12-25 Christmas Day\n\n28/12/2026 Boxing Day',
    });
    expect(bad.status).toBe(422);
    expect(errorSummary(bad.text)).toEqual([
      'Enter the target for submission to panel',
      'The target for panel to letter must be a number',
      'Bank holidays on line 3: write the date as YYYY-MM-DD, a space and the name, like 2027-12-27 Christmas Day (substitute day)',
    ]);
    expect(bad.text).toContain('href="#panel_to_letter-days"');
    expect(inputValue(bad.text, 'panel_to_letter-days')).toBe('ten');
    expect(inputValue(bad.text, 'bankHolidays')).toBe('2026-12-25 Christmas Day\n\n28/12/2026 Boxing Day');
    // A colleague saves while the page is open: a change made on the page is refused, with what was typed kept.
    const colleague = await t.api('secretariat').put('/stage-targets', {
      targets: current.targets,
      dueSoonDays: 9,
      bankHolidays,
    });
    expect(colleague.status).toBe(201);
    const stale = await s.form('/admin/stage-targets', { ...fields, dueSoonDays: '4' });
    expect(stale.status).toBe(409);
    expect(errorSummary(stale.text)[0]).toMatch(/^The targets have changed since you opened them/);
    expect(inputValue(stale.text, 'dueSoonDays')).toBe('4');

    const good = await s.form('/admin/stage-targets', { ...fields, expectedVersion: String(current.version + 1) });
    expect(good.status).toBe(302);
    const again = await s.form('/admin/stage-targets', { ...fields, expectedVersion: String(current.version + 2) });
    expect(visible((await s.get(again.headers.location)).text)).toContain(
      'Nothing was changed: the targets are as they were',
    );
    const after = await s.get(good.headers.location);
    const version = current.version + 2;
    expect(visible(after.text)).toContain(`Targets saved as version ${version}`);
    // Newest first.
    expect(section(after.text, 'versions')).toMatch(
      new RegExp(`In force from .* ${version} \\d{1,2} \\w+ 2026 .+? 183 days 56 days 10 working days 28 days 28 days`),
    );
  });
});

describe('the national figures', () => {
  it('give the median and 90th percentile of each stage, by quarter and by CSP, to the panel and its secretariat', async () => {
    const t = await ownApp();
    // The shipped targets and bank holidays are in force here: Easter counts as it should.
    await lateLetter(t);
    // A second letter, two working days after its meeting.
    const quick = await submittedReview(t, 'Quick');
    const today = t.clock.today();
    await send(t, 'secretariat', quick, { type: 'SCHEDULE', meetingId: await meeting(t, today) });
    await send(t, 'panel', quick, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: '', areas: [] });
    await t.meetingDay(addDays(today, 2, 'working_days', new Set(SHIPPED_BANK_HOLIDAYS.map((h) => h.date))));
    await send(t, 'secretariat', quick, { type: 'SEND_LETTER' });

    const res = await t.api('panel').get('/stage-times');
    expect(res.status).toBe(200);
    const letters = res.body.stages.find((s: { stage: string }) => s.stage === 'panel_to_letter');
    expect(letters).toEqual({
      stage: 'panel_to_letter',
      name: 'Panel to letter',
      ended: 2,
      median: 10,
      p90: 18,
      metPercent: 50,
    });
    expect(res.body.units.panel_to_letter).toBe('working_days');
    expect(res.body.quarters).toEqual([
      { quarter: '2026-Q2', label: 'April to June 2026', ended: 2, median: 10, p90: 18, metPercent: 50 },
    ]);
    expect(res.body.csps).toEqual([
      { cspId: t.ids.kentCsp, csp: 'Kent CSP', ended: 2, median: 10, p90: 18, metPercent: 50 },
    ]);
    const byStage = await t.api('secretariat').get('/stage-times?stage=submission_to_panel');
    expect(byStage.body.stage).toBe('submission_to_panel');
    expect((await t.api('secretariat').get('/stage-times?stage=nonsense')).body.stage).toBe('panel_to_letter');
    expect((await t.api('kent').get('/stage-times')).status).toBe(403);
    expect((await t.api('kentPcc').get('/stage-times')).status).toBe(403);

    const page = await (await signedIn(t, 'panel')).get('/time-taken');
    expect(page.status).toBe(200);
    expect(section(page.text, 'headline')).toBe(
      '10 working days The median time from a panel meeting to its feedback letter over the last twelve months: 2 letters, 50% within target.',
    );
    expect(section(page.text, 'quarters')).toContain('April to June 2026 2 10 18 50%');
    // The chart says in words what it draws, for anyone who cannot see it.
    expect(section(page.text, 'quarters')).toContain(
      'Bar chart of the time taken, in working days, against a target of 15: April to June 2026, median 10, 90th percentile 18.',
    );
    expect(section(page.text, 'csps')).toContain('Kent CSP 2 10 18 50%');
    expect((await (await signedIn(t, 'kent')).get('/time-taken')).status).toBe(403);
  });
});
