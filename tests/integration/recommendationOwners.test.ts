import request from 'supertest';
import { appsForThisFile, hackneyRecommendations, metPoliceAgency, PASSWORD } from '../helpers/app';
import { story } from '../helpers/story';
import { signedIn, signedInAs } from '../helpers/web';
import { banner, errorSummary, isChecked, visible } from '../helpers/page';
import { seed } from '../helpers/seeds';

/**
 * Recommendations that reach their owners: a level each, national ones triaged by the
 * secretariat to the department or body that owns them (never the Home Office by default),
 * acknowledged, due a response by a day that can be moved on with a reason, and every change of
 * status told to the CSP and the review's chair.
 */
/** An app for each world below: the tests change recommendations the others read, or move the clock. */
const ownApp = appsForThisFile();

/**
 * An app where the Hackney CSP has imported the recommendations of its published review, with a
 * user of the Metropolitan Police Service, an agency they are addressed to, and one of the
 * College of Policing, a national body (so it can be told when a recommendation is assigned to
 * it); with the helpers that read them.
 */
async function owners() {
  const t = await ownApp();
  const review = await hackneyRecommendations(t, 'Owners');
  const met = (await metPoliceAgency(t)).token;
  const org = await t.db('organisations').where({ name_key: 'collegeofpolicing' }).first('id', 'kind');
  expect(org.kind).toBe('national_body');
  await t.services.accounts.createUser({
    email: 'college@test.example',
    name: 'College lead',
    role: 'agency',
    organisationId: org.id,
    password: PASSWORD,
  });
  const session = await request(t.app)
    .post('/api/v1/session')
    .send({ email: 'college@test.example', password: PASSWORD });
  const college = { id: org.id as number, token: session.body.token as string };

  const bearer = (token: string) => ({
    get: (url: string) => request(t.app).get(`/api/v1${url}`).set('Authorization', `Bearer ${token}`),
    post: (url: string, body: object = {}) =>
      request(t.app).post(`/api/v1${url}`).set('Authorization', `Bearer ${token}`).send(body),
  });
  const recId = async (number: string) =>
    (await t.db('recommendations').where({ review_id: review, number }).first('id')).id as number;
  const linkOf = async (number: string, orgName: string) =>
    (
      await t
        .db('recommendation_agencies as ra')
        .join('recommendations as rec', 'rec.id', 'ra.recommendation_id')
        .join('organisations as o', 'o.id', 'ra.organisation_id')
        .where({ 'rec.review_id': review, 'rec.number': number, 'o.name': orgName })
        .first('ra.id')
    )?.id as number | undefined;
  const numbersSeenBy = async (token: string) =>
    ((await bearer(token).get('/recommendations')).body as { number: string }[]).map((r) => r.number);
  return { t, review, met, college, bearer, recId, linkOf, numbersSeenBy };
}
type Owners = Awaited<ReturnType<typeof owners>>;

/** Tells steps as one story (see tests/helpers/story.ts); the apps it starts close with the file. */
function tell<World>(begin: () => Promise<World>, steps: [title: string, run: (world: World) => Promise<void>][]) {
  const told = story(begin, async () => {});
  for (const [title, run] of steps) told.step(title, run);
}

