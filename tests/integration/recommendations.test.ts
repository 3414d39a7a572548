import request from 'supertest';
import { createTestApp, hackneyRecommendations, metPoliceAgency, pdf, reviewAt, type TestApp } from '../helpers/app';
import { HACKNEY_NUMBERS, seed } from '../helpers/seeds';
import { signedIn } from '../helpers/web';

let t: TestApp;
/** The published review of the Hackney CSP into which the Hackney DHR's recommendations were imported. */
let hackneyReview: number;
let agencyToken: string;
const HACKNEY = seed('hackney-dhr-2023-recommendations.txt');
const HARLOW = seed('harlow-dhr-2023-recommendations.txt');

/**
 * Gives the describe block calling it an app of its own: what an agency sees is every
 * recommendation addressed to it, and the reminders move the clock on, so no block sees
 * another's records.
 */
function ownApp(setup: () => Promise<void> = async () => {}) {
  beforeAll(async () => {
    t = await createTestApp();
    await setup();
  });
  afterAll(() => t.close());
}

/** Gives the block an app with the Hackney recommendations imported, and the Metropolitan Police Service's user. */
function appWithAgency() {
  ownApp(async () => {
    hackneyReview = await hackneyRecommendations(t, 'Hackney review');
    agencyToken = (await metPoliceAgency(t)).token;
  });
}

const importList = (who: 'hackney' | 'secretariat' | 'kent' | 'metPcc', body: object, reviewId: number) =>
  t.api(who).post(`/reviews/${reviewId}/recommendations/import`, body);
const count = async (table: string) => Number((await t.db(table).count('* as n'))[0]!.n);
const publishedReview = (pseudonym: string) => reviewAt(t, t.ids.hackneyCsp, 'published', pseudonym);

/** The agency user (see appWithAgency) calling the API. */
const agency = () => ({
  get: (url: string) => request(t.app).get(`/api/v1${url}`).set('Authorization', `Bearer ${agencyToken}`),
  post: (url: string, body: object) =>
    request(t.app).post(`/api/v1${url}`).set('Authorization', `Bearer ${agencyToken}`).send(body),
  put: (url: string, body: object) =>
    request(t.app).put(`/api/v1${url}`).set('Authorization', `Bearer ${agencyToken}`).send(body),
});

