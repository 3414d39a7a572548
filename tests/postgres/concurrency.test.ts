import request from 'supertest';
import { createTestApp, hackneyRecommendations, meeting, metPoliceAgency, pdf, type TestApp } from '../helpers/app';
import { contentOf } from '../helpers/letters';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(() => t.close());

const eventCount = async (reviewId: number) =>
  Number((await t.db('review_events').where({ review_id: reviewId }).count('* as n'))[0]!.n);

async function readyToSubmit(pseudonym: string): Promise<number> {
  const id = (await t.api('kent').post('/reviews', { pseudonym })).body.id;
  for (const kind of ['overview_report', 'executive_summary', 'action_plan'])
    await t.api('kent').upload(id, kind, pdf(kind));
  return id;
}

describe('concurrent events on one review (real PostgreSQL)', () => {
  it('applies exactly one of 20 simultaneous SUBMITs; the other 19 get 409 and leave no trace', async () => {
    const id = await readyToSubmit('Mary');
    const before = await eventCount(id);
    const results = await Promise.all(Array.from({ length: 20 }, () => t.api('kent').event(id, { type: 'SUBMIT' })));
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 200)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(await eventCount(id)).toBe(before + 1);
    const row = await t.db('reviews').where({ id }).first('state', 'version');
    expect(row).toEqual({ state: 'submitted', version: before + 1 });
  });

  it('applies exactly one of 20 simultaneous events sent against the same version', async () => {
    const id = await readyToSubmit('Nina');
    await t.api('kent').event(id, { type: 'SUBMIT' });
    const meetings = await Promise.all(
      Array.from({ length: 20 }, (_, i) => meeting(t, `2026-0${1 + (i % 9)}-1${i % 10}`)),
    );
    const { version } = (await t.api('secretariat').get(`/reviews/${id}`)).body;
    const before = await eventCount(id);
    const results = await Promise.all(
      meetings.map((meetingId) =>
        t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId, expectedVersion: version }),
      ),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(19);
    expect(await eventCount(id)).toBe(before + 1);
    const review = (await t.api('secretariat').get(`/reviews/${id}`)).body;
    expect(review.meeting.id).toBe(winners[0]!.body.meeting.id);
    expect(review.version).toBe(version + 1);
  });

  it('gives 20 reviews notified at once 20 different references', async () => {
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => t.api('kent').post('/reviews', { pseudonym: `P${i}` })),
    );
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(new Set(results.map((r) => r.body.reference)).size).toBe(20);
  });
});

describe('saving a house template at the same moment (real PostgreSQL)', () => {
  const url = '/letter-templates/acknowledgement';

  it('makes one version of 10 identical saves: the first changes it, the others find it already so', async () => {
    const { version, body } = (await t.api('secretariat').get(url)).body;
    const changed = body.replace('Thank you for submitting', 'Thank you for sending');
    const results = await Promise.all(
      Array.from({ length: 10 }, () => t.api('secretariat').put(url, { body: changed })),
    );
    expect(results.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(results.filter((r) => r.body.changed)).toHaveLength(1);
    expect((await t.api('secretariat').get(`${url}/versions`)).body).toHaveLength(version + 1);
  });

  it('lets one of 10 different saves of the same version through; the other 9 are told to reload (409)', async () => {
    const { version, body } = (await t.api('secretariat').get(url)).body;
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        t.api('secretariat').put(url, { body: `${body}<p>Note ${i}</p>`, expectedVersion: version }),
      ),
    );
    expect(results.filter((r) => r.status === 200)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(9);
    expect((await t.api('secretariat').get(url)).body.version).toBe(version + 1);
  });
});