describe('a national recommendation', () => {
  // Each step goes on from the one before: made national, refused, assigned, imported again, acknowledged.
  tell(owners, [
    [
      'goes to triage when made national: no organisation sees it, none is due, and the queue names who the report named',
      async ({ t, review, met, college, bearer, recId, linkOf, numbersSeenBy }) => {
        const rec5 = await recId('5');
        expect(await numbersSeenBy(met)).toContain('5');
        const set = await t.api('hackney').put(`/recommendations/${rec5}/level`, { level: 'national' });
        expect(set.status).toBe(200);
        expect(set.body).toEqual({ level: 'national', changed: true, reviewId: review });
        expect(await numbersSeenBy(met)).not.toContain('5');
        expect(await numbersSeenBy(college.token)).not.toContain('5');
        const part = await bearer(met).get(
          `/recommendation-agencies/${await linkOf('5', 'Metropolitan Police Service')}`,
        );
        expect(part.status).toBe(404);

        const listed = (await t.api('hackney').get(`/reviews/${review}/recommendations`)).body.find(
          (r: { number: string }) => r.number === '5',
        );
        expect(listed).toMatchObject({ level: 'national', awaitingTriage: true });
        expect(listed.agencies.map((a: { responseDueOn: string | null }) => a.responseDueOn)).toEqual([null, null]);
        // The CSP's progress report says so, rather than listing the bodies named as if they owned it.
        const report = (await t.api('hackney').get(`/reviews/${review}/recommendations/report?format=text`)).text;
        expect(report.replace(/\s+/g, ' ')).toMatch(
          /Research should be commissioned .*? the Home Office is assigning the government department/,
        );

        const queue = await t.api('secretariat').get('/recommendations/triage');
        expect(queue.status).toBe(200);
        expect(queue.body).toEqual([
          expect.objectContaining({
            id: rec5,
            number: '5',
            reviewId: review,
            namedInReport: ['College of Policing', 'Metropolitan Police Service'],
          }),
        ]);
        // Only the secretariat triages.
        for (const who of ['hackney', 'panel', 'commissioner'] as const)
          expect((await t.api(who).get('/recommendations/triage')).status).toBe(403);
        // The same level again changes nothing.
        expect((await t.api('hackney').put(`/recommendations/${rec5}/level`, { level: 'national' })).body).toEqual({
          level: 'national',
          changed: false,
          reviewId: review,
        });
      },
    ],
    [
      'is refused, naming the field, when nobody or a body that does not exist is chosen; nothing changes',
      async ({ t, college, recId }) => {
        const rec5 = await recId('5');
        const before = await t.db('recommendation_agencies').orderBy('id').select();
        const none = await t.api('secretariat').post(`/recommendations/${rec5}/assign`, {});
        expect(none.status).toBe(422);
        expect(none.body.errors).toEqual([
          { field: 'organisationIds', message: 'must name at least one government department or national body' },
        ]);
        const ghost = await t
          .api('secretariat')
          .post(`/recommendations/${rec5}/assign`, { organisationIds: [2 ** 31 - 1] });
        expect(ghost.status).toBe(422);
        expect(ghost.body.errors[0].field).toBe('organisationIds');
        const huge = await t.api('secretariat').post(`/recommendations/${rec5}/assign`, { organisationIds: [2 ** 31] });
        expect(huge.status).toBe(422);
        const nul = await t
          .api('secretariat')
          .post(`/recommendations/${rec5}/assign`, { newOrganisation: 'Department\u0000 for Education' });
        expect(nul.status).toBe(422);
        expect(nul.body.errors[0].field).toBe('newOrganisation');
        expect(
          (await t.api('hackney').post(`/recommendations/${rec5}/assign`, { organisationIds: [college.id] })).status,
        ).toBe(403);
        const local = await t.api('secretariat').post(`/recommendations/${await recId('1')}/assign`, {
          organisationIds: [college.id],
        });
        expect(local.status).toBe(409);
        expect(local.body.error).toMatch(/only a national recommendation is triaged/);
        expect(await t.db('recommendation_agencies').orderBy('id').select()).toEqual(before);
      },
    ],
    [
      'is assigned by the secretariat: the report’s other bodies come off it, each owner is due from today and told by email',
      async ({ t, review, met, college, recId, linkOf, numbersSeenBy }) => {
        const rec5 = await recId('5');
        const res = await t.api('secretariat').post(`/recommendations/${rec5}/assign`, {
          organisationIds: [college.id],
          newOrganisation: 'National Police Chiefs’ Council',
        });
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          changed: true,
          assigned: ['College of Policing', 'National Police Chiefs’ Council'],
          withoutUsers: ['National Police Chiefs’ Council'],
        });
        expect(await linkOf('5', 'Metropolitan Police Service')).toBeUndefined();
        const npcc = await t.db('organisations').where({ name: 'National Police Chiefs’ Council' }).first('kind');
        expect(npcc.kind).toBe('national_body');
        // The test clock reads 2 March 2026: due 56 days later.
        const listed = (await t.api('secretariat').get(`/reviews/${review}/recommendations`)).body.find(
          (r: { number: string }) => r.number === '5',
        );
        expect(listed.awaitingTriage).toBe(false);
        expect(
          listed.agencies.map((a: { name: string; assignedOn: string; responseDueOn: string }) => [
            a.name,
            a.assignedOn,
            a.responseDueOn,
          ]),
        ).toEqual([
          ['College of Policing', '2026-03-02', '2026-04-27'],
          ['National Police Chiefs’ Council', '2026-03-02', '2026-04-27'],
        ]);
        expect(await numbersSeenBy(college.token)).toContain('5');
        expect(await numbersSeenBy(met)).not.toContain('5');
        const told = await t.db('outbox').where({ kind: 'recommendation_assigned' });
        expect(told).toHaveLength(1);
        expect(told[0].to).toEqual(['college@test.example']);
        expect(told[0].text).toContain('record your response by 27 April 2026');
        expect((await t.api('secretariat').get('/recommendations/triage')).body).toEqual([]);

        // Twice the same: nothing more is changed or sent.
        const again = await t.api('secretariat').post(`/recommendations/${rec5}/assign`, {
          organisationIds: [college.id],
          newOrganisation: 'National Police Chiefs’ Council',
        });
        expect(again.body.changed).toBe(false);
        expect(await t.db('outbox').where({ kind: 'recommendation_assigned' })).toHaveLength(1);
        const audit = await t
          .db('recommendation_events')
          .where({ recommendation_id: rec5 })
          .orderBy('id')
          .pluck('type');
        expect(audit).toEqual(['IMPORTED', 'LEVEL_CHANGED', 'TRIAGED']);
      },
    ],
    [
      "keeps the secretariat's owners when the list is imported again, and takes only national bodies",
      async ({ t, review, met, recId, linkOf, numbersSeenBy }) => {
        const rec5 = await recId('5');
        const again = await t.api('hackney').post(`/reviews/${review}/recommendations/import`, {
          format: 'text',
          content: seed('hackney-dhr-2023-recommendations.txt'),
          dryRun: false,
        });
        expect(again.status).toBe(200);
        expect(again.body.preview.find((r: { number: string }) => r.number === '5').change).toBe('unchanged');
        expect(await linkOf('5', 'Metropolitan Police Service')).toBeUndefined();
        expect(await numbersSeenBy(met)).not.toContain('5');

        const police = await t.db('organisations').where({ name_key: 'metropolitanpoliceservice' }).first('id');
        const local = await t
          .api('secretariat')
          .post(`/recommendations/${rec5}/assign`, { organisationIds: [police.id] });
        expect(local.status).toBe(422);
        expect(local.body.errors[0]).toEqual({
          field: 'organisationIds',
          message: expect.stringMatching(
            /^includes Metropolitan Police Service, which is not recorded as a national body/,
          ),
        });
        const typed = await t
          .api('secretariat')
          .post(`/recommendations/${rec5}/assign`, { newOrganisation: 'metropolitan police  service!' });
        expect(typed.status).toBe(422);
        expect(typed.body.errors[0].field).toBe('newOrganisation');
      },
    ],
    [
      'cannot be sent back to triage once its owner has acknowledged it',
      async ({ t, review, met, college, bearer, recId, linkOf }) => {
        const link = (await linkOf('5', 'College of Policing'))!;
        const ack = await bearer(college.token).post(`/recommendation-agencies/${link}/acknowledge`);
        expect(ack.status).toBe(200);
        expect(ack.body).toEqual({ changed: true });
        expect((await bearer(college.token).post(`/recommendation-agencies/${link}/acknowledge`)).body).toEqual({
          changed: false,
        });
        // Another organisation's part does not exist for it.
        expect((await bearer(met).post(`/recommendation-agencies/${link}/acknowledge`)).status).toBe(404);
        expect((await t.api('hackney').post(`/recommendation-agencies/${link}/acknowledge`)).status).toBe(403);

        const back = await t.api('hackney').put(`/recommendations/${await recId('5')}/level`, { level: 'national' });
        expect(back.body).toEqual({ level: 'national', changed: false, reviewId: review });
        const local = await t.api('hackney').put(`/recommendations/${await recId('5')}/level`, { level: 'local' });
        expect(local.status).toBe(200);
        const again = await t.api('hackney').put(`/recommendations/${await recId('5')}/level`, { level: 'national' });
        expect(again.status).toBe(409);
        expect(again.body.error).toContain('College of Policing already acknowledged or answered it');
        const bad = await t.api('hackney').put(`/recommendations/${await recId('5')}/level`, { level: 'global' });
        expect(bad.status).toBe(422);
        expect(bad.body.errors[0]).toEqual({ field: 'level', message: 'must be one of local, regional, national' });
      },
    ],
  ]);
});