describe('importing recommendations', () => {
  ownApp();

  it('previews the Hackney list exactly, saving nothing', async () => {
    const review = await publishedReview('Preview');
    const before = await count('recommendations');
    const res = await importList('hackney', { format: 'text', content: HACKNEY, dryRun: true }, review);
    expect(res.status).toBe(200);
    expect(res.body.saved).toBe(false);
    expect(res.body.preview.map((r: { number: string }) => r.number)).toEqual(HACKNEY_NUMBERS);
    expect(res.body.preview.every((r: { change: string }) => r.change === 'new')).toBe(true);
    const twoBodies = res.body.preview
      .filter((r: { agencies: unknown[] }) => r.agencies.length === 2)
      .map((r: { number: string }) => r.number);
    expect(twoBodies).toEqual(['4', '5', 'Panel.179']);
    expect(res.body.preview[8].agencies.map((a: { name: string }) => a.name)).toEqual([
      'College of Policing',
      'Metropolitan Police Service',
    ]);
    expect(await count('recommendations')).toBe(before);
  });

  it('saves it, matching agencies across rows, and a second import of the same list changes nothing', async () => {
    const review = await publishedReview('Saved');
    const saved = await importList('hackney', { format: 'text', content: HACKNEY, dryRun: false }, review);
    expect(saved.body.saved).toBe(true);
    const list = (await t.api('hackney').get(`/reviews/${review}/recommendations`)).body;
    expect(list).toHaveLength(17);
    expect(list[0]).toMatchObject({
      number: '1',
      themes: [],
      agencies: [{ name: 'Metropolitan Police Service', response: null, status: 'missing', actions: [] }],
    });
    const orgs = (await t.api('secretariat').get('/organisations')).body.map((o: { name: string }) => o.name);
    expect(orgs).toEqual(
      expect.arrayContaining([
        'Metropolitan Police Service',
        'College of Policing',
        'City and Hackney Safeguarding Children Board',
      ]),
    );
    const before = {
      recs: await count('recommendations'),
      links: await count('recommendation_agencies'),
      events: await count('recommendation_events'),
    };
    const again = await importList('hackney', { format: 'text', content: HACKNEY, dryRun: false }, review);
    expect(again.body.preview.every((r: { change: string }) => r.change === 'unchanged')).toBe(true);
    expect({
      recs: await count('recommendations'),
      links: await count('recommendation_agencies'),
      events: await count('recommendation_events'),
    }).toEqual(before);
  });

  it('shows what an edited list would change', async () => {
    const review = await hackneyRecommendations(t, 'Edited');
    const edited = HACKNEY.replace(
      'seven days Metropolitan Police Service',
      'fourteen days Metropolitan Police Service',
    );
    const res = await importList('hackney', { format: 'text', content: edited, dryRun: true }, review);
    const changed = res.body.preview.filter((r: { change: string }) => r.change === 'changed');
    expect(changed.map((r: { number: string }) => r.number)).toEqual(['2e']);
    expect(changed[0].previousText).toMatch(/seven days$/);
  });

  it('reads the Harlow table: 28 rows that are 23 recommendations', async () => {
    const review = await reviewAt(t, t.ids.hackneyCsp, 'approved', 'Harlow table');
    const res = await importList('secretariat', { format: 'text', content: HARLOW, dryRun: false }, review);
    expect(res.body.preview).toHaveLength(23);
    expect(res.body.preview.reduce((n: number, r: { agencies: unknown[] }) => n + r.agencies.length, 0)).toBe(28);
    const doubles = res.body.preview
      .filter((r: { agencies: unknown[] }) => r.agencies.length === 2)
      .map((r: { number: string }) => r.number);
    expect(doubles).toEqual(['11.4.1', '11.4.3', '11.4.4', '11.4.5', '11.4.6']);
  });

  it('reads CSV, and refuses a malformed one with row-level messages, saving nothing', async () => {
    const review = await reviewAt(t, t.ids.hackneyCsp, 'approved', 'CSV list');
    const csv =
      'number,recommendation,addressed to\n1,"Train staff, annually",Police | Council\n2,Share information,Council\n';
    const ok = await importList('secretariat', { format: 'csv', content: csv, dryRun: false }, review);
    expect(
      ok.body.preview.map((r: { number: string; text: string; agencies: { name: string }[] }) => [
        r.number,
        r.text,
        r.agencies.map((a) => a.name),
      ]),
    ).toEqual([
      ['1', 'Train staff, annually', ['Police', 'Council']],
      ['2', 'Share information', ['Council']],
    ]);
    const before = await count('recommendations');
    const bad = await importList(
      'secretariat',
      {
        format: 'csv',
        content: 'number,recommendation,addressed to\n,No number,Police\n3,"unclosed,Police\n',
        dryRun: false,
      },
      review,
    );
    expect(bad.status).toBe(422);
    expect(bad.body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(['line 2']));
    expect(await count('recommendations')).toBe(before);
    const wrong = await importList('secretariat', { format: 'pdf', content: csv }, review);
    expect(wrong.body.errors[0].field).toBe('format');
  });

  it('keeps each CSP to its own reviews and PCCs to reading', async () => {
    const review = await hackneyRecommendations(t, 'Access');
    expect((await importList('kent', { format: 'text', content: HACKNEY }, review)).status).toBe(404);
    expect((await t.api('kent').get(`/reviews/${review}/recommendations`)).status).toBe(404);
    expect((await t.api('metPcc').get(`/reviews/${review}/recommendations`)).body).toHaveLength(17);
    expect((await importList('metPcc', { format: 'text', content: HACKNEY }, review)).status).toBe(403);
  });
});

