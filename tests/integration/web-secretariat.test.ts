import request from 'supertest';
import { createTestApp, meeting, submittedReview, type TestApp, type Who } from '../helpers/app';
import {
  errorSummary,
  historyTitles,
  inputValue,
  isChecked,
  linkTo,
  pageOf,
  rows,
  section,
  tags,
  textsOf,
  title,
  visible,
} from '../helpers/page';
import { story } from '../helpers/story';
import { csrfOf, signedIn } from '../helpers/web';

type Session = Awaited<ReturnType<typeof signedIn>>;

/** An app, and one signed-in browser per role, reused across its tests as a person would. */
async function newWorld() {
  const t = await createTestApp();
  const sessions = new Map<Who, Session>();
  return {
    t,
    async as(who: Who): Promise<Session> {
      if (!sessions.has(who)) sessions.set(who, await signedIn(t, who));
      return sessions.get(who)!;
    },
    /** Moves the clock on to a meeting's day: everyone signs in afresh, as a day later they would. */
    async meetingDay(date: string) {
      await t.meetingDay(date);
      sessions.clear();
    },
    close: () => t.close(),
  };
}
type World = Awaited<ReturnType<typeof newWorld>>;

/**
 * The app most tests share, on 15 April 2026 from the start (the day the spreadsheet is named
 * after and the overdue letter is counted to), so that none of them moves its clock.
 */
let shared: World;
let t: TestApp;
let as: World['as'];
beforeAll(async () => {
  shared = await newWorld();
  await shared.meetingDay('2026-04-15');
  ({ t, as } = shared);
});
afterAll(() => shared.close());

const referenceOf = async (t: TestApp, id: number) =>
  (await t.db('reviews').where({ id }).first('reference')).reference as string;
const count = async (table: string) => Number((await t.db(table).count('* as n'))[0]!.n);

async function send(t: TestApp, who: Who, id: number, body: object) {
  const res = await t.api(who).event(id, body);
  if (res.status !== 200) throw new Error(`${JSON.stringify(body)}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/**
 * Mary's review through the panel meeting of 15 April 2026, a test to a step, on an app of its
 * own (its steps move the clock to the meeting's day): the meeting is added, Mary is put on its
 * agenda, the panel records its outcome on the day and corrects it, and the meeting's letters go.
 * A step run alone, or after later ones, meets Mary as the steps before leave her.
 */
const aprilMeeting = story(
  async () => {
    const world = await newWorld();
    return { ...world, mary: await submittedReview(world.t, 'Mary'), april: 0, march: 0, zara: 0 };
  },
  (world) => world.close(),
);
const outcomeUrl = (april: number, mary: number) => `/meetings/${april}/reviews/${mary}/outcome`;

describe('the dashboard', () => {
  // An app of its own: its lists and figures are of one submitted review and nothing else.
  let dashboard: World;
  beforeAll(async () => {
    dashboard = await newWorld();
    await submittedReview(dashboard.t, 'Mary');
  });
  afterAll(() => dashboard.close());

  it('shows the secretariat a submitted review under "to schedule", sentences for empty lists, and the pipeline', async () => {
    const s = await dashboard.as('secretariat');
    const res = await s.get('/dashboard');
    expect(res.status).toBe(200);
    expect(section(res.text, 'to-schedule')).toContain('DHR-2026-0001 (Mary)');
    expect(section(res.text, 'letters')).toContain('No letters to draft or send.');
    expect(section(res.text, 'to-check')).toContain('No revisions to check.');
    expect(section(res.text, 'overdue')).toContain('Nothing is overdue.');
    expect(section(res.text, 'failed-mail')).toContain('No emails have failed.');
    // The chart is a picture with a name, and its figures are also a table.
    expect(
      pageOf(res.text).querySelector('figure.app-chart svg[role="img"]')?.getAttribute('aria-labelledby'),
    ).toBeTruthy();
    const pipeline = section(res.text, 'pipeline');
    expect(pipeline).toContain('Submitted 1');
    expect(pipeline).toMatch(/Published 0 –/);
  });

  it('shows a panel member the same work but not the mail', async () => {
    const res = await (await dashboard.as('panel')).get('/dashboard');
    expect(res.status).toBe(200);
    expect(section(res.text, 'to-schedule')).toContain('Mary');
    expect(res.text).not.toContain('id="failed-mail"');
  });

  it('is refused to CSP and PCC users', async () => {
    for (const who of ['kent', 'kentPcc'] as const) {
      const res = await (await dashboard.as(who)).get('/dashboard');
      expect(res.status).toBe(403);
      expect(visible(res.text)).toContain('You cannot do this');
    }
  });
});

describe('panel meetings', () => {
  it('refuses a date that is not a real one, keeping what was typed, and adds nothing', async () => {
    const s = await as('secretariat');
    await s.get('/meetings');
    const before = await count('panel_meetings');
    const res = await s.form('/meetings', { 'date-day': '31', 'date-month': '2', 'date-year': '2026' });
    expect(res.status).toBe(422);
    expect(title(res.text)).toMatch(/^Error: Panel meetings/);
    expect(errorSummary(res.text)).toEqual([
      'The date of the panel meeting must be a real date, for example 15 4 2026',
    ]);
    expect(res.text).toContain('href="#date-day"');
    expect(inputValue(res.text, 'date-day')).toBe('31');
    expect(inputValue(res.text, 'date-month')).toBe('2');
    expect(await count('panel_meetings')).toBe(before);

    const empty = await s.form('/meetings', { 'date-day': '', 'date-month': '', 'date-year': '' });
    expect(empty.status).toBe(422);
    expect(errorSummary(empty.text)).toEqual(['Enter the date of the panel meeting']);
  });

  aprilMeeting.step(
    'adds a meeting and lists it, newest first, with the number of reviews on its agenda',
    async (w) => {
      const s = await w.as('secretariat');
      await s.get('/meetings');
      const res = await s.form('/meetings', { 'date-day': '15', 'date-month': '4', 'date-year': '2026' });
      expect(res.status).toBe(302);
      w.april = Number(/added=(\d+)/.exec(res.headers.location)![1]);
      await send(w.t, 'secretariat', w.mary, { type: 'SCHEDULE', meetingId: w.april });
      // A meeting with nothing on its agenda.
      w.march = await meeting(w.t, '2026-03-18');

      const list = await s.get(res.headers.location);
      expect(visible(list.text)).toContain('Panel meeting of 15 April 2026 added');
      const table = rows(list.text);
      expect(table.indexOf('15 April 2026 1')).toBeGreaterThan(-1);
      expect(table.indexOf('15 April 2026')).toBeLessThan(table.indexOf('18 March 2026 0'));
    },
  );

  it('lets a panel member see the meetings but not add one', async () => {
    const p = await as('panel');
    const res = await p.get('/meetings');
    expect(res.status).toBe(200);
    expect(res.text).not.toContain('Add a panel meeting');
    const refused = await p.form('/meetings', { 'date-day': '1', 'date-month': '6', 'date-year': '2026' });
    expect(refused.status).toBe(403);
  });

  aprilMeeting.step(
    'offers no outcome before the day of the meeting, and says from when',
    async ({ as, april, mary }) => {
      const agenda = await (await as('panel')).get(`/meetings/${april}`);
      expect(visible(agenda.text)).toContain(
        'The meeting has not taken place yet. Its outcomes can be recorded from 15 April 2026.',
      );
      expect(agenda.text).not.toContain(`/reviews/${mary}/outcome"`);
      const early = await (await as('panel')).get(`/meetings/${april}/reviews/${mary}/outcome`);
      expect(early.status).toBe(409);
      expect(visible(early.text)).toContain(
        'The panel meeting on 15 April 2026 has not taken place yet: its outcomes can be recorded from the day of the meeting',
      );
      const page = visible((await (await as('panel')).get(`/reviews/${mary}`)).text);
      expect(page).not.toContain("Record the panel's outcome");
      expect(page).toContain("The panel's outcome can be recorded from 15 April 2026, the day of the meeting.");
    },
  );

  aprilMeeting.step("shows a meeting's agenda on its day with a link to record each outcome", async (w) => {
    await w.meetingDay('2026-04-15');
    const { as, april, mary } = w;
    const res = await (await as('panel')).get(`/meetings/${april}`);
    expect(visible(res.text)).not.toContain('has not taken place yet');
    expect(res.status).toBe(200);
    expect(visible(res.text)).toContain('DHR-2026-0001 (Mary)');
    expect(res.text).toContain(`href="/meetings/${april}/reviews/${mary}/outcome"`);
    expect((await (await as('kent')).get(`/meetings/${april}`)).status).toBe(403);
    expect((await (await as('panel')).get('/meetings/99999')).status).toBe(404);
  });
});