describe("the review's chair", () => {
  it('is copied into the email to the CSP when an organisation’s status changes', async () => {
    // A world of its own: it names the review's first chair (the pages' story finds one named already).
    const { t, review, met, bearer, linkOf } = await owners();
    const set = await t
      .api('hackney')
      .put(`/reviews/${review}/chair`, { name: 'Sam Chair', email: 'chair@test.example' });
    expect(set.body).toEqual({ changed: true });
    const bad = await t.api('hackney').put(`/reviews/${review}/chair`, { name: '', email: 'not an address' });
    expect(bad.status).toBe(422);
    expect(bad.body.errors[0].field).toBe('email');
    expect((await t.api('kent').put(`/reviews/${review}/chair`, { name: 'X', email: 'x@test.example' })).status).toBe(
      404,
    );

    const link = (await linkOf('3', 'Metropolitan Police Service'))!;
    const answered = await bearer(met).post(`/recommendation-agencies/${link}/response`, {
      response: 'already_in_place',
      rationale: 'Supervisors have checked every DASH form since 2022',
    });
    expect(answered.status).toBe(204);
    const email = (await t.db('outbox').where({ kind: 'recommendation_status_changed' }).orderBy('id')).at(-1);
    expect(email.subject).toMatch(/recommendation 3: Metropolitan Police Service is now Already happening$/);
    expect(email.to).toEqual(['jo@hackney.example']);
    expect(email.cc).toEqual(['chair@test.example']);
    const part = (await bearer(met).get('/recommendations')).body.find((r: { number: string }) => r.number === '3');
    expect(part.agencies[0]).toMatchObject({ status: 'already_happening', acknowledgedAt: expect.any(String) });

    // A change of response is told even when the status stays the same.
    const told = async () =>
      (await t.db('outbox').where({ kind: 'recommendation_status_changed' }).orderBy('id').pluck('subject')).filter(
        (s: string) => s.includes('recommendation 3:'),
      );
    await bearer(met).post(`/recommendation-agencies/${link}/response`, { response: 'not_accepted', rationale: 'No' });
    await bearer(met).post(`/recommendation-agencies/${link}/response`, { response: 'accepted' });
    await bearer(met).post(`/recommendation-agencies/${link}/response`, { response: 'accepted' });
    expect((await told()).map((s: string) => s.replace(/^.*Service is now /, ''))).toEqual([
      'Already happening',
      'Not met',
      'Not met (response: Accepted)',
    ]);
  });
});