describe('an agency responding', () => {
  appWithAgency();
  /** The agency's part in the Hackney recommendation with this number. */
  const linkTo = async (number: string): Promise<number> =>
    (await agency().get('/recommendations')).body.find((r: { number: string }) => r.number === number).agencies[0].id;

  it('sees only the recommendations addressed to its organisation, across every CSP, and no review', async () => {
    const mine = (await agency().get('/recommendations')).body;
    expect(
      mine.every(
        (r: { agencies: { name: string }[] }) =>
          r.agencies.length === 1 && r.agencies[0]!.name === 'Metropolitan Police Service',
      ),
    ).toBe(true);
    // 4 and Panel.179 are addressed to the Metropolitan Police Service (Hackney Borough), another body.
    expect(mine.map((r: { number: string }) => r.number)).not.toEqual(expect.arrayContaining(['4']));
    expect(mine).toHaveLength(15);
    expect((await agency().get(`/reviews/${hackneyReview}`)).status).toBe(404);
    expect((await agency().get('/reviews')).body).toEqual([]);
    const other = await t
      .db('recommendation_agencies as ra')
      .join('organisations as o', 'o.id', 'ra.organisation_id')
      .where('o.name_key', 'collegeofpolicing')
      .first('ra.id');
    expect(
      (await agency().post(`/recommendation-agencies/${other.id}/response`, { response: 'accepted' })).status,
    ).toBe(404);
  });

  it('needs a rationale unless it accepts', async () => {
    const linkId = await linkTo('2a');
    const res = await agency().post(`/recommendation-agencies/${linkId}/response`, { response: 'partially_accepted' });
    expect(res.status).toBe(422);
    expect(res.body.errors).toEqual([
      { field: 'rationale', message: 'is required unless the recommendation is accepted' },
    ]);
    expect((await agency().post(`/recommendation-agencies/${linkId}/response`, { response: 'accepted' })).status).toBe(
      204,
    );
  });

  it('tracks actions to completion, then implementation with evidence, which the CSP can reopen', async () => {
    const linkId = await linkTo('1');
    expect((await agency().post(`/recommendation-agencies/${linkId}/response`, { response: 'accepted' })).status).toBe(
      204,
    );
    const action = await agency().post(`/recommendation-agencies/${linkId}/actions`, {
      description: 'Update the DASH prompts',
      owner: 'Head of Public Protection',
      targetDate: '2026-09-30',
    });
    expect(action.status).toBe(201);
    const early = await agency().post(`/recommendation-agencies/${linkId}/implemented`, { evidence: 'Done' });
    expect(early.status).toBe(409);
    await agency().post(`/actions/${action.body.id}/updates`, { on: '2026-04-01', text: 'Prompts drafted and tested' });
    expect((await agency().put(`/actions/${action.body.id}/status`, { status: 'completed' })).status).toBe(204);
    expect(
      (
        await agency().post(`/recommendation-agencies/${linkId}/implemented`, {
          evidence: 'Live since April; audit attached',
        })
      ).status,
    ).toBe(204);

    const seen = (await t.api('hackney').get(`/reviews/${hackneyReview}/recommendations`)).body[0].agencies[0];
    const seenReference = (await t.api('hackney').get(`/reviews/${hackneyReview}`)).body.reference;
    expect(seen).toMatchObject({
      response: 'accepted',
      // On the Commissioner's scale: the outcome achieved, recorded apart from the actions done.
      status: 'fully_implemented',
      stage: 'implemented',
      actionsDone: 1,
      acknowledgedAt: expect.any(String),
      evidence: 'Live since April; audit attached',
      actions: [
        {
          description: 'Update the DASH prompts',
          status: 'completed',
          targetDate: '2026-09-30',
          updates: [{ on: '2026-04-01', text: 'Prompts drafted and tested' }],
        },
      ],
    });
    expect(
      (await t.api('hackney').post(`/recommendation-agencies/${linkId}/reopen`, { reason: 'No evidence of training' }))
        .status,
    ).toBe(204);
    const reopened = (await t.api('hackney').get(`/reviews/${hackneyReview}/recommendations`)).body[0].agencies[0];
    expect(reopened).toMatchObject({
      status: 'partly',
      stage: 'in_progress',
      reopenedReason: 'No evidence of training',
    });
    const { recommendation_id } = await t
      .db('recommendation_agencies')
      .where({ id: linkId })
      .first('recommendation_id');
    const audit = await t.db('recommendation_events').where({ recommendation_id }).orderBy('id').pluck('type');
    expect(audit).toEqual([
      'IMPORTED',
      'RESPONDED',
      'STATUS_CHANGED',
      'ACTION_ADDED',
      'PROGRESS_UPDATE',
      'ACTION_STATUS',
      'STATUS_CHANGED',
      'IMPLEMENTED',
      'STATUS_CHANGED',
      'REOPENED',
      'STATUS_CHANGED',
    ]);
    // Each change of status is told to the CSP's contacts.
    const told = (await t.db('outbox').where({ kind: 'recommendation_status_changed' }).orderBy('id')).filter((m) =>
      m.subject.includes('recommendation 1:'),
    );
    expect(told.map((m) => m.subject)).toEqual(
      ['Not met', 'Partly implemented', 'Fully implemented', 'Partly implemented'].map(
        (s) => `${seenReference} recommendation 1: Metropolitan Police Service is now ${s}`,
      ),
    );
    expect(told[0].to).toEqual(['jo@hackney.example']);
    expect(told[1].text).toContain('has changed from Not met to Partly implemented');
  });
});