describe("recording the panel's outcome", () => {
  const PASTED = [
    'Areas of final development include:',
    '1. Remove the date of death from the report.',
    '2. Structure:',
    '   a. Add an Equality & Diversity section.',
    '   b. Follow the model report layout. <script>alert(1)</script>',
    '3. Say more about the family.',
  ].join('\n');

  aprilMeeting.step(
    'splits the pasted list into areas to check, with notes, keeping what was typed',
    async ({ as, april, mary }) => {
      const p = await as('panel');
      const page = await p.get(outcomeUrl(april, mary));
      expect(page.status).toBe(200);
      expect(visible(page.text)).toContain("Paste the panel's list of areas");
      const res = await p.form(outcomeUrl(april, mary), {
        action: 'split',
        outcome: 'publish_after_changes',
        commendations: 'A thorough report.',
        pasted: PASTED,
      });
      expect(res.status).toBe(200);
      expect(visible(res.text)).toContain('Check the areas');
      expect(visible(res.text)).toContain('"Structure" is a heading over areas 2 and 3.');
      // Nothing pasted goes missing: the introduction is listed as not used, with why.
      expect(visible(res.text)).toContain(
        'Not used Text Why it was left out Areas of final development include: Introduction to the list',
      );
      expect(inputValue(res.text, 'areas-1-heading')).toBe('Structure');
      expect(inputValue(res.text, 'areas-0-text')).toBe('Remove the date of death from the report.');
      expect(res.text).toContain('Follow the model report layout. &lt;script&gt;alert(1)&lt;/script&gt;');
      expect(res.text).not.toContain('<script>alert(1)</script>');
      // Four areas and three empty rows to add more.
      expect(res.text).toContain('name="rows" value="7"');
      expect(isChecked(res.text, 'outcome-publish_after_changes')).toBe(true);
    },
  );

  aprilMeeting.step(
    're-draws the confirmation with the reason when the areas do not suit the outcome, recording nothing',
    async ({ t, as, april, mary }) => {
      const p = await as('panel');
      await p.get(outcomeUrl(april, mary));
      const typed = { rows: '2', 'areas-0-heading': '', 'areas-0-text': 'Remove the date of death.' };
      const publish = await p.form(outcomeUrl(april, mary), {
        action: 'save',
        outcome: 'publish',
        commendations: '',
        ...typed,
      });
      expect(publish.status).toBe(422);
      expect(errorSummary(publish.text)).toEqual([
        'A report published as it is has no areas for development: remove them, or choose another outcome',
      ]);
      expect(inputValue(publish.text, 'areas-0-text')).toBe('Remove the date of death.');

      // Area 2 has a heading but no text: the message names it as numbered on screen.
      const headingOnly = await p.form(outcomeUrl(april, mary), {
        action: 'save',
        outcome: 'publish_after_changes',
        ...typed,
        'areas-0-remove': 'yes',
        'areas-1-heading': 'Typed heading',
        'areas-1-text': '',
      });
      expect(headingOnly.status).toBe(422);
      expect(errorSummary(headingOnly.text)).toEqual(['Enter the text of area 2, or tick Remove']);
      expect(headingOnly.text).toContain('href="#areas-1-text"');
      expect(inputValue(headingOnly.text, 'areas-1-heading')).toBe('Typed heading');
      expect(isChecked(headingOnly.text, 'areas-0-remove')).toBe(true);

      const none = await p.form(outcomeUrl(april, mary), {
        action: 'save',
        outcome: 'resubmit',
        ...typed,
        'areas-0-remove': 'yes',
      });
      expect(errorSummary(none.text)).toEqual(['Add at least one area for revision']);

      const noOutcome = await p.form(outcomeUrl(april, mary), { action: 'save', ...typed });
      expect(errorSummary(noOutcome.text)).toEqual(["Select the panel's outcome"]);
      expect((await t.api('secretariat').get(`/reviews/${mary}`)).body).toMatchObject({
        state: 'scheduled',
        rounds: [],
      });
    },
  );

  aprilMeeting.step(
    'saves the confirmed areas (removed and empty rows left out, new ones added) and lands on the draft letter',
    async ({ t, as, april, mary }) => {
      const p = await as('panel');
      await p.get(outcomeUrl(april, mary));
      const res = await p.form(outcomeUrl(april, mary), {
        action: 'save',
        outcome: 'publish_after_changes',
        commendations: 'A thorough report.',
        rows: '6',
        'areas-0-heading': '',
        'areas-0-text': 'Remove the date of death from the report.',
        'areas-1-heading': 'Structure',
        'areas-1-text': 'Add an Equality & Diversity section.',
        'areas-2-heading': 'Structure',
        'areas-2-text': 'Follow the model report layout.',
        'areas-3-heading': '',
        'areas-3-text': 'Say more about the family.',
        'areas-3-remove': 'yes',
        'areas-4-heading': '',
        'areas-4-text': 'Add a tribute from the family.',
        'areas-5-heading': '',
        'areas-5-text': '',
      });
      expect(res.status).toBe(302);
      expect(res.headers.location).toMatch(/^\/letters\/\d+\?done=RECORD_OUTCOME$/);

      const review = (await t.api('secretariat').get(`/reviews/${mary}`)).body;
      expect(review.state).toBe('letter_pending');
      expect(review.rounds[0].items.map((i: { heading: string | null; text: string }) => [i.heading, i.text])).toEqual([
        [null, 'Remove the date of death from the report.'],
        ['Structure', 'Add an Equality & Diversity section.'],
        ['Structure', 'Follow the model report layout.'],
        [null, 'Add a tribute from the family.'],
      ]);
      const letter = await p.get(res.headers.location);
      expect(letter.status).toBe(200);
      expect(visible(letter.text)).toContain('Add a tribute from the family.');
    },
  );

  aprilMeeting.step(
    'offers the recorded areas to correct while the letter is a draft, and saves the correction',
    async ({ t, as, april, mary }) => {
      const p = await as('panel');
      const page = await p.get(outcomeUrl(april, mary));
      expect(page.status).toBe(200);
      expect(visible(page.text)).toContain("Correct the panel's outcome");
      expect(inputValue(page.text, 'areas-3-text')).toBe('Add a tribute from the family.');
      const res = await p.form(outcomeUrl(april, mary), {
        action: 'save',
        outcome: 'resubmit',
        commendations: 'A thorough report.',
        rows: '1',
        'areas-0-heading': '',
        'areas-0-text': 'Rewrite the analysis.',
      });
      expect(res.status).toBe(302);
      expect(res.headers.location).toMatch(/\?done=AMEND_OUTCOME$/);
      const review = (await t.api('secretariat').get(`/reviews/${mary}`)).body;
      expect(review.rounds).toHaveLength(1);
      expect(review.rounds[0]).toMatchObject({ outcome: 'resubmit', items: [{ text: 'Rewrite the analysis.' }] });
    },
  );

  aprilMeeting.step(
    'answers 404 for a review that is not on that meeting’s agenda, and 403 to a CSP',
    async ({ as, april, march, mary }) => {
      expect((await (await as('panel')).get(outcomeUrl(march, mary))).status).toBe(404);
      expect((await (await as('kent')).get(outcomeUrl(april, mary))).status).toBe(403);
    },
  );
});