describe('through the pages', () => {
  /** The story starts where the review has a chair, named as the chair's own test names one. */
  async function withChair(): Promise<Owners> {
    const world = await owners();
    const chair = { name: 'Sam Chair', email: 'chair@test.example' };
    const set = await world.t.api('hackney').put(`/reviews/${world.review}/chair`, chair);
    if (set.status !== 200) throw new Error(`chair: ${set.status} ${JSON.stringify(set.body)}`);
    return world;
  }

  tell(withChair, [
    [
      'the CSP sets a level and a chair, and the secretariat triages on its own page with GOV.UK errors',
      async ({ t, review, college, recId }) => {
        const csp = await signedIn(t, 'hackney');
        const rec = await recId('IPCC.2');
        const page = await csp.get(`/reviews/${review}/recommendations`);
        expect(page.text).toContain(`href="/recommendations/${rec}/level"`);
        expect(visible(page.text)).toContain("The review's chair Sam Chair chair@test.example");

        const form = await csp.get(`/recommendations/${rec}/level`);
        expect(form.status).toBe(200);
        expect(isChecked(form.text, 'level')).toBe(true);
        expect(visible(form.text)).toContain('A national recommendation goes to the panel secretariat to triage');
        const empty = await csp.form(`/recommendations/${rec}/level`, {});
        expect(empty.status).toBe(422);
        expect(errorSummary(empty.text)).toEqual(['Select the level']);
        const saved = await csp.form(`/recommendations/${rec}/level`, { level: 'national' });
        expect(saved.status).toBe(302);
        const after = await csp.get(saved.headers.location);
        expect(banner(after.text)).toContain('waiting for the panel secretariat to assign who owns it');
        expect(visible(after.text)).toContain('Waiting for the panel secretariat to assign');

        const chair = await csp.get(`/reviews/${review}/chair`);
        expect(chair.status).toBe(200);
        const noName = await csp.form(`/reviews/${review}/chair`, { name: '', email: 'x@test.example' });
        expect(noName.status).toBe(422);
        expect(errorSummary(noName.text)).toEqual(["Enter the chair's name with an email address"]);

        const secretariat = await signedIn(t, 'secretariat');
        const queue = await secretariat.get('/recommendations/triage');
        expect(queue.status).toBe(200);
        expect(queue.text).toContain(`href="/recommendations/${rec}/assign"`);
        const assign = await secretariat.get(`/recommendations/${rec}/assign`);
        expect(assign.status).toBe(200);
        // Nothing is chosen for the secretariat, the Home Office least of all.
        expect(assign.text).not.toMatch(/type="checkbox"[^>]* checked/);
        const none = await secretariat.form(`/recommendations/${rec}/assign`, {});
        expect(none.status).toBe(422);
        expect(errorSummary(none.text)).toHaveLength(1);
        expect(none.text).toContain('href="#organisationIds"');
        const done = await secretariat.form(`/recommendations/${rec}/assign`, {
          organisationIds: [String(college.id)],
          newOrganisation: '',
        });
        expect(done.status).toBe(302);
        const confirmed = await secretariat.get(done.headers.location);
        expect(banner(confirmed.text)).toContain(
          'Recommendation assigned: each body’s users are emailed that it is theirs',
        );

        // The CSP page of another role, and another CSP, are refused.
        expect((await (await signedIn(t, 'kent')).get(`/reviews/${review}/chair`)).status).toBe(404);
        expect((await csp.get('/recommendations/triage')).status).toBe(403);
      },
    ],
    [
      'the organisation confirms receipt from its page, and the CSP extends its time',
      async ({ t, linkOf }) => {
        const collegeUser = await signedInAs(t, 'college@test.example');
        const link = (await linkOf('IPCC.2', 'College of Policing'))!;
        const page = await collegeUser.get(`/recommendation-agencies/${link}`);
        expect(visible(page.text)).toContain('Received Not confirmed yet');
        const ack = await collegeUser.form(`/recommendation-agencies/${link}/acknowledge`, {});
        expect(ack.status).toBe(302);
        const after = await collegeUser.get(ack.headers.location);
        expect(banner(after.text)).toContain('You have confirmed that recommendation IPCC.2 reached you');
        expect(visible(after.text)).toMatch(/Received Confirmed \d+ \w+ 2026/);

        const csp = await signedIn(t, 'hackney');
        const form = await csp.get(`/recommendation-agencies/${link}/extend`);
        expect(form.status).toBe(200);
        const wrong = await csp.form(`/recommendation-agencies/${link}/extend`, {
          'dueOn-day': '31',
          'dueOn-month': '2',
          'dueOn-year': '2027',
          reason: '',
        });
        expect(wrong.status).toBe(422);
        expect(errorSummary(wrong.text)).toHaveLength(2);
        expect(wrong.text).toContain('href="#dueOn-day"');
      },
    ],
  ]);
});