describe('evidence documents', () => {
  appWithAgency();

  it('attach to a progress update, readable by the CSP, and must be real documents', async () => {
    const [, , third] = (await agency().get('/recommendations')).body;
    const link = third.agencies[0].id;
    await agency().post(`/recommendation-agencies/${link}/response`, { response: 'accepted' });
    const action = await agency().post(`/recommendation-agencies/${link}/actions`, {
      description: 'Retrain supervisors',
      owner: 'Training lead',
      targetDate: '2026-12-31',
    });
    const upload = (bytes: Buffer, name: string) =>
      request(t.app)
        .post(`/api/v1/actions/${action.body.id}/updates`)
        .set('Authorization', `Bearer ${agencyToken}`)
        .field('on', '2026-03-10')
        .field('text', 'Course delivered to 40 supervisors')
        .attach('file', bytes, name);
    const fake = await upload(Buffer.from('not a pdf'), 'register.pdf');
    expect(fake.status).toBe(422);
    expect(fake.body.errors).toEqual([{ field: 'file', message: 'must be a PDF, DOCX or ODT document' }]);
    expect((await upload(pdf('register'), 'attendance register.pdf')).status).toBe(201);
    const rec = (await t.api('hackney').get(`/reviews/${hackneyReview}/recommendations`)).body.find(
      (r: { id: number }) => r.id === third.id,
    );
    const update = rec.agencies[0].actions[0].updates[0];
    expect(update).toMatchObject({
      on: '2026-03-10',
      text: 'Course delivered to 40 supervisors',
      evidence: 'attendance register.pdf',
    });
    const download = await t.api('hackney').get(`/action-updates/${update.id}/evidence`);
    expect(download.status).toBe(200);
    expect(download.headers['content-type']).toBe('application/pdf');
    expect((await t.api('kent').get(`/action-updates/${update.id}/evidence`)).status).toBe(404);
  });
});

describe('themes', () => {
  ownApp(async () => {
    hackneyReview = await hackneyRecommendations(t, 'Hackney review');
  });

  it('are confirmed from the suggestions by the CSP, and only from the list', async () => {
    const [first] = (await t.api('hackney').get(`/reviews/${hackneyReview}/recommendations`)).body;
    const res = await t
      .api('hackney')
      .put(`/recommendations/${first.id}/themes`, { themes: ['Policing', 'Risk assessment'] });
    expect(res.body).toEqual({ themes: ['Risk assessment', 'Policing'] });
    expect((await t.api('hackney').get(`/reviews/${hackneyReview}/recommendations`)).body[0].themes).toEqual([
      'Risk assessment',
      'Policing',
    ]);
    const bad = await t.api('hackney').put(`/recommendations/${first.id}/themes`, { themes: ['Astrology'] });
    expect(bad.status).toBe(422);
    expect((await t.api('kent').put(`/recommendations/${first.id}/themes`, { themes: [] })).status).toBe(404);
    expect((await t.api('metPcc').put(`/recommendations/${first.id}/themes`, { themes: [] })).status).toBe(403);
  });
});