describe('sending the letters of a meeting', () => {
  aprilMeeting.step('sends every draft it can and says why the others were not sent', async (w) => {
    const { t, as, april, mary } = w;
    // A Hackney review at the same meeting, whose force area has no PCC email address.
    const zara = (w.zara = await submittedReview(t, 'Zara', 'hackney'));
    await send(t, 'secretariat', zara, { type: 'SCHEDULE', meetingId: april });
    await send(t, 'panel', zara, { type: 'RECORD_OUTCOME', outcome: 'publish', commendations: '', areas: [] });
    await t.db('police_force_areas').where({ id: t.ids.metArea }).update({ pcc_email: null });

    const s = await as('secretariat');
    const agenda = await s.get(`/meetings/${april}`);
    expect(visible(agenda.text)).toContain('Send all draft letters');
    const res = await s.form(`/meetings/${april}/send-letters`, {});
    expect(res.status).toBe(200);
    const text = visible(res.text);
    expect(text).toContain('1 letter sent to the CSPs, with copies to the PCCs');
    expect(section(res.text, 'sent')).toContain('DHR-2026-0001');
    expect(section(res.text, 'not-sent')).toContain(
      'the Metropolitan Police police force area has no PCC email address',
    );
    expect((await t.api('secretariat').get(`/reviews/${mary}`)).body.state).toBe('revising');
    expect((await t.api('secretariat').get(`/reviews/${zara}`)).body.state).toBe('letter_pending');

    // A panel member may not send letters.
    const p = await as('panel');
    await p.get(`/meetings/${april}`);
    expect((await p.form(`/meetings/${april}/send-letters`, {})).status).toBe(403);
  });
});