describe('the time to respond', () => {
  it('is extended by the CSP with a reason, to a later day; the reminder follows the new day', async () => {
    // A world of its own: it moves the clock months on, past every due day.
    const { t, review, met, bearer, recId, linkOf } = await owners();
    const link = (await linkOf('2c', 'Metropolitan Police Service'))!;
    const early = await t.api('hackney').post(`/recommendation-agencies/${link}/extend`, {
      dueOn: '2026-04-01',
      reason: 'Waiting for the inquest',
    });
    expect(early.status).toBe(422);
    expect(early.body.errors).toEqual([
      { field: 'dueOn', message: 'must be after the current due date, 27 April 2026' },
    ]);
    const noReason = await t.api('hackney').post(`/recommendation-agencies/${link}/extend`, { dueOn: '2026-06-30' });
    expect(noReason.status).toBe(422);
    expect(noReason.body.errors[0].field).toBe('reason');
    const far = await t.api('hackney').post(`/recommendation-agencies/${link}/extend`, {
      dueOn: '2099-01-01',
      reason: 'Later',
    });
    expect(far.body.errors).toEqual([{ field: 'dueOn', message: 'must be within two years of today' }]);
    expect((await t.api('kent').post(`/recommendation-agencies/${link}/extend`, {})).status).toBe(422);
    expect(
      (await t.api('kent').post(`/recommendation-agencies/${link}/extend`, { dueOn: '2026-06-30', reason: 'Not mine' }))
        .status,
    ).toBe(404);
    expect((await bearer(met).post(`/recommendation-agencies/${link}/extend`, {})).status).toBe(403);

    const ok = await t.api('hackney').post(`/recommendation-agencies/${link}/extend`, {
      dueOn: '2026-06-30',
      reason: 'Waiting for the inquest',
    });
    expect(ok.body).toMatchObject({ changed: true, reviewId: review });
    const seen = (await bearer(met).get('/recommendations')).body.find((r: { number: string }) => r.number === '2c');
    expect(seen.agencies[0]).toMatchObject({ responseDueOn: '2026-06-30', extensionReason: 'Waiting for the inquest' });

    // The other parts are chased the day after 27 April; this one only after 30 June.
    const chased = async () =>
      (await t.db('outbox').where({ kind: 'recommendation_response_reminder' }).pluck('subject')).filter((s: string) =>
        s.includes('recommendation 2c '),
      );
    // Sent to triage and back, the part keeps its extended day and reason.
    const rec2c = await recId('2c');
    await t.api('hackney').put(`/recommendations/${rec2c}/level`, { level: 'national' });
    await t.api('hackney').put(`/recommendations/${rec2c}/level`, { level: 'local' });
    const back = (await bearer(met).get('/recommendations')).body.find((r: { number: string }) => r.number === '2c');
    expect(back.agencies[0]).toMatchObject({ responseDueOn: '2026-06-30', extensionReason: 'Waiting for the inquest' });

    // A national body with no user account is chased through the secretariat, not the CSP.
    const ipcc3 = await recId('IPCC.3');
    await t.api('secretariat').put(`/recommendations/${ipcc3}/level`, { level: 'national' });
    const unreached = await t
      .api('secretariat')
      .post(`/recommendations/${ipcc3}/assign`, { newOrganisation: 'Independent Office for Police Conduct' });
    expect(unreached.body.withoutUsers).toEqual(['Independent Office for Police Conduct']);

    t.clock.advance(57 * 86_400_000);
    await t.services.reminders.runOnce();
    expect(await chased()).toEqual([]);
    const iopc = (await t.db('outbox').where({ kind: 'recommendation_response_reminder' })).find((m) =>
      m.subject.includes('recommendation IPCC.3 '),
    );
    expect(iopc.to).toEqual([(await t.services.settings.get()).dhrMailbox]);
    t.clock.advance(65 * 86_400_000);
    await t.services.reminders.runOnce();
    expect(await chased()).toHaveLength(1);
    await t.renewTokens();
  });
});