describe('reminders to agencies', () => {
  // The test moves the clock on 57 days: an app of its own.
  appWithAgency();

  it('chase a response not made by its due day (56 days after it was assigned) and an action past its target date, each once', async () => {
    const sentKinds = async () =>
      (
        await t
          .db('outbox')
          .whereIn('kind', ['recommendation_response_reminder', 'action_overdue_reminder'])
          .select('kind', 'to', 'subject')
      ).map((m) => m.kind);
    const [, second] = (await agency().get('/recommendations')).body;
    const link = second.agencies[0].id;
    await agency().post(`/recommendation-agencies/${link}/response`, { response: 'accepted' });
    await agency().post(`/recommendation-agencies/${link}/actions`, {
      description: 'Brief every inspector',
      owner: 'Borough commander',
      targetDate: '2026-03-20',
    });
    await t.services.reminders.runOnce();
    expect(await sentKinds()).toEqual([]);
    // 29 days on, the action's target date has passed; no response is due yet.
    t.clock.advance(29 * 86_400_000);
    await t.services.reminders.runOnce();
    expect(await sentKinds()).toEqual(['action_overdue_reminder']);
    // Due on the 56th day (27 April 2026), chased on the 57th.
    t.clock.advance(27 * 86_400_000);
    expect((await t.services.reminders.runOnce()).recommendationReminders).toBe(0);
    t.clock.advance(86_400_000);
    const done = await t.services.reminders.runOnce();
    expect(done.recommendationReminders).toBeGreaterThan(0);
    const responses = await t.db('outbox').where({ kind: 'recommendation_response_reminder' });
    // The Metropolitan Police Service has a user; bodies without one are chased through the CSP.
    const met = responses.find((m) => m.subject.includes('recommendation 2c'))!;
    expect(met.to).toEqual(['met@test.example']);
    expect(met.text).toContain(
      'Its response was due on 27 April 2026, and none has been recorded 57 days after it was assigned',
    );
    expect(responses.find((m) => m.subject.includes('recommendation 4 '))!.to).toEqual(['jo@hackney.example']);
    const overdue = await t.db('outbox').where({ kind: 'action_overdue_reminder' });
    expect(overdue.map((m) => [m.subject, m.to])).toEqual([
      [
        `Overdue action: recommendation ${second.number} of Domestic Homicide Review ${second.reference}`,
        ['met@test.example'],
      ],
    ]);
    expect(overdue[0].text).toContain('Brief every inspector (owner: Borough commander)');
    const again = await t.services.reminders.runOnce();
    expect(again.recommendationReminders).toBe(0);
    await t.renewTokens();
  });
});

describe('when recommendations may be imported', () => {
  ownApp();
  const saved = async () => ({
    recs: await count('recommendations'),
    orgs: await count('organisations'),
    events: await count('recommendation_events'),
  });

  it('only into an approved or published review: otherwise 409, even for a preview, and nothing changes', async () => {
    for (const state of ['notified', 'submitted', 'withdrawn'] as const) {
      const review = await reviewAt(t, t.ids.hackneyCsp, state, `Too early (${state})`);
      const before = await saved();
      for (const dryRun of [true, false]) {
        const res = await importList('hackney', { format: 'text', content: HACKNEY, dryRun }, review);
        expect({ state, dryRun, status: res.status }).toEqual({ state, dryRun, status: 409 });
        expect(res.body.error).toMatch(/^Recommendations can be imported once the review is approved or published/);
        expect(res.body.error).toContain('Nothing was changed');
      }
      expect(await saved()).toEqual(before);
    }
    // The secretariat too, and the page says so in its error summary.
    const notified = await reviewAt(t, t.ids.hackneyCsp, 'notified', 'Too early (page)');
    expect((await importList('secretariat', { format: 'text', content: HACKNEY }, notified)).status).toBe(409);
    const csp = await signedIn(t, 'hackney');
    await csp.get(`/reviews/${notified}/recommendations/import`);
    const page = await csp.form(`/reviews/${notified}/recommendations/import`, {
      format: 'text',
      content: HACKNEY,
      action: 'save',
    });
    expect(page.status).toBe(409);
    expect(page.text).toContain('govuk-error-summary');
    expect(page.text).toContain('Recommendations can be imported once the review is approved or published');
    expect(await t.db('recommendations').where({ review_id: notified }).count('* as n')).toEqual([{ n: 0 }]);

    const approved = await reviewAt(t, t.ids.hackneyCsp, 'approved', 'Approved');
    await csp.get(`/reviews/${approved}/recommendations/import`);
    const previewed = await csp.form(`/reviews/${approved}/recommendations/import`, {
      format: 'text',
      content: HACKNEY,
      action: 'preview',
    });
    expect(previewed.status).toBe(200);
    expect(previewed.text).toContain('Check before saving');
    const res = await importList('hackney', { format: 'text', content: HACKNEY, dryRun: false }, approved);
    expect(res.status).toBe(200);
    expect(res.body.saved).toBe(true);
  });
});