/**
 * The list read after the April meeting's letters went (Mary revising, Hackney's Zara still
 * waiting for her letter), with 26 more of Kent's reviews, notified: more than a page.
 */
describe('the list of reviews', () => {
  const filled = new WeakSet<object>();
  async function listed() {
    const world = await aprilMeeting.end();
    if (!filled.has(world)) {
      for (let i = 1; i <= 26; i++) {
        const res = await world.t.api('kent').post('/reviews', { pseudonym: `Person ${String(i).padStart(2, '0')}` });
        expect(res.status).toBe(201);
      }
      filled.add(world);
    }
    return world;
  }

  it('shows 25 reviews a page with GOV.UK pagination that keeps the filters', async () => {
    const { t, as } = await listed();
    const s = await as('secretariat');
    const first = await s.get(`/reviews?cspId=${t.ids.kentCsp}&state=notified`);
    expect(first.status).toBe(200);
    expect(pageOf(first.text).querySelectorAll('tr.govuk-table__row')).toHaveLength(26); // the header row and 25
    expect(visible(first.text)).toContain('26 reviews match, showing 1 to 25');
    expect(first.text).toContain('class="govuk-pagination"');
    const next = pageOf(first.text).querySelector('.govuk-pagination a[rel="next"]')!.getAttribute('href')!;
    expect(next).toBe(`/reviews?state=notified&cspId=${t.ids.kentCsp}&page=2`);
    const second = await s.get(next);
    expect(visible(second.text)).toContain('showing 26 to 26');
    expect(visible(second.text)).toContain('Person 01');
    expect(second.text).toContain('aria-current="page">2<');
  });

  it('filters by state, meeting and overdue, and finds a reference or pseudonym in any case', async () => {
    const { t, as, april, mary } = await listed();
    const s = await as('secretariat');
    const scheduled = rows((await s.get(`/reviews?meetingId=${april}`)).text);
    expect(scheduled).toContain('Mary');
    expect(scheduled).toContain('Zara');
    expect(scheduled).not.toContain('Person');

    const search = visible((await s.get('/reviews?q=zAR')).text);
    expect(search).toContain('1 review matches');
    expect(search).toContain('Zara');
    const byReference = visible((await s.get(`/reviews?q=${(await referenceOf(t, mary)).slice(4)}`)).text);
    expect(byReference).toContain('Mary');
    expect(byReference).toContain('1 review matches');
    // % and _ are searched for as themselves.
    expect(visible((await s.get('/reviews?q=%25')).text)).toContain('No reviews match these filters.');
    // A NUL or a tab pasted into the search box is dropped, not an error page.
    const pasted = await s.get('/reviews?q=z%00A%09R');
    expect(pasted.status).toBe(200);
    expect(visible(pasted.text)).toContain('1 review matches');
    expect((await s.get('/reviews.csv?q=z%00AR')).status).toBe(200);

    const revising = rows((await s.get('/reviews?state=revising')).text);
    expect(revising).toContain('Mary');
    expect(revising).not.toContain('Zara');
    expect(visible((await s.get('/reviews?overdue=true')).text)).toContain('No reviews match these filters.');
    // Nonsense in a filter is ignored rather than refused.
    expect((await s.get('/reviews?state=nonsense&cspId=x&page=0')).status).toBe(200);
  });

  it("is a PCC's home page, showing only its own force area's reviews", async () => {
    const { t, as, mary } = await listed();
    const kentPcc = await as('kentPcc');
    const kentList = await kentPcc.get('/reviews');
    expect(visible(kentList.text)).toContain('27 reviews, showing 1 to 25');
    expect(rows((await kentPcc.get('/reviews?q=ar')).text)).toMatch(
      new RegExp(`^${await referenceOf(t, mary)} Mary Kent CSP Being revised`),
    );
    expect(visible((await kentPcc.get('/reviews?q=zara')).text)).toContain('No reviews match these filters.');
    // Another area's CSP in the filter finds nothing rather than that CSP's reviews.
    expect(visible((await kentPcc.get(`/reviews?cspId=${t.ids.hackneyCsp}`)).text)).toContain(
      'No reviews match these filters.',
    );
    const metPcc = await (await as('metPcc')).get('/reviews');
    expect(rows(metPcc.text)).toContain('Zara');
    expect(rows(metPcc.text)).not.toContain('Mary');
    expect(metPcc.text).not.toContain('name="meetingId"');
    expect((await (await as('kent')).get('/reviews')).status).toBe(403);
  });

  it('accepts the same filters on the API', async () => {
    const { t, april } = await listed();
    const res = await t.api('secretariat').get(`/reviews?q=mar&meetingId=${april}&overdue=false`);
    expect(res.status).toBe(200);
    expect(res.body.map((r: { pseudonym: string }) => r.pseudonym)).toEqual(['Mary']);
    expect((await t.api('secretariat').get('/reviews?overdue=maybe')).status).toBe(422);
  });
});

describe('overdue work', () => {
  it('lists a letter still in draft long after its meeting on the dashboard and under the overdue filter', async () => {
    const past = await meeting(t, '2026-03-17');
    const id = await submittedReview(t, 'Olive');
    await send(t, 'secretariat', id, { type: 'SCHEDULE', meetingId: past });
    await send(t, 'panel', id, {
      type: 'RECORD_OUTCOME',
      outcome: 'publish_after_changes',
      commendations: '',
      areas: [{ text: 'Anonymise the chronology.' }],
    });
    const s = await as('secretariat');
    const dashboard = await s.get('/dashboard');
    // 15 working days from 17 March, over Easter, ran to 9 April.
    expect(section(dashboard.text, 'overdue')).toMatch(
      /Olive.*Panel to letter: 4 working days over target 9 April 2026/,
    );
    expect(section(dashboard.text, 'letters')).toContain('Olive');
    const olive = await referenceOf(t, id);
    expect(linkTo(dashboard.text, `Draft letter for ${olive}`)).toMatch(/^\/letters\/\d+$/);
    const list = rows((await s.get('/reviews?overdue=true')).text);
    expect(list).toContain('Olive');
    expect(list).not.toContain('Mary');
  });
});

