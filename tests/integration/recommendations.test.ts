import request from 'supertest';
import { createTestApp, metPoliceAgency, pdf, type TestApp } from '../helpers/app';
import { HACKNEY_NUMBERS, seed } from '../helpers/seeds';

let t: TestApp;
let hackneyReview: number;
let agencyToken: string;
const HACKNEY = seed('hackney-dhr-2023-recommendations.txt');
const HARLOW = seed('harlow-dhr-2023-recommendations.txt');

beforeAll(async () => {
  t = await createTestApp();
  hackneyReview = (await t.api('hackney').post('/reviews', { pseudonym: 'Hackney review' })).body.id;
});
afterAll(() => t.close());

const importList = (who: 'hackney' | 'secretariat' | 'kent' | 'metPcc', body: object, reviewId = hackneyReview) =>
  t.api(who).post(`/reviews/${reviewId}/recommendations/import`, body);
const count = async (table: string) => Number((await t.db(table).count('* as n'))[0]!.n);

/** The agency user (created below) calling the API. */
const agency = () => ({
  get: (url: string) => request(t.app).get(`/api/v1${url}`).set('Authorization', `Bearer ${agencyToken}`),
  post: (url: string, body: object) =>
    request(t.app).post(`/api/v1${url}`).set('Authorization', `Bearer ${agencyToken}`).send(body),
  put: (url: string, body: object) =>
    request(t.app).put(`/api/v1${url}`).set('Authorization', `Bearer ${agencyToken}`).send(body),
});

describe('importing recommendations', () => {
  it('previews the Hackney list exactly, saving nothing', async () => {
    const res = await importList('hackney', { format: 'text', content: HACKNEY, dryRun: true });
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
    expect(await count('recommendations')).toBe(0);
  });

  it('saves it, matching agencies across rows, and a second import of the same list changes nothing', async () => {
    const saved = await importList('hackney', { format: 'text', content: HACKNEY, dryRun: false });
    expect(saved.body.saved).toBe(true);
    const list = (await t.api('hackney').get(`/reviews/${hackneyReview}/recommendations`)).body;
    expect(list).toHaveLength(17);
    expect(list[0]).toMatchObject({
      number: '1',
      themes: [],
      agencies: [{ name: 'Metropolitan Police Service', response: null, status: 'awaiting_response', actions: [] }],
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
    const again = await importList('hackney', { format: 'text', content: HACKNEY, dryRun: false });
    expect(again.body.preview.every((r: { change: string }) => r.change === 'unchanged')).toBe(true);
    expect({
      recs: await count('recommendations'),
      links: await count('recommendation_agencies'),
      events: await count('recommendation_events'),
    }).toEqual(before);
  });

  it('shows what an edited list would change', async () => {
    const edited = HACKNEY.replace(
      'seven days Metropolitan Police Service',
      'fourteen days Metropolitan Police Service',
    );
    const res = await importList('hackney', { format: 'text', content: edited, dryRun: true });
    const changed = res.body.preview.filter((r: { change: string }) => r.change === 'changed');
    expect(changed.map((r: { number: string }) => r.number)).toEqual(['2e']);
    expect(changed[0].previousText).toMatch(/seven days$/);
  });

  it('reads the Harlow table: 28 rows that are 23 recommendations', async () => {
    const review = (await t.api('secretariat').post('/reviews', { cspId: t.ids.hackneyCsp, pseudonym: 'Harlow table' }))
      .body.id;
    const res = await importList('secretariat', { format: 'text', content: HARLOW, dryRun: false }, review);
    expect(res.body.preview).toHaveLength(23);
    expect(res.body.preview.reduce((n: number, r: { agencies: unknown[] }) => n + r.agencies.length, 0)).toBe(28);
    const doubles = res.body.preview
      .filter((r: { agencies: unknown[] }) => r.agencies.length === 2)
      .map((r: { number: string }) => r.number);
    expect(doubles).toEqual(['11.4.1', '11.4.3', '11.4.4', '11.4.5', '11.4.6']);
  });

  it('reads CSV, and refuses a malformed one with row-level messages, saving nothing', async () => {
    const review = (await t.api('secretariat').post('/reviews', { cspId: t.ids.hackneyCsp, pseudonym: 'CSV list' }))
      .body.id;
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
    expect((await importList('kent', { format: 'text', content: HACKNEY })).status).toBe(404);
    expect((await t.api('kent').get(`/reviews/${hackneyReview}/recommendations`)).status).toBe(404);
    expect((await t.api('metPcc').get(`/reviews/${hackneyReview}/recommendations`)).body).toHaveLength(17);
    expect((await importList('metPcc', { format: 'text', content: HACKNEY })).status).toBe(403);
  });
});

describe('an agency responding', () => {
  let linkId: number;

  beforeAll(async () => {
    agencyToken = (await metPoliceAgency(t)).token;
  });

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
    linkId = mine[0].agencies[0].id;
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
    expect(seen).toMatchObject({
      response: 'accepted',
      status: 'implemented',
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
    expect(reopened).toMatchObject({ status: 'in_progress', reopenedReason: 'No evidence of training' });
    const { recommendation_id } = await t
      .db('recommendation_agencies')
      .where({ id: linkId })
      .first('recommendation_id');
    const audit = await t.db('recommendation_events').where({ recommendation_id }).orderBy('id').pluck('type');
    expect(audit).toEqual([
      'IMPORTED',
      'RESPONDED',
      'ACTION_ADDED',
      'PROGRESS_UPDATE',
      'ACTION_STATUS',
      'IMPLEMENTED',
      'REOPENED',
    ]);
  });
});

describe('evidence documents', () => {
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
  it('chase a missing response after 28 days and an action past its target date, each once', async () => {
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
    t.clock.advance(29 * 86_400_000);
    const done = await t.services.reminders.runOnce();
    expect(done.recommendationReminders).toBeGreaterThan(0);
    const responses = await t.db('outbox').where({ kind: 'recommendation_response_reminder' });
    // The Metropolitan Police Service has a user; bodies without one are chased through the CSP.
    expect(responses.find((m) => m.subject.includes('recommendation 2c'))!.to).toEqual(['met@test.example']);
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