describe('what one import may hold', () => {
  ownApp();
  let review: number;
  beforeAll(async () => {
    review = await reviewAt(t, t.ids.hackneyCsp, 'approved', 'Limits');
  });
  const csv = (...rows: string[]) => ['number,recommendation,addressed to', ...rows].join('\n');
  const preview = (content: string, format: 'text' | 'csv' = 'csv') =>
    importList('hackney', { format, content, dryRun: true }, review);
  const save = (content: string, format: 'text' | 'csv' = 'csv') =>
    importList('hackney', { format, content, dryRun: false }, review);

  it('numbers up to 50 characters, texts up to 5,000 and organisation names up to 200; longer ones are refused on their line', async () => {
    const atLimits = csv(`${'1'.repeat(50)},${'a'.repeat(5000)},${'B'.repeat(200)}`);
    expect((await preview(atLimits)).status).toBe(200);

    const before = await count('organisations');
    const longName = await save(csv('1,Train staff,Police', `2,Share records,${'A'.repeat(100_000)}`));
    expect(longName.status).toBe(422);
    expect(longName.body.errors).toEqual([
      {
        field: 'line 3',
        message: `The agency name "${'A'.repeat(57)}..." (recommendation 2) is 100000 characters long: at most 200 are allowed`,
      },
    ]);
    expect(await count('organisations')).toBe(before);

    const longText = await save(csv(`1,${'a'.repeat(5001)},Police`));
    expect(longText.status).toBe(422);
    expect(longText.body.errors).toEqual([
      { field: 'line 2', message: 'The text of recommendation 1 is 5001 characters long: at most 5000 are allowed' },
    ]);
    const longNumber = await save(csv(`${'1'.repeat(51)},Train staff,Police`));
    expect(longNumber.status).toBe(422);
    expect(longNumber.body.errors).toEqual([
      { field: 'line 2', message: `The recommendation number "${'1'.repeat(51)}" is longer than 50 characters` },
    ]);

    // The text layout names the line too: here the guessed agency is the whole capitalised tail.
    const text = `# Recommendation Addressed to\n1 Train staff. ${'Aaaa '.repeat(11)}${'B'.repeat(300)}`;
    const fromText = await preview(text, 'text');
    expect(fromText.status).toBe(422);
    expect(fromText.body.errors).toEqual([
      {
        field: 'line 2',
        message: expect.stringMatching(/^The agency name ".*" \(recommendation 1\) is 355 characters long/),
      },
    ]);
  });

  it('at most 500 recommendations, and 50 agencies to one recommendation', async () => {
    const rows = (n: number) => Array.from({ length: n }, (_, i) => `${i + 1},Train staff,Police`);
    expect((await preview(csv(...rows(500)))).status).toBe(200);
    const tooMany = await preview(csv(...rows(501)));
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.errors).toEqual([
      { field: 'content', message: 'holds 501 recommendations: at most 500 can be imported at once' },
    ]);
    const agencies = (n: number) => Array.from({ length: n }, (_, i) => `Agency ${i}`).join(' | ');
    expect((await preview(csv(`1,Train staff,${agencies(50)}`))).status).toBe(200);
    const tooWide = await preview(csv(`1,Train staff,${agencies(51)}`));
    expect(tooWide.status).toBe(422);
    expect(tooWide.body.errors).toEqual([
      { field: 'line 2', message: 'Recommendation 1 is addressed to 51 agencies: at most 50 are allowed' },
    ]);
  });

  it('refuses control characters (NUL among them) and half of a surrogate pair, naming the line, and saves nothing', async () => {
    const before = { recs: await count('recommendations'), orgs: await count('organisations') };
    const nul = await save(csv('1,Train staff,Police', '2,Share\u0000 records,Council'));
    expect(nul.status).toBe(422);
    expect(nul.body.errors).toEqual([
      { field: 'line 3', message: 'The line holds a control character (U+0000), which cannot be saved: remove it' },
    ]);
    const nulInText = await save('# Recommendation Addressed to\n1 Train staff. Police\u0000', 'text');
    expect(nulInText.status).toBe(422);
    expect(nulInText.body.errors[0].field).toBe('line 2');
    const bell = await save(csv('1,Train staff\u0007,Police'));
    expect(bell.body.errors[0]).toEqual({
      field: 'line 2',
      message: 'The line holds a control character (U+0007), which cannot be saved: remove it',
    });
    const surrogate = await save(csv('1,Train staff,Police', '2,Share records,\uD83D'));
    expect(surrogate.status).toBe(422);
    expect(surrogate.body.errors).toEqual([
      {
        field: 'line 3',
        message:
          'The line holds a broken character (U+D83D, half of an emoji or of another character): retype or remove it',
      },
    ]);
    expect({ recs: await count('recommendations'), orgs: await count('organisations') }).toEqual(before);
    expect(await t.db('organisations').where('name', 'like', '%\uFFFD%').count('* as n')).toEqual([{ n: 0 }]);

    // Whole emoji, tabs and a page break copied from a PDF are fine: the page break is a space.
    const fine = await preview(csv('1,"Train staff 👍\tnow\f",Police'));
    expect(fine.status).toBe(200);
    expect(fine.body.preview[0].text).toBe('Train staff 👍 now');
  });
});