describe('the mail', () => {
  it('lists the outbox, filters it, shows a message and retries a failed one', async () => {
    // The mail the April meeting's story sent: Mary's letter among it.
    const { t, as } = await aprilMeeting.end();
    const s = await as('secretariat');
    const all = await s.get('/mail');
    expect(all.status).toBe(200);
    expect(visible(all.text)).toContain('sam@kent.example');
    expect(visible(all.text)).toContain('Feedback letter: revise and resubmit');

    const [letterMail] = await t.db('outbox').where({ template: 'outcome_letter' }).select('id');
    await t
      .db('outbox')
      .where({ id: letterMail.id })
      .update({ status: 'failed', attempts: 5, last_error: 'Connection refused <smtp.example>' });

    const failed = await s.get('/mail?status=failed');
    expect(visible(failed.text)).toContain('Failed');
    expect(failed.text).toContain('Connection refused &lt;smtp.example&gt;');
    // One failed message, under the table's heading row.
    expect(textsOf(failed.text, 'tbody tr')).toHaveLength(1);
    expect(section((await s.get('/dashboard')).text, 'failed-mail')).toContain('1 email has failed');

    const page = await s.get(`/mail/${letterMail.id}`);
    expect(page.status).toBe(200);
    expect(visible(page.text)).toContain('Try sending it again');
    expect(page.text).toContain(`href="/mail/${letterMail.id}/eml"`);
    const retried = await s.form(`/mail/${letterMail.id}/retry`, {});
    expect(retried.status).toBe(302);
    const after = await s.get(retried.headers.location);
    expect(visible(after.text)).toContain('The email will be sent again shortly');
    expect((await t.db('outbox').where({ id: letterMail.id }).first()).status).toBe('queued');

    const again = await s.form(`/mail/${letterMail.id}/retry`, {});
    expect(again.status).toBe(409);
    expect(errorSummary(again.text)[0]).toMatch(/still queued/);

    const eml = await s.agent
      .get(`/mail/${letterMail.id}/eml`)
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(eml.status).toBe(200);
    expect(eml.headers['content-type']).toMatch(/^message\/rfc822/);
    expect(eml.headers['content-disposition']).toContain(`message-${letterMail.id}.eml`);
    expect((eml.body as Buffer).toString()).toContain('To: sam@kent.example');
  });

  it('is refused to panel members', async () => {
    const p = await as('panel');
    expect((await p.get('/mail')).status).toBe(403);
    expect((await p.get('/mail/1')).status).toBe(403);
  });
});