describe('editing a draft letter at the same moment (real PostgreSQL)', () => {
  it('keeps every one of four edits sent at once, and an edit never undoes a corrected outcome', async () => {
    const id = await readyToSubmit('Olwen');
    await t.api('kent').event(id, { type: 'SUBMIT' });
    await t.api('secretariat').event(id, { type: 'SCHEDULE', meetingId: await meeting(t, '2026-02-02') });
    const areas = [{ text: 'Involve the family.' }];
    const recorded = await t
      .api('panel')
      .event(id, { type: 'RECORD_OUTCOME', outcome: 'resubmit', commendations: '', areas });
    const letterId = recorded.body.letters.at(-1).id;
    const url = `/letters/${letterId}`;
    const edits = [
      { salutation: 'Dear Mr Okafor' },
      { date: '2026-02-20' },
      { signatory: { name: 'A Chair', title: 'Chair of the QA Panel' } },
      { addressee: { name: 'Sam Okafor', jobTitle: 'DHR Coordinator', lines: ['Invicta House'] } },
    ];
    const results = await Promise.all(edits.map((edit) => t.api('secretariat').patch(url, edit)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await t.api('secretariat').get(url)).body.draft).toMatchObject({
      salutation: 'Dear Mr Okafor',
      date: '2026-02-20',
      signatory: { name: 'A Chair' },
      addressee: { jobTitle: 'DHR Coordinator' },
    });

    // Ten rounds of an edit racing a change of outcome: the letter always ends as the outcome says.
    for (let i = 0; i < 10; i++) {
      const outcome = i % 2 ? 'resubmit' : 'publish_after_changes';
      const { draft } = (await t.api('secretariat').get(url)).body;
      await Promise.all([
        t.api('secretariat').patch(url, { content: contentOf(draft) }),
        t.api('panel').event(id, { type: 'AMEND_OUTCOME', outcome, commendations: '', areas }),
      ]);
      const letter = (await t.api('secretariat').get(url)).body;
      expect({ round: i, kind: letter.kind, template: letter.template.kind }).toEqual({
        round: i,
        kind: outcome,
        template: outcome,
      });
    }
  });
});

describe('identical creates at the same moment (real PostgreSQL)', () => {
  it('makes one CSP and one user of five identical requests each; the others are told it exists (409), never 500', async () => {
    const csp = {
      name: 'Twin Town CSP',
      policeForceAreaId: t.ids.kentArea,
      addressLines: ['Town Hall'],
      contacts: [{ name: 'Ada Twin', email: 'ada@twin.example' }],
    };
    const csps = await Promise.all(Array.from({ length: 5 }, () => t.api('secretariat').post('/csps', csp)));
    expect(csps.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);

    const user = { email: 'twin@test.example', name: 'Twin', role: 'panel', password: 'a long enough password' };
    const users = await Promise.all(Array.from({ length: 5 }, () => t.api('secretariat').post('/users', user)));
    expect(users.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    expect(await t.db('users').where({ email: 'twin@test.example' }).count('* as n')).toEqual([{ n: 1 }]);
  });
});

describe("recommendations' owners at the same moment (real PostgreSQL)", () => {
  it('assigns a national recommendation once of five identical triages, and tells a change of status once when two actions finish together', async () => {
    const review = await hackneyRecommendations(t, 'Together');
    const { token } = await metPoliceAgency(t);
    const rec = await t.db('recommendations').where({ review_id: review, number: '5' }).first('id');
    await t.api('hackney').put(`/recommendations/${rec.id}/level`, { level: 'national' });
    const college = await t.db('organisations').where({ name_key: 'collegeofpolicing' }).first('id');
    const triages = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.api('secretariat').post(`/recommendations/${rec.id}/assign`, { organisationIds: [college.id] }),
      ),
    );
    expect(triages.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    expect(triages.filter((r) => r.body.changed)).toHaveLength(1);
    expect(await t.db('recommendation_events').where({ recommendation_id: rec.id, type: 'TRIAGED' })).toHaveLength(1);

    const agency = (method: 'post' | 'put', url: string, body: object) =>
      request(t.app)[method](`/api/v1${url}`).set('Authorization', `Bearer ${token}`).send(body);
    const one = await t.db('recommendations').where({ review_id: review, number: '1' }).first('id');
    const link = await t.db('recommendation_agencies').where({ recommendation_id: one.id }).first('id');
    await agency('post', `/recommendation-agencies/${link.id}/response`, { response: 'accepted' });
    const actions = [];
    for (const description of ['Brief every inspector', 'Audit the prompts'])
      actions.push(
        (
          await agency('post', `/recommendation-agencies/${link.id}/actions`, {
            description,
            owner: 'Borough commander',
            targetDate: '2026-09-30',
          })
        ).body.id,
      );
    const done = await Promise.all(
      actions.map((id) => agency('put', `/actions/${id}/status`, { status: 'completed' })),
    );
    expect(done.map((r) => r.status)).toEqual([204, 204]);
    const changes = await t
      .db('recommendation_events')
      .where({ recommendation_id: one.id, type: 'STATUS_CHANGED' })
      .orderBy('id')
      .pluck('payload');
    expect(changes).toEqual([
      { from: 'missing', to: 'not_met' },
      { from: 'not_met', to: 'partly' },
    ]);
  });
});