describe('identical imports at the same moment', () => {
  ownApp();

  it('into one review: the list is saved once, the others find it unchanged, and none fails', async () => {
    const review = await reviewAt(t, t.ids.hackneyCsp, 'approved', 'Five at once');
    const answers = await Promise.all(
      Array.from({ length: 5 }, () =>
        importList('hackney', { format: 'text', content: HACKNEY, dryRun: false }, review),
      ),
    );
    // Not 500 (a unique violation), and not even 409: they take turns, and the same list again changes nothing.
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    const changes = answers.map((a) => [...new Set(a.body.preview.map((r: { change: string }) => r.change))].join());
    expect(changes.sort()).toEqual(['new', 'unchanged', 'unchanged', 'unchanged', 'unchanged']);
    expect(await t.db('recommendations').where({ review_id: review }).pluck('number')).toEqual(
      expect.arrayContaining(HACKNEY_NUMBERS),
    );
    expect(await t.db('recommendations').where({ review_id: review }).count('* as n')).toEqual([{ n: 17 }]);
    // Each recommendation is imported once; the imports after the first find the list unchanged.
    const imported = await t.db('recommendation_events').where({ review_id: review, type: 'IMPORTED' }).count('* as n');
    expect(imported.map((r) => Number(r.n))).toEqual([17]);
  });

  it('into different reviews, naming the same new organisations in any order: each is made once, and none fails', async () => {
    const reviews = [];
    for (let i = 0; i < 5; i++) reviews.push(await reviewAt(t, t.ids.hackneyCsp, 'approved', `Same moment ${i}`));
    // Half name them the other way round: two imports must not each wait for what the other made.
    const names = ['Concurrent Trust', 'Concurrent Board', 'Concurrent Council'];
    const list = (i: number) =>
      `number,recommendation,addressed to\n1,Train staff,${(i % 2 ? [...names].reverse() : names).join(' | ')}\n`;
    const answers = await Promise.all(
      reviews.map((review, i) => importList('hackney', { format: 'csv', content: list(i), dryRun: false }, review)),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200]);
    expect((await t.db('organisations').whereIn('name', names).pluck('name')).sort()).toEqual([...names].sort());
  });
});