describe('administration', () => {
  it('is refused to everyone but the secretariat', async () => {
    for (const who of ['panel', 'kent', 'kentPcc'] as const) {
      expect((await (await as(who)).get('/admin')).status).toBe(403);
      expect((await (await as(who)).get('/admin/csps')).status).toBe(403);
    }
    const p = await as('panel');
    await p.get('/dashboard');
    expect((await p.form('/admin/csps', { name: 'Sneaky CSP' })).status).toBe(403);
  });

  it('adds a CSP, showing every mistake at once and keeping what was typed', async () => {
    const s = await as('secretariat');
    const form = await s.get('/admin/csps/new');
    expect(form.status).toBe(200);
    const bad = await s.form('/admin/csps', {
      name: '',
      policeForceAreaId: '',
      addressLines: 'Civic Centre\nHarlow',
      contacts: 'Pat Jones <pat@harlow.example>\nsomebody without an address\nLee Smith, not-an-email',
    });
    expect(bad.status).toBe(422);
    // One error for each field: the contacts' lines in one message.
    expect(errorSummary(bad.text)).toEqual([
      'Enter the name of the CSP',
      'Choose the police force area',
      'Contacts on line 2: write it as Name <email> or Name, email; on line 3: email must be an email address such as name@example.org',
    ]);
    expect(bad.text).toContain('Civic Centre\nHarlow</textarea>');
    expect(bad.text).toContain('Pat Jones &lt;pat@harlow.example&gt;');
    expect(await count('csps')).toBe(2);

    const good = await s.form('/admin/csps', {
      name: 'Harlow <script>alert(1)</script> CSP',
      policeForceAreaId: String(t.ids.kentArea),
      addressLines: 'Civic Centre\n\nHarlow',
      contacts: '"Pat Jones" <pat@harlow.example>\nLee Smith, lee@harlow.example',
    });
    expect(good.status).toBe(302);
    const list = await s.get(good.headers.location);
    expect(list.text).toContain('Harlow &lt;script&gt;alert(1)&lt;/script&gt; CSP');
    expect(list.text).not.toContain('<script>alert(1)</script>');
    expect(visible(list.text)).toContain('added');
    const csp = (await t.api('secretariat').get('/csps')).body.find((c: { name: string }) =>
      c.name.startsWith('Harlow'),
    );
    expect(csp).toMatchObject({
      addressLines: ['Civic Centre', 'Harlow'],
      contacts: [
        { name: 'Pat Jones', email: 'pat@harlow.example' },
        { name: 'Lee Smith', email: 'lee@harlow.example' },
      ],
    });
  });

  it("changes a CSP's address and contacts, on the page and through the API", async () => {
    const s = await as('secretariat');
    const page = await s.get(`/admin/csps/${t.ids.kentCsp}`);
    expect(page.text).toContain('Sam Okafor &lt;sam@kent.example&gt;</textarea>');
    const bad = await s.form(`/admin/csps/${t.ids.kentCsp}`, { addressLines: 'Invicta House', contacts: '' });
    expect(bad.status).toBe(422);
    expect(errorSummary(bad.text)).toEqual(['Enter at least one contact: the first receives the letters']);
    const good = await s.form(`/admin/csps/${t.ids.kentCsp}`, {
      addressLines: 'Invicta House\nCounty Hall\nMaidstone',
      contacts: 'Sam Okafor <sam@kent.example>\nAlex Kay <alex@kent.example>',
    });
    expect(good.status).toBe(302);
    expect(visible((await s.get(good.headers.location)).text)).toContain('Kent CSP saved');

    const api = await t.api('secretariat').put(`/csps/${t.ids.kentCsp}`, {
      addressLines: ['Invicta House', 'Maidstone'],
      contacts: [{ name: 'Sam Okafor', email: 'sam@kent.example' }],
    });
    expect(api.status).toBe(200);
    expect(api.body).toMatchObject({ name: 'Kent CSP', addressLines: ['Invicta House', 'Maidstone'] });
    expect((await t.api('secretariat').put(`/csps/${t.ids.kentCsp}`, { addressLines: [] })).status).toBe(422);
    expect(
      (await t.api('secretariat').put(`/csps/${t.ids.kentCsp}`, { name: 'Renamed', addressLines: [], contacts: [] }))
        .body.errors,
    ).toContainEqual({ field: 'name', message: 'is not a known field' });
    expect((await t.api('kent').put(`/csps/${t.ids.kentCsp}`, { addressLines: [], contacts: [] })).status).toBe(403);
    expect(
      (
        await t.api('secretariat').put('/csps/99999', {
          addressLines: [],
          contacts: [{ name: 'A', email: 'a@b.example' }],
        })
      ).status,
    ).toBe(404);
  });

  it("changes a PCC's name and email address", async () => {
    await t.db('police_force_areas').where({ id: t.ids.metArea }).update({ pcc_email: null });
    const s = await as('secretariat');
    const list = await s.get('/admin/police-force-areas');
    expect(visible(list.text)).toMatch(/Metropolitan Police Mayor's Office for Policing and Crime Missing/);
    await s.get(`/admin/police-force-areas/${t.ids.metArea}`);
    const bad = await s.form(`/admin/police-force-areas/${t.ids.metArea}`, {
      pccName: "Mayor's Office for Policing and Crime",
      pccEmail: 'mopac at london',
    });
    expect(bad.status).toBe(422);
    expect(errorSummary(bad.text)).toEqual([
      "Enter the PCC's email address in the correct format, like name@example.org",
    ]);
    expect(inputValue(bad.text, 'pccEmail')).toBe('mopac at london');
    const good = await s.form(`/admin/police-force-areas/${t.ids.metArea}`, {
      pccName: "Mayor's Office for Policing and Crime",
      pccEmail: 'mopac@london.example',
    });
    expect(good.status).toBe(302);
    expect(visible((await s.get(good.headers.location)).text)).toContain('PCC details for Metropolitan Police saved');
    const area = (await t.api('secretariat').get('/police-force-areas')).body.find(
      (a: { id: number }) => a.id === t.ids.metArea,
    );
    expect(area.pccEmail).toBe('mopac@london.example');
  });

  it('adds a user, refusing mistakes without echoing the password', async () => {
    const s = await as('secretariat');
    await s.get('/admin/users/new');
    const bad = await s.form('/admin/users', {
      name: 'Robin Ng',
      email: 'robin@kent.example',
      role: 'csp',
      cspId: '',
      policeForceAreaId: '',
      password: 'short',
    });
    expect(bad.status).toBe(422);
    expect(errorSummary(bad.text)).toEqual(['A password must be 12 characters or more']);
    expect(inputValue(bad.text, 'name')).toBe('Robin Ng');
    expect(bad.text).not.toContain('value="short"');
    expect(isChecked(bad.text, 'role-csp')).toBe(true);

    const noCsp = await s.form('/admin/users', {
      name: 'Robin Ng',
      email: 'robin@kent.example',
      role: 'csp',
      password: 'a long enough password',
    });
    expect(errorSummary(noCsp.text)).toEqual(['Select the CSP for a CSP user']);
    const noRole = await s.form('/admin/users', { name: 'Robin Ng', email: 'robin@kent.example', password: 'x' });
    expect(errorSummary(noRole.text)).toContain('Select the role of the user');

    const good = await s.form('/admin/users', {
      name: 'Robin Ng',
      email: 'robin@kent.example',
      role: 'csp',
      cspId: String(t.ids.kentCsp),
      password: 'a long enough password',
    });
    expect(good.status).toBe(302);
    const list = visible((await s.get(good.headers.location)).text);
    expect(list).toContain('Robin Ng can now sign in as robin@kent.example');
    expect(list).toMatch(/Robin Ng robin@kent\.example CSP coordinator Kent CSP/);

    const duplicate = await s.form('/admin/users', {
      name: 'Robin again',
      email: 'ROBIN@kent.example',
      role: 'panel',
      password: 'a long enough password',
    });
    expect(duplicate.status).toBe(409);
    expect(errorSummary(duplicate.text)[0]).toContain('already exists');
  });

  it('changes every letter setting', async () => {
    const s = await as('secretariat');
    const page = await s.get('/admin/settings');
    expect(inputValue(page.text, 'dhrMailbox')).toBe('dhr-enquiries@dhr-qa.example');
    // When reminders go is the stage targets': the page says where to change it.
    expect(linkTo(page.text, 'target')).toBe('/admin/stage-targets');
    const fields = {
      signatoryName: 'Dr A Chair',
      signatoryTitle: 'Chair of the QA Panel',
      homeOfficeAddress: '2 Marsham Street\nLondon\nSW1P 4DF',
      dhrMailbox: 'dhr@homeoffice.example',
    };
    const bad = await s.form('/admin/settings', { ...fields, dhrMailbox: 'soon', homeOfficeAddress: '' });
    expect(bad.status).toBe(422);
    expect(errorSummary(bad.text)).toEqual([
      "Enter the letterhead's lines",
      'Enter the DHR mailbox in the correct format, like name@example.org',
    ]);
    expect(inputValue(bad.text, 'dhrMailbox')).toBe('soon');
    const badStyle = await s.form('/admin/settings', { ...fields, areaStyle: 'roman' });
    expect(errorSummary(badStyle.text)).toEqual(['Select how letters list the areas']);
    const good = await s.form('/admin/settings', {
      ...fields,
      letterheadTitle: '',
      areaStyle: 'bulleted',
      dateStyle: 'ordinal',
      addressIncludesCsp: 'no',
    });
    expect(good.status).toBe(302);
    expect(visible((await s.get(good.headers.location)).text)).toContain('Settings saved');
    expect(await t.services.settings.get()).toMatchObject({
      signatoryName: 'Dr A Chair',
      homeOfficeAddress: ['2 Marsham Street', 'London', 'SW1P 4DF'],
      dhrMailbox: 'dhr@homeoffice.example',
      letterheadTitle: '',
      areaStyle: 'bulleted',
      dateStyle: 'ordinal',
      addressIncludesCsp: false,
    });
    const again = await s.get('/admin/settings');
    expect(isChecked(again.text, 'areaStyle-bulleted')).toBe(true);
    expect(isChecked(again.text, 'addressIncludesCsp-no')).toBe(true);
  });
});

describe('forms from elsewhere', () => {
  it('refuses a POST without the CSRF token or with a wrong one, changing nothing', async () => {
    const s = await as('secretariat');
    const before = await count('panel_meetings');
    const fields = { 'date-day': '1', 'date-month': '9', 'date-year': '2026' };
    const without = await s.agent.post('/meetings').type('form').send(fields);
    expect(without.status).toBe(403);
    const page = await s.get('/meetings');
    const wrong = await s.agent
      .post('/meetings')
      .type('form')
      .send({ ...fields, _csrf: `${csrfOf(page.text).slice(0, -2)}xx` });
    expect(wrong.status).toBe(403);
    // A token from another person's session is no good either.
    const other = await request(t.app)
      .post('/meetings')
      .type('form')
      .send({ ...fields, _csrf: (await as('panel')).token });
    expect(other.status).toBe(403);
    expect(await count('panel_meetings')).toBe(before);
  });
});

describe('the reviews as a spreadsheet', () => {
  it('downloads every review the filters match, formulas shown as typed, and a PCC only its own area', async () => {
    const formula = (await t.api('kent').post('/reviews', { pseudonym: '=HYPERLINK("x")' })).body.id as number;
    const hackney = (await t.api('hackney').post('/reviews', { pseudonym: 'Elsewhere' })).body.id as number;
    const secretariat = await as('secretariat');
    const list = await secretariat.get('/reviews?state=notified');
    const download = pageOf(list.text).querySelector('a[download]')!;
    expect(download.getAttribute('href')).toBe('/reviews.csv?state=notified');
    expect(visible(download.toString())).toBe('Download as CSV every review matching these filters');

    const csv = await secretariat.agent.get('/reviews.csv?state=notified');
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe('attachment; filename=dhr-reviews-2026-04-15.csv');
    const lines = csv.text.replace(/^\uFEFF/, '').split('\r\n');
    expect(lines[0]).toBe('Reference,Pseudonym,CSP,State,Notified on,Last changed');
    const [formulaRef, hackneyRef] = [await referenceOf(t, formula), await referenceOf(t, hackney)];
    const row = lines.find((l) => l.startsWith(`${formulaRef},`))!;
    expect(row).toContain(`"'=HYPERLINK(""x"")"`);
    expect(row).toContain(',Notified,');
    expect(lines.some((l) => l.startsWith(`${hackneyRef},`))).toBe(true);
    // Every data line is a notified review: the filter holds in the download.
    const notified = await t.db('reviews').where({ state: 'notified' }).count('* as n');
    expect(lines.filter((l) => l && l !== lines[0])).toHaveLength(Number(notified[0]!.n));

    const pcc = await as('kentPcc');
    const theirs = (await pcc.agent.get('/reviews.csv')).text;
    expect(theirs).toContain(formulaRef);
    expect(theirs).not.toContain(hackneyRef);
    expect((await (await as('kent')).agent.get('/reviews.csv')).status).toBe(403);
  });
});

describe('Mail', () => {
  it('finds emails by recipient, subject or review, fifty to a page, and says when nothing matches', async () => {
    const review = (await t.api('kent').post('/reviews', { pseudonym: 'Searchable' })).body;
    const note = (i: number, to: string) =>
      t.services.outbox.enqueue(t.db, {
        kind: 'revision_reminder',
        reviewId: i % 2 ? review.id : null,
        letterId: null,
        template: 'revision_reminder',
        to: [to],
        cc: [],
        replyTo: 'dhr@example.org',
        subject: `Reminder ${i}`,
        html: '<p>x</p>',
        text: 'x',
        attachLetter: false,
      });
    for (let i = 1; i <= 60; i++) await note(i, i === 7 ? 'Unusual.Person@Far.example' : `bulk${i}@csp.example`);
    const secretariat = await as('secretariat');
    const everything = await t.db('outbox').count('* as n');

    const first = visible((await secretariat.get('/mail')).text);
    expect(first).toContain(`${Number(everything[0]!.n)} emails, showing 1 to 50`);
    const second = await secretariat.get('/mail?page=2');
    expect(title(second.text)).toMatch(/^Mail \(page 2 of/);

    const byRecipient = visible((await secretariat.get('/mail?q=unusual.person')).text);
    expect(byRecipient).toContain('1 email found');
    expect(byRecipient).toContain('Reminder 7');
    const byReview = visible((await secretariat.get(`/mail?q=${encodeURIComponent(review.reference)}`)).text);
    expect(byReview).toContain('30 emails found');
    expect(visible((await secretariat.get('/mail?q=searchable')).text)).toContain('30 emails found');
    const none = visible((await secretariat.get('/mail?q=searchable&status=failed')).text);
    expect(none).toContain('No emails match your search among those failed.');
    // A search for a wildcard finds the character, not everything.
    expect(visible((await secretariat.get('/mail?q=%25')).text)).toContain('No emails match your search.');

    const api = await t.api('secretariat').get('/mail?q=unusual.person&limit=5');
    expect(api.body.map((m: { subject: string }) => m.subject)).toEqual(['Reminder 7']);
    expect((await t.api('secretariat').get('/mail?limit=501')).status).toBe(422);
  });
});

describe("a review's history", () => {
  it('runs newest first, names the document or item each event was about, and shows the latest twenty until asked for all', async () => {
    const id = await submittedReview(t, 'Chronicle');
    const secretariat = await as('secretariat');

    let page = await secretariat.get(`/reviews/${id}`);
    expect(historyTitles(page.text)).toEqual([
      'Submitted to the Home Office',
      'Document uploaded: action_plan.pdf',
      'Document uploaded: executive_summary.pdf',
      'Document uploaded: overview_report.pdf',
      'Review notified',
    ]);

    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t) });
    await t.api('panel').event(id, {
      type: 'RECORD_OUTCOME',
      outcome: 'publish_after_changes',
      commendations: '',
      areas: [{ text: 'Name the agencies.' }, { heading: 'Family', text: 'Speak to them.' }],
    });
    const sent = await t.api('secretariat').event(id, { type: 'SEND_LETTER' });
    const items = sent.body.rounds.at(-1).items as { id: number; label: string }[];
    await t.api('kent').event(id, { type: 'RESPOND_TO_ITEM', itemId: items[1]!.id, response: 'Done.' });
    page = await secretariat.get(`/reviews/${id}`);
    expect(historyTitles(page.text)[0]).toBe(`Revision item answered: ${items[1]!.label}`);
    // A banner says which item, to whom.
    await t.api('kent').event(id, { type: 'RESPOND_TO_ITEM', itemId: items[0]!.id, response: 'Named.' });
    expect((await t.api('kent').event(id, { type: 'SUBMIT_REVISIONS' })).status).toBe(200);
    await secretariat.get(`/reviews/${id}`);
    const returned = await secretariat.form(`/reviews/${id}/events`, {
      type: 'RETURN_ITEM',
      itemId: items[1]!.id,
      reason: 'Say which agencies.',
    });
    expect(returned.headers.location).toBe(`/reviews/${id}?done=RETURN_ITEM&item=${items[1]!.id}`);
    const after = await secretariat.get(returned.headers.location);
    expect(visible(after.text)).toContain(`Item ${items[1]!.label} returned to Kent`);
    await t.api('kent').event(id, { type: 'RESPOND_TO_ITEM', itemId: items[1]!.id, response: 'Done again.' });
    page = await secretariat.get(`/reviews/${id}`);
    // The item's status in the words the CSP's task list uses too.
    expect(tags(page.text)).toContainEqual({ text: 'Answered', colour: 'blue' });
    const kent = await as('kent');
    const statuses = pageOf((await kent.get(`/reviews/${id}/items`)).text).querySelectorAll('.govuk-task-list__status');
    expect(statuses.map((status) => status.text.trim())).toContain('Answered');

    for (let i = 0; i < 8; i++) {
      await t.api('secretariat').event(id, { type: 'PAUSE', category: 'inquest', reason: `Inquest ${i}` });
      await t.api('secretariat').event(id, { type: 'RESUME' });
    }
    page = await secretariat.get(`/reviews/${id}`);
    const events = await t.db('review_events').where({ review_id: id }).count('* as n');
    const total = Number(events[0]!.n);
    expect(historyTitles(page.text)).toHaveLength(20);
    expect(visible(page.text)).toContain(`Newest first: the latest 20 of ${total} events.`);
    expect(page.text).toContain(`href="/reviews/${id}?history=all#history">Show all ${total} events`);
    const all = await secretariat.get(`/reviews/${id}?history=all`);
    expect(historyTitles(all.text)).toHaveLength(total);
    expect(historyTitles(all.text).at(-1)).toBe('Review notified');
  });
});

describe("a meeting's pack", () => {
  it('lists each review on the agenda with its CSP, its round and every document, linked, for printing', async () => {
    const on = await meeting(t, '2026-05-05');
    const id = await submittedReview(t, 'Packed');
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: on });
    const secretariat = await as('secretariat');
    const agenda = await secretariat.get(`/meetings/${on}`);
    expect(agenda.text).toContain(`href="/meetings/${on}/pack">Meeting pack to print`);

    const pack = await secretariat.get(`/meetings/${on}/pack`);
    expect(pack.status).toBe(200);
    const text = visible(pack.text);
    const { reference } = await t.db('reviews').where({ id }).first('reference');
    expect(text).toContain('Panel meeting of 5 May 2026');
    expect(text).toContain('1 review on the agenda.');
    expect(text).toContain(`${reference} (Packed)`);
    expect(text).toContain('CSP Kent');
    expect(text).toContain('Assessment First assessment');
    const docs = await t.db('documents').where({ review_id: id }).orderBy('kind').select('id', 'filename');
    expect(docs).toHaveLength(3);
    for (const d of docs) expect(pack.text).toContain(`href="/reviews/${id}/documents/${d.id}">`);
    expect(text).toContain('Overview report: overview_report.pdf');
    expect((await (await as('panel')).get(`/meetings/${on}/pack`)).status).toBe(200);
  });
});
